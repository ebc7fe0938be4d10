"""A ``Result`` as the points payload GitHub Classroom's grading reporter reads.

The reporter (``classroom-resources/autograding-grading-reporter``) takes, per runner step, the
base64 of ``{"version": 1, "status", "max_score", "tests": [{"name", "status", "score", "message",
...}]}``; Classroom's points are the sum of ``tests[].score`` over ``max_score``. The top-level
``status`` is ``pass`` whenever the submission was graded, whatever the score (the reporter fails
the job on ``fail``; a low score is not a failed job), and ``error`` when the grader itself failed.
A late penalty is one more test whose score is minus the deduction (the reporter adds it like any
other), so Classroom shows the score after the penalty. Pure: no I/O.
"""

from __future__ import annotations

import base64
import json

from autograder.grading.result import Result
from autograder.report.display import describe_deadline

_LATER = "a check shown after the due date"


def to_classroom(result: Result, *, show_all: bool = False) -> dict:
    """The reporter's payload. Checks marked ``after_due_date`` keep their points but not their
    names or messages (unless ``show_all``); hidden checks show their name and safe message."""
    titles = {p.id: p.title for p in result.problems}
    show_all = show_all or result.deadline.get("due_passed", False)  # the student's own due time
    tests = []
    for check in result.tests:
        later = check.visibility == "after_due_date" and not show_all
        name = _LATER if later else check.name + (" (hidden)" if check.visibility == "hidden" else "")
        title = titles.get(check.problem)
        tests.append({
            "name": f"{title}: {name}" if title else name,
            "status": "pass" if check.status == "passed" else
            ("error" if check.status in ("error", "timeout") else "fail"),
            "score": check.score,
            "max_score": check.max_score,
            "message": "" if later else check.output,
            "test_code": "",
            "filename": "",
            "line_no": 0,
        })
    deduction = result.deadline.get("deduction", 0) if result.deadline else 0
    if deduction:  # Classroom's points are the sum of the tests' scores: the penalty is one of them
        tests.append({"name": "late penalty", "status": "fail", "score": -deduction, "max_score": 0,
                      "message": describe_deadline(result.deadline), "test_code": "", "filename": "",
                      "line_no": 0})
    if result.status != "graded":
        tests.append({"name": "the submission could be read", "status": "fail", "score": 0,
                      "max_score": 0, "message": result.output, "test_code": "", "filename": "",
                      "line_no": 0})
    return {"version": 1, "status": "error" if result.grader_errors else "pass",
            "max_score": result.max_score, "tests": tests}


def grader_failure(message: str) -> dict:
    """The payload when no result exists: the grader could not run at all."""
    return {"version": 1, "status": "error", "max_score": 0,
            "tests": [{"name": "the autograder ran", "status": "error", "score": 0, "max_score": 0,
                       "message": message, "test_code": "", "filename": "", "line_no": 0}]}


def encode(payload: dict) -> str:
    """The one-line base64 form the reporter decodes (a step output ``result``)."""
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")
