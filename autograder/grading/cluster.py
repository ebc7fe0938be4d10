"""The same batch on a Dask cluster (``distributed``): no home-made scheduler.

Workers run ``job.grade_job`` and return plain data; the client writes results. Submissions and
the problem set must be readable at the same paths on the workers (a shared filesystem, or one
machine). A worker lost mid-task has its task retried elsewhere by Dask. A problem set that needs a
GPU says so in its manifest (``[grading] worker_resources = { GPU = 1 }``) and is graded only on
workers started with ``--resources GPU=1``.
"""

from __future__ import annotations

from collections.abc import Iterator

from autograder.grading.job import Job, grade_job
from autograder.problemset import ProblemSet


def grade_on_worker(pset_root: str, source: str, public_only: bool) -> dict:
    """``grade_job`` on a Dask worker; the result records which worker graded it."""
    from distributed import get_worker

    data = grade_job(pset_root, source, public_only)
    data["environment"]["dask_worker"] = str(get_worker().name)
    return data

RETRIES = 3


def run_on_dask(address: str, pset: ProblemSet, pending: list[Job],
                public_only: bool) -> Iterator[tuple[Job, dict]]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise OSError("grading on a cluster needs Dask: pip install 'optim-autograder[cluster]'") from None
    with Client(address, timeout="30s") as client:
        futures = {
            client.submit(grade_on_worker, str(pset.root), str(job.source), public_only,
                          key=f"grade-{job.name}-{job.fingerprint[:12]}", pure=False,
                          retries=RETRIES, resources=pset.worker_resources or None): job
            for job in pending
        }
        for future in as_completed(futures):
            yield futures[future], future.result()
