"""The pytest side of grading: markers, the fixtures checks use, and turning outcomes into records.

Runs in the trusted parent. ``CheckRecorder`` is registered by ``grading.grade`` for a grading run;
a released folder's ``conftest.py`` imports the fixtures and ``pytest_configure`` from here so that
plain ``pytest`` works for students too (then without a recorder).
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.assertions import PartialCredit
from autograder.checks.redact import exception_kind, missing_name, student_line
from autograder.checks.student import StudentSubmission
from autograder.problemset import MANIFEST, ProblemSet, load_problem_set
from autograder.sandbox.errors import (
    BadValue,
    ImportFailed,
    MissingName,
    StudentCrashed,
    StudentError,
    StudentException,
    StudentTimeout,
)
from autograder.sandbox.process import SandboxedProcess

__all__ = ["_autograder_sandboxes", "feedback", "given", "pytest_configure", "reference", "rng",
           "student", "timing"]

MARKERS = (
    "problem(id): the problem a check belongs to (required)",
    "weight(w): the check's share of its problem's points (default 1)",
    "call_timeout(seconds): time limit for each call into the student's code",
    "visibility(v): visible, hidden or after_due_date (default: by folder)",
    "name(text): the check's name in reports (default: the docstring's first line)",
)
VISIBILITIES = ("visible", "hidden", "after_due_date")


@dataclass
class GradingContext:
    """What one grading run knows that checks must not: stashed on the pytest config."""

    pset: ProblemSet
    submission_dir: Path
    secret: str = ""
    reference_root: Path | None = None  # the solutions folder; None when grading on a student machine
    fingerprint: str = ""  # the submission's contents (grade.tree_digest): mixed into hidden seeds
    tripped: set[str] = field(default_factory=set)  # banned names the children's tripwires saw


CONTEXT = pytest.StashKey[GradingContext]()
FIGURES = pytest.StashKey[list]()
NOTES = pytest.StashKey[list]()
_MAX_POINTS = 2000
_SANDBOXES = pytest.StashKey[dict]()


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)


# ---------------------------------------------------------------------------- fixtures


def _context(request: pytest.FixtureRequest) -> GradingContext:
    """The grading run's context, or (plain pytest in a released folder) one made from its path."""
    ctx = request.config.stash.get(CONTEXT, None)
    if ctx is not None:
        return ctx
    for folder in Path(request.path).resolve().parents:
        if (folder / MANIFEST).is_file():
            return GradingContext(pset=load_problem_set(folder), submission_dir=folder)
    raise pytest.UsageError(f"no {MANIFEST} above {request.path}: run pytest in a released folder")


@pytest.fixture(scope="session")
def _autograder_sandboxes(request: pytest.FixtureRequest):
    sandboxes: dict[Path, SandboxedProcess] = {}
    request.config.stash[_SANDBOXES] = sandboxes
    yield sandboxes
    ctx = request.config.stash.get(CONTEXT, None)
    for sandbox in sandboxes.values():
        if ctx is not None:
            ctx.tripped |= sandbox.tripped
        sandbox.__exit__(None, None, None)
        if sandbox.trusted:  # the empty folder made for the timing baselines' child
            shutil.rmtree(sandbox.submission_dir, ignore_errors=True)


@pytest.fixture
def student(request: pytest.FixtureRequest, _autograder_sandboxes) -> StudentSubmission:
    """The student's submission; ``student.<module>.<name>`` runs in the sandboxed child."""
    ctx = _context(request)
    sandbox = _sandbox(ctx, _autograder_sandboxes)
    marker = request.node.get_closest_marker("call_timeout")
    timeout = float(marker.args[0]) if marker else ctx.pset.call_timeout
    return StudentSubmission(sandbox, timeout, ctx.pset.drivers_dir)


def _sandbox(ctx: GradingContext, sandboxes: dict) -> SandboxedProcess:
    """The submission's one sandboxed child (started on first use, restarted after a crash)."""
    sandbox = sandboxes.get(ctx.submission_dir)
    if sandbox is None:
        banned = tuple(dict.fromkeys(b for p in ctx.pset.problems for b in p.banned))
        allowed = tuple(dict.fromkeys(a for p in ctx.pset.problems for a in p.allowed))
        sandbox = sandboxes[ctx.submission_dir] = SandboxedProcess(
            ctx.submission_dir, banned=banned, allowed=allowed, preload=ctx.pset.preload)
    return sandbox


