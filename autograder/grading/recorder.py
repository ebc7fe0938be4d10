"""The grading run's pytest plugin: validates each check's markers and records how each check ended,
as a ``CheckOutcome`` (``grading.outcome``). ``classify`` is the one rule from an exception to a
status and a message (the nbgrader kernel uses it too); hidden checks' messages are redacted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.checks.assertions import PartialCredit
from autograder.checks.context import CONTEXT, GradingContext
from autograder.checks.feedback import FIGURES, NOTES
from autograder.checks.plugin import VISIBILITIES
from autograder.checks.redact import exception_kind, missing_name, student_line
from autograder.grading.outcome import CheckOutcome
from autograder.problemset import ProblemSet
from autograder.sandbox.errors import (
    BadValue,
    ImportFailed,
    MissingName,
    StudentCrashed,
    StudentError,
    StudentException,
    StudentTimeout,
)
from autograder.status import Status


@dataclass
class CheckRecorder:
    """Registered for a grading run: validates markers and records every check's outcome."""

    context: GradingContext
    outcomes: dict[str, CheckOutcome] = field(default_factory=dict)
    collection_errors: list[str] = field(default_factory=list)

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[CONTEXT] = self.context

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.outcomes[item.nodeid] = self._describe(item)

    def _describe(self, item: pytest.Item) -> CheckOutcome:
        problem = item.get_closest_marker("problem")
        weight = item.get_closest_marker("weight")
        visibility = item.get_closest_marker("visibility")
        named = item.get_closest_marker("name")
        hidden_dir = self.context.pset.hidden_checks_dir
        default = "hidden" if hidden_dir and hidden_dir in Path(item.path).parents else "visible"
        doc = (getattr(item, "obj", None).__doc__ or "").strip().splitlines()
        name = doc[0].strip() if doc else item.name
        if named:
            name = str(named.args[0])
        elif getattr(item, "callspec", None) is not None:
            name = f"{name} [{item.callspec.id}]"
        record = CheckOutcome(
            nodeid=item.nodeid,
            name=name,
            problem=problem.args[0] if problem else "",
            weight=float(weight.args[0]) if weight else 1.0,
            visibility=visibility.args[0] if visibility else default,
        )
        known = {p.id for p in self.context.pset.problems}
        if record.problem not in known:
            record.grader_error = (f"check has no valid problem marker (got {record.problem!r}; "
                                   f"known: {sorted(known)})")
        elif record.visibility not in VISIBILITIES or record.weight < 0:
            record.grader_error = "check has a bad visibility or weight marker"
        return record

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        record = self.outcomes.get(item.nodeid)
        if record is None:
            return report
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            record.duration += call.duration
            record.figures = list(item.stash.get(FIGURES, []))
            if not record.grader_error:
                exc = call.excinfo.value if call.excinfo is not None else None
                classify(record, exc, call.excinfo, self.context.pset)
            else:
                record.status = Status.ERROR
            notes = item.stash.get(NOTES, [])
            if notes:
                record.message = "\n".join([record.message, *notes]).strip()
        return report

def classify(record: CheckOutcome, exc: BaseException | None, excinfo, pset: ProblemSet | None) -> None:
    """Set ``record``'s status, fraction and message from how the check ended: ``exc`` is None
    (passed), a skip, ``PartialCredit``, a ``StudentError``, an ``AssertionError`` (failed; flagged for
    review or inconclusive where the timing engine says so) or anything else (the grader's own error)."""
    visible = record.visibility == "visible"
    if exc is None:
        record.status, record.fraction = Status.PASSED, 1.0
    elif isinstance(exc, pytest.skip.Exception):
        record.status, record.message = Status.SKIPPED, str(exc.msg)
    elif isinstance(exc, PartialCredit):
        record.status, record.fraction, record.message = Status.FAILED, exc.fraction, exc.message
    elif isinstance(exc, StudentError):
        record.status = Status(exc.status)
        record.message = _student_error_message(exc, visible, pset)
    elif isinstance(exc, AssertionError):
        record.status = Status.FAILED
        safe = "" if visible else getattr(exc, "hidden_message", "")  # assertions' own variant
        record.message = safe or str(exc) or "the check failed"
        record.review = bool(getattr(exc, "review", False))
        if getattr(exc, "inconclusive", False):  # no verdict on the student's code: not "failed"
            record.status, record.inconclusive = Status.ERROR, True
    else:
        record.status = Status.ERROR
        record.message = "the grader failed on this check (not your fault); instructors see why"
        record.grader_error = str(excinfo.getrepr(style="short"))


def _student_error_message(exc: StudentError, visible: bool, pset: ProblemSet) -> str:
    """Visible checks show the student's own error in full. Hidden ones show a fixed category per
    kind of failure: the child chose the message, the type name, the file and function names and
    the exit code (each can carry hidden inputs out), so none of them is repeated; an exception's
    type is named only when it is a built-in one, its place only by line number, a missing name
    only when it is one of the problem set's own (``redact``)."""
    if visible:
        return f"{exc.message}\n{exc.detail}".rstrip()
    if isinstance(exc, StudentException):
        line = student_line(exc.where)
        return f"your code raised {exception_kind(exc)}{f' ({line})' if line else ''} on a hidden input"
    if isinstance(exc, MissingName):
        modules = {m: pset.root / f"{m}.py" for m in pset.modules}
        return missing_name(exc.message, modules) or "a module or name this check needs is missing"
    for kind, message in _HIDDEN_MESSAGES:
        if isinstance(exc, kind):
            return message
    return "your code failed on a hidden input"


_HIDDEN_MESSAGES = (
    (StudentTimeout, "your code did not finish within the time limit on a hidden input (look for "
                     "an infinite loop or an algorithm of the wrong complexity)"),
    (ImportFailed, "your module could not be imported; the public checks (autograder check) show "
                   "why"),
    (BadValue, "your code returned a value the grader cannot read; return plain data (int, float, "
               "str, list, tuple, dict, numpy array, torch tensor, sympy expression)"),
    (StudentCrashed, "your code's process ended, or broke the grader's channel, on a hidden input; "
                     "do not call exit()/os._exit() and avoid crashing the interpreter"),
)
