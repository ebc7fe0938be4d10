"""One grading job: a submission, its result folder and fingerprint, and the function a worker
(a local process or a Dask worker) runs for it, returning plain data. A failure of the grader
itself becomes that submission's ``not_graded`` result, marked to be graded again next run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.grade import grade_submission
from autograder.grading.result import Result
from autograder.problemset import ProblemSet, load_problem_set

RETRY = "retry"  # the fingerprint of a result the next run grades again (the grader failed)


@dataclass(frozen=True)
class Job:
    source: Path
    name: str
    fingerprint: str
    results_path: Path


def grade_job(pset_root: str, source: str, public_only: bool) -> dict:
    """One submission, as plain data: what a pool or cluster worker runs."""
    pset = _problem_set(pset_root)
    try:
        return grade_submission(pset, Path(source), public_only=public_only).to_json()
    except Exception as exc:  # noqa: BLE001 - one submission's failure is its own result
        return failed_result(pset, Path(source), exc)


def failed_result(pset: ProblemSet, source: Path, exc: BaseException) -> dict:
    """A not_graded result for a submission whose grading failed in the grader itself."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
    return Result(pset=pset.id, submission=source.name, source=str(source), status="not_graded",
                  score=0.0, max_score=pset.max_score, fingerprint=RETRY,
                  output=f"the grader failed on this submission ({text}); it is graded again on "
                         f"the next run").to_json()


@functools.cache
def _problem_set(root: str) -> ProblemSet:
    return load_problem_set(Path(root))