@pytest.fixture
def timing(request: pytest.FixtureRequest, _autograder_sandboxes, feedback):
    """Timing checks: ``timing.compare("module.function", workload, cpu=Variant(...), ...)`` times
    the student's code against a trusted baseline run in a clean child (``autograder.timing``)."""
    from autograder.timing.runner import Timing, trusted_child

    ctx = _context(request)
    seed = seed_secret(ctx, Path(request.node.path))
    secret = hashlib.sha256(f"{seed}\0{request.node.nodeid}".encode()).hexdigest()
    trusted = _autograder_sandboxes.get("trusted")  # one clean child for every baseline of the run
    if trusted is None:
        empty = Path(tempfile.mkdtemp(prefix="autograder-trusted-"))
        trusted = _autograder_sandboxes["trusted"] = trusted_child(empty, ctx.pset.preload)
    return Timing(_sandbox(ctx, _autograder_sandboxes), secret=secret,
                  call_timeout=ctx.pset.call_timeout, feedback=feedback, trusted=trusted)


class _TrustedModules:
    """``modules.<name>``: the trusted module ``<root>/<name>.py`` imported in the parent once, under
    ``<prefix>_<name>``; only the names in ``allowed`` when it is given."""

    def __init__(self, root: Path, prefix: str, allowed: set[str] | None = None, what: str = "module"):
        self._root, self._prefix, self._allowed, self._what = root, prefix, allowed, what

    def __getattr__(self, module: str):
        if module.startswith("_"):
            raise AttributeError(module)
        path = self._root / f"{module}.py"
        if (self._allowed is not None and f"{module}.py" not in self._allowed) or not path.is_file():
            raise AttributeError(f"{path} is not a {self._what} of this problem set")
        return import_file(f"{self._prefix}_{module}", path)


def import_file(name: str, path: Path):
    """The trusted module at ``path`` (reference code, workloads), imported once under ``name``."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[name]  # a broken file is not half-imported for the next check
            raise
    return sys.modules[name]


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> _TrustedModules:
    """The reference solution's modules, imported in the trusted parent (hidden checks only)."""
    ctx = _context(request)
    if ctx.reference_root is None:
        raise RuntimeError("the reference solution is only available to hidden checks")
    return _TrustedModules(ctx.reference_root, f"_autograder_reference_{ctx.pset.id}",
                           what="reference module")


@pytest.fixture
def given(request: pytest.FixtureRequest) -> _TrustedModules:
    """The problem set's given modules (``[[given]]``, e.g. ``given.problems``), imported in the
    trusted parent from the problem set itself, never from the submission: the objects a check wraps
    in an ``Oracle`` for the student's code."""
    pset = _context(request).pset
    return _TrustedModules(pset.root, f"_autograder_given_{pset.id}",
                           {Path(g).as_posix() for g in pset.given}, "[[given]] file")


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded per check: fixed for public checks, and for every other check of a grading
    run drawn from the hidden checks' secret and the submission (``seed_secret``)."""
    ctx = _context(request)
    return np.random.default_rng(check_seed(seed_secret(ctx, Path(request.node.path)),
                                            request.node.nodeid))


def check_seed(secret: str, nodeid: str) -> int:
    """The seed of a check's ``rng``, from ``seed_secret`` and the check's node id."""
    digest = hashlib.sha256(f"{secret}\0{nodeid}".encode()).digest()
    return int.from_bytes(digest[:16], "little")


def seed_secret(ctx: GradingContext, check_file: Path) -> str:
    """What a check's random inputs are drawn from. Public checks: nothing (students reproduce their
    inputs with plain pytest). Every other check: the hidden checks' secret mixed with the
    submission's fingerprint, so regrading the same files draws the same inputs, and inputs that
    leak from one submission's grading say nothing about another's."""
    if not ctx.secret or ctx.pset.public_checks_dir.resolve() in check_file.resolve().parents:
        return ""
    return hashlib.sha256(f"{ctx.secret}\0{ctx.fingerprint}".encode()).hexdigest()


