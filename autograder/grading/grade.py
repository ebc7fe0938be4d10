"""Grade one submission: run a problem set's checks (pytest, in this trusted process) against it.

A broken submission gives a result with its own score, never an exception. Returns a ``Result``;
prints and writes nothing (``grading.batch`` runs many and stores them).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import platform
import signal
import sys
import threading
import time
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import pytest

import autograder
from autograder.checks import plugin
from autograder.checks.context import GradingContext
from autograder.files import WorkFolder
from autograder.grading.integrity import apply_findings, runtime_findings, scan_submission
from autograder.grading.outcome import share_points, total_max_score, total_score
from autograder.grading.recorder import CheckRecorder
from autograder.grading.result import Result
from autograder.problemset import MANIFEST, ProblemSet
from autograder.sandbox.confine import host_confinement
from autograder.status import Status
from autograder.submission import SubmissionError, prepare_submission, submission_name

RESULTS_FILE = "results.json"
TIMING_CHECKS = Path(autograder.__file__).parent / "checks" / "timing_check.py"  # see checks.timing_check


def grade_submission(pset: ProblemSet, source: Path, *, public_only: bool = False,
                     budget_s: float | None = None) -> Result:
    """Grade one submission with the public checks, and the hidden ones unless ``public_only``,
    within ``budget_s`` seconds of wall time (default: the manifest's ``[grading] budget_s``)."""
    started = time.perf_counter()
    host_confinement()  # probe (and warn about missing layers) here, not inside pytest's capture
    with WorkFolder("submission") as workdir:
        try:
            submission = prepare_submission(Path(source), pset, workdir)
        except SubmissionError as exc:
            return _not_graded(pset, Path(source), str(exc))
        static = scan_submission(pset, submission.root)  # what was handed in, before any child runs
        hidden = None if public_only else pset.hidden_checks_dir
        context = GradingContext(
            pset=pset,
            submission_dir=submission.root,
            secret=hidden_checks_secret(hidden),
            reference_root=None if pset.released else pset.root,
            fingerprint=tree_digest(submission.root),  # before the student's code can write there
        )
        recorder = CheckRecorder(context)
        budget = pset.budget_s if budget_s is None else budget_s
        with wall_budget(budget) as stopped:
            log = run_checks(check_paths(pset, hidden), pset.root, [recorder],
                             version=tree_digest(pset.root))
        findings = static + runtime_findings(pset, context.tripped)  # the child may only add
    outcomes = list(recorder.outcomes.values())
    if stopped.is_set():  # what did not run costs its points, with the reason
        for outcome in outcomes:
            if outcome.status == Status.SKIPPED and not outcome.message:
                outcome.status = Status.TIMEOUT
                outcome.message = (f"not run: grading this submission was stopped after its budget of "
                                  f"{budget:g} s")
    apply_findings(outcomes, findings)
    tests, problems = share_points(pset, outcomes)
    grader_errors = list(recorder.collection_errors)
    grader_errors += [f"{o.nodeid}: {o.grader_error}" for o in outcomes if o.grader_error]
    if not outcomes and not grader_errors:
        grader_errors.append(f"no checks were collected for {pset.id}:\n{log[-2000:]}")
    return Result(
        pset=pset.id,
        submission=submission.name,
        source=str(Path(source)),
        status="graded",
        score=total_score(problems),
        max_score=total_max_score(problems),
        tests=tests,
        problems=problems,
        grader_errors=grader_errors,
        findings=[asdict(f) | {"message": f.message} for f in findings],
        environment=environment(),
        graded_at=_now(),
        execution_time=round(time.perf_counter() - started, 3),
        scope="public" if hidden is None else "all",
    )


class BudgetExceeded(KeyboardInterrupt):
    """Raised in the grading thread when a submission's wall budget runs out: pytest ends the
    session on it (as on Ctrl-C), fixtures close the sandboxes, and the result says what ran."""


@contextlib.contextmanager
def wall_budget(seconds: float):
    """Stop whatever runs in this (main) thread after ``seconds``; yields an Event set if it did.
    Elsewhere (a Dask worker's thread) the calls' own deadlines are the only bound."""
    stopped = threading.Event()
    if threading.current_thread() is not threading.main_thread() or not seconds > 0:
        yield stopped
        return

    def expire(*_):
        stopped.set()
        raise BudgetExceeded(f"grading budget of {seconds:g} s spent")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield stopped
    except BudgetExceeded:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_paths(pset: ProblemSet, hidden: Path | None) -> list[Path]:
    """What a grading run collects: the public checks, the hidden ones when given, and with them
    the engine's check file that turns the manifest's [[timing]] entries into checks."""
    paths = [pset.public_checks_dir] + ([hidden] if hidden else [])
    if hidden and pset.timing:
        paths.append(TIMING_CHECKS)
    return [p for p in paths if p.exists()]


def unique_names(sources: list[Path]) -> dict[Path, str]:
    """A folder name per submission: its own name, prefixed by its parent's where names collide."""
    plain = [submission_name(s) for s in sources]
    names = {}
    for source, name in zip(sources, plain, strict=True):
        if plain.count(name) > 1:
            name = f"{source.resolve().parent.name}-{name}"
        names[source] = name
    return names


def run_checks(paths: list[Path], rootdir: Path, plugins: list, *extra: str, version: str = "") -> str:
    """Run pytest on check files in this process, isolated from the course's settings and conftests
    and without assertion rewriting, with ``plugins`` (a CheckRecorder among them) and ``extra``
    arguments (e.g. ``--collect-only``); return pytest's own output (for grader errors). Modules
    imported from ``rootdir`` stay imported for the next run with the same ``rootdir`` and
    ``version`` (grading: the problem set folder's digest, so an edit drops them)."""
    args = [
        *map(str, paths), *extra,
        "--rootdir", str(rootdir), "--confcutdir", str(rootdir),
        "-c", os.devnull,  # the course repository's pytest settings do not apply to checks
        "--noconftest",  # a conftest.py shipped next to a submission is never loaded here
        "--assert=plain",  # failure messages are the ones check authors wrote, nothing more
        "--import-mode=importlib",
        "-p", "no:cacheprovider", "-p", "no:stepwise", "-p", "no:randomly", "-p", "no:faulthandler",
        "-q", "--tb=no", "--no-header", "-W", "ignore::pytest.PytestUnknownMarkWarning",
    ]
    out = io.StringIO()
    source = (Path(rootdir).resolve(), version)
    _forget_check_modules_of_other_sources(source)
    before = set(sys.modules)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), _no_assertion_rewriting():
        pytest.main(args, plugins=[*plugins, plugin])
    _remember_check_modules(source, set(sys.modules) - before)
    return out.getvalue()


