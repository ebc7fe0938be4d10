"""The same batch on a Dask cluster (``distributed``): no home-made scheduler.

Workers run ``batch.grade_job`` and return plain data; the client writes results. Submissions and
the problem set must be readable at the same paths on the workers (a shared filesystem, or one
machine). A worker lost mid-task has its task retried elsewhere by Dask.
"""

from __future__ import annotations

from collections.abc import Iterator

from autograder.grading.batch import Job, grade_job
from autograder.problemset import ProblemSet

RETRIES = 3


def run_on_dask(address: str, pset: ProblemSet, pending: list[Job],
                public_only: bool) -> Iterator[tuple[Job, dict]]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise OSError("grading on a cluster needs Dask: pip install 'optim-autograder[cluster]'") from None
    with Client(address, timeout="30s") as client:
        futures = {
            client.submit(grade_job, str(pset.root), str(job.source), public_only,
                          key=f"grade-{job.name}-{job.fingerprint[:12]}", pure=False,
                          retries=RETRIES): job
            for job in pending
        }
        for future in as_completed(futures):
            yield futures[future], future.result()