class Feedback:
    """Pictures a check attaches to its result, as data; reports draw them."""

    def __init__(self, figures: list, notes: list | None = None):
        self._figures = figures
        self._notes = notes if notes is not None else []

    def note(self, text: str) -> None:
        """A line for the check's output, shown whatever its status (e.g. where a timing ran)."""
        self._notes.append(str(text)[:1000])

    def curve(self, title: str, series: dict[str, list[float]], *, log_y: bool = False,
              xlabel: str = "", ylabel: str = "") -> None:
        """Lines, e.g. ``{"yours": f_k - f*, "reference": ...}`` per iteration."""
        clean = {str(k): [float(v) for v in list(values)[:_MAX_POINTS]] for k, values in series.items()}
        self._figures.append({"kind": "curve", "title": title, "series": clean, "log_y": log_y,
                              "xlabel": xlabel, "ylabel": ylabel})

    def bars(self, title: str, values: dict[str, float], *, threshold: float | None = None,
             ylabel: str = "") -> None:
        """Bars, e.g. timing ratios, with an optional threshold line."""
        self._figures.append({"kind": "bars", "title": title, "ylabel": ylabel,
                              "values": {str(k): float(v) for k, v in values.items()},
                              "threshold": None if threshold is None else float(threshold)})


@pytest.fixture
def feedback(request: pytest.FixtureRequest) -> Feedback:
    """Attach pictures to this check's result (shown in the HTML report for visible checks)."""
    figures = request.node.stash.setdefault(FIGURES, [])
    return Feedback(figures, request.node.stash.setdefault(NOTES, []))


# ---------------------------------------------------------------------------- recording


@dataclass
class CheckRecord:
    """One check's outcome before points are assigned (``grading.result`` does that)."""

    nodeid: str
    name: str
    problem: str
    weight: float
    visibility: str
    status: str = "skipped"
    fraction: float = 0.0
    message: str = ""
    duration: float = 0.0
    grader_error: str = ""  # a bug in the check itself, for the instructor
    review: bool = False  # not awarded, but an instructor should look (e.g. an implausible timing)
    inconclusive: bool = False  # not decided (a timing on a machine too busy): graded again later
    figures: list = field(default_factory=list)  # data for pictures (Feedback)


@dataclass
class CheckRecorder:
    """Registered for a grading run: validates markers and records every check's outcome."""

    context: GradingContext
    records: dict[str, CheckRecord] = field(default_factory=dict)
    collection_errors: list[str] = field(default_factory=list)

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[CONTEXT] = self.context

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.records[item.nodeid] = self._describe(item)

    def _describe(self, item: pytest.Item) -> CheckRecord:
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
        record = CheckRecord(
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
        record = self.records.get(item.nodeid)
        if record is None:
            return report
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            record.duration += call.duration
            record.figures = list(item.stash.get(FIGURES, []))
            if not record.grader_error:
                exc = call.excinfo.value if call.excinfo is not None else None
                self._classify(record, exc, call.excinfo, self.context.pset)
            else:
                record.status = "error"
            notes = item.stash.get(NOTES, [])
            if notes:
                record.message = "\n".join([record.message, *notes]).strip()
        return report

    @staticmethod
    def _classify(record: CheckRecord, exc: BaseException | None, excinfo, pset: ProblemSet) -> None:
        visible = record.visibility == "visible"
        if exc is None:
            record.status, record.fraction = "passed", 1.0
        elif isinstance(exc, pytest.skip.Exception):
            record.status, record.message = "skipped", str(exc.msg)
        elif isinstance(exc, PartialCredit):
            record.status, record.fraction, record.message = "failed", exc.fraction, exc.message
        elif isinstance(exc, StudentError):
            record.status = exc.status
            record.message = _student_error_message(exc, visible, pset)
        elif isinstance(exc, AssertionError):
            record.status = "failed"
            safe = "" if visible else getattr(exc, "hidden_message", "")  # assertions' own variant
            record.message = safe or str(exc) or "the check failed"
            record.review = bool(getattr(exc, "review", False))
            if getattr(exc, "inconclusive", False):  # no verdict on the student's code: not "failed"
                record.status, record.inconclusive = "error", True
        else:
            record.status = "error"
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