# Modules a run imported from the problem set's folder (the checks, which pytest names by their
# path under it, ``checks.public.test_x``, and reuses when already in ``sys.modules``; the reference
# and given modules the fixtures import), by module name -> (that folder, its contents' digest):
# kept for the next submission of the same problem set as it is (collection is then cheap), dropped
# before a run of another folder, where the same name is another file, or of the same folder edited
# since (a long-lived worker must not grade against a reference or a check that was fixed).
_CHECK_MODULES: dict[str, tuple[Path, str]] = {}


def _remember_check_modules(source: tuple[Path, str], added: set[str]) -> None:
    root = source[0]
    for name in added:
        file = getattr(sys.modules.get(name), "__file__", None)
        if file and root in Path(file).resolve().parents:
            for prefix in _prefixes(name):  # with the placeholder packages pytest made for it
                if prefix in added:
                    _CHECK_MODULES[prefix] = source


def _forget_check_modules_of_other_sources(source: tuple[Path, str]) -> None:
    for name, where in list(_CHECK_MODULES.items()):
        if where != source:
            sys.modules.pop(name, None)
            del _CHECK_MODULES[name]


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


@contextlib.contextmanager
def _no_assertion_rewriting():
    """Checks are imported without pytest's assertion rewriting, even inside a pytest session (our
    own tests, a course's CI): rewritten asserts print both operands, i.e. hidden inputs and
    expected values."""
    from _pytest.assertion.rewrite import AssertionRewritingHook

    saved = list(sys.meta_path)
    sys.meta_path[:] = [f for f in saved if not isinstance(f, AssertionRewritingHook)]
    try:
        yield
    finally:
        sys.meta_path[:] = saved


def hidden_checks_secret(hidden_dir: Path | None) -> str:
    """The hidden checks' seed secret: the AUTOGRADER_SECRET setting plus the hidden checks' own
    contents, so it is stable across runs and unknown to anyone without the hidden checks."""
    if hidden_dir is None:
        return ""
    digest = hashlib.sha256(os.environ.get("AUTOGRADER_SECRET", "").encode())
    for path in sorted(hidden_dir.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# What a problem set's folder holds that grading never reads: the statement and its parts
# (Markdown, rendered into the released README) and nbgrader's export settings. Editing them does
# not regrade a batch (``problem_set_digest``); nor does the manifest's [deadline], which each run
# given the submission times applies to every result, kept ones included.
NOT_GRADED = ("*.md", "nbgrader.toml")


def problem_set_digest(pset: ProblemSet) -> str:
    """The problem set's part of a batch's fingerprint: every file of its folder that grading can
    read (the checks, drivers, given and reference modules, data) and its manifest without the
    ``[deadline]``; not the statement or nbgrader's settings: fixing a typo in the statement, or
    moving the deadline, keeps a graded batch."""
    manifest = {key: value for key, value in pset.raw.items() if key != "deadline"}
    files = tree_digest(pset.root, skip=(*NOT_GRADED, MANIFEST))
    settings = json.dumps(manifest, sort_keys=True, default=str)
    return hashlib.sha256(f"{files}\0{settings}".encode()).hexdigest()


def tree_digest(path: Path, skip: tuple[str, ...] = ()) -> str:
    """Contents of a file or a folder (relative names and bytes; links, caches and files whose name
    matches a pattern of ``skip`` left out): the batch's fingerprint of what was handed in, and the
    submission's fingerprint mixed into the hidden checks' seeds (``checks.plugin.seed_secret``)."""
    digest = hashlib.sha256()
    path = Path(path)
    if path.is_file():
        try:
            digest.update(path.read_bytes())
        except OSError as exc:
            digest.update(f"unreadable: {exc.errno}".encode())
        return digest.hexdigest()
    for item in sorted(path.rglob("*")):
        if (item.is_file() and not item.is_symlink() and "__pycache__" not in item.parts
                and not any(item.match(pattern) for pattern in skip)):
            try:
                data = item.read_bytes()
            except OSError as exc:  # grading says what is wrong with it; the plan goes on
                data = f"unreadable: {exc.errno}".encode()
            digest.update(os.fsencode(item.relative_to(path)) + b"\0" + data + b"\0")
    return digest.hexdigest()


def _not_graded(pset: ProblemSet, source: Path, message: str) -> Result:
    return Result(pset=pset.id, submission=submission_name(source), source=str(source),
                  status="not_graded", score=0.0, max_score=pset.max_score, output=message,
                  environment=environment(), graded_at=_now())


def environment() -> dict:
    """Where the grading ran, for the record."""
    versions = {}
    for package in ("numpy", "sympy", "torch", "pytest"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "autograder": autograder.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "sandbox_layers": host_confinement().layers,
    }


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
