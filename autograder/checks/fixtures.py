"""The fixtures checks use: ``student`` (the sandboxed submission), ``timing``, ``reference`` and
``given`` (trusted modules, imported in the grading process), ``rng`` (seeded per check) and
``feedback``. They run in the trusted parent; ``checks.plugin`` hands them to pytest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.context import CONTEXT, GradingContext, check_seed, grading_context, seed_secret
from autograder.checks.feedback import FIGURES, NOTES, Feedback
from autograder.checks.student import StudentSubmission
from autograder.files import WorkFolder
from autograder.sandbox.process import SandboxedProcess
from autograder.timing.runner import Timing, trusted_child
from autograder.trusted_files import import_file

_SANDBOXES = pytest.StashKey[dict]()
_FOLDERS = pytest.StashKey[list]()


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
    for folder in request.config.stash.get(_FOLDERS, []):  # the timing baselines' child's empty folder
        folder.remove()


@pytest.fixture
def student(request: pytest.FixtureRequest, _autograder_sandboxes) -> StudentSubmission:
    """The student's submission; ``student.<module>.<name>`` runs in the sandboxed child."""
    ctx = grading_context(request)
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
    ctx = grading_context(request)
    seed = seed_secret(ctx, Path(request.node.path))
    secret = hashlib.sha256(f"{seed}\0{request.node.nodeid}".encode()).hexdigest()
    trusted = _autograder_sandboxes.get("trusted")  # one clean child for every baseline of the run
    if trusted is None:
        empty = WorkFolder("trusted")
        request.config.stash.setdefault(_FOLDERS, []).append(empty)
        trusted = _autograder_sandboxes["trusted"] = trusted_child(empty.path, ctx.pset.preload)
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


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> _TrustedModules:
    """The reference solution's modules, imported in the trusted parent (hidden checks only)."""
    ctx = grading_context(request)
    if ctx.reference_root is None:
        raise RuntimeError("the reference solution is only available to hidden checks")
    return _TrustedModules(ctx.reference_root, f"_autograder_reference_{ctx.pset.id}",
                           what="reference module")


@pytest.fixture
def given(request: pytest.FixtureRequest) -> _TrustedModules:
    """The problem set's given modules (``[[given]]``, e.g. ``given.problems``), imported in the
    trusted parent from the problem set itself, never from the submission: the objects a check wraps
    in an ``Oracle`` for the student's code."""
    pset = grading_context(request).pset
    return _TrustedModules(pset.root, f"_autograder_given_{pset.id}",
                           {Path(g).as_posix() for g in pset.given}, "[[given]] file")


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded per check: fixed for public checks, and for every other check of a grading
    run drawn from the hidden checks' secret and the submission (``seed_secret``)."""
    ctx = grading_context(request)
    return np.random.default_rng(check_seed(seed_secret(ctx, Path(request.node.path)),
                                            request.node.nodeid))


@pytest.fixture
def feedback(request: pytest.FixtureRequest) -> Feedback:
    """Attach pictures to this check's result (shown in the HTML report for visible checks)."""
    figures = request.node.stash.setdefault(FIGURES, [])
    return Feedback(figures, request.node.stash.setdefault(NOTES, []))
