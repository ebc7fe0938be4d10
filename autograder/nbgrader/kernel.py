"""Inside the notebook's kernel: the ``%%autograder_checks`` cell magic and an in-kernel ``student``.

Only public checks run here. This is nbgrader's model, kept for them: the check cells of an
exported notebook run in the same Python process as the student's code, which can therefore patch
anything here (that is why ``autograder grade`` grades the same notebook in the sandbox). So
nothing here holds or receives hidden material: hidden check cells are placeholders (their plan
names a problem, a file and points, nothing more) that score 0 in a kernel; the ``reference``
fixture refuses (no reference root); the seeds a cell carries are its public checks' own. What this
module does is run the public checks as a grading run does, with the kernel's globals as the
student, so that their verdicts agree with the sandbox's for honest code:

- pytest runs the cell (``run_checks``): the grader's arguments, markers, fixtures (``given``,
  ``feedback``, ...), recorder and ``classify``, on the cell's text as its file at its place in the
  problem set, so node ids, parametrized cases and seeds are the grader's;
- ``student.<module>.<name>`` reads the kernel's globals (functions live there, not in modules);
  arguments and results cross through the sandbox's wire codec, so a check sees the same plain data
  (a Python ``int`` for a numpy int, copies, no subclasses) as in a grading run, and an ``Oracle``
  as the same kind of stand-in;
- each call has the check's time limit, of the kernel's CPU time as in the sandbox (``ITIMER_PROF``:
  other work on a busy machine does not use it up; a call that waits instead of computing is
  stopped at ``WAIT_FACTOR`` times the limit of wall time), and exceptions become the same
  ``StudentError``s;
- the cell is scored by the grader's ``share_points`` (the cell as one problem worth its points: a
  skipped check's share goes to the cell's other checks).

A check cell's value is its score (nbgrader's partial credit); what the checks print goes to stdout,
never stderr (stderr would make nbgrader score the cell zero).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import signal
import sys
import threading
import traceback
import types
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.context import GradingContext
from autograder.grading.grade import run_checks as run_pytest
from autograder.grading.outcome import CheckOutcome, share_points
from autograder.grading.recorder import CheckRecorder
from autograder.nbgrader.plan import PlanRow, parse_plan
from autograder.notebook import CHECKS_MAGIC
from autograder.problemset import MANIFEST, Problem, ProblemSet, ProblemSetError, load_problem_set
from autograder.sandbox import errors
from autograder.sandbox.oracle import Oracle, error_reply
from autograder.sandbox.process import WALL_BACKSTOP
from autograder.sandbox.wire import EncodeError, decode, encode
from autograder.status import Status

# A call is stopped after this many times its limit of wall time, whatever its CPU time: the
# sandbox's own backstop, so a kernel and the grader allow the same.
WAIT_FACTOR = WALL_BACKSTOP
_ENGINE = str(Path(__file__).resolve().parents[1])


def load_ipython_extension(ipython) -> None:
    """``%load_ext autograder.nbgrader.kernel``: registers the ``%%autograder_checks`` magic."""
    ipython.register_magic_function(_checks_magic, magic_kind="cell", magic_name="autograder_checks")


def setup(modules: list[str] | tuple[str, ...] = (), *, ipython=None) -> None:
    """The notebook's setup cell: the magic, and each answer cell importable as its module
    (``import <module>`` in another cell or in a driver reads this kernel's globals)."""
    ipython = ipython or _ipython()
    load_ipython_extension(ipython)
    for module in modules:
        sys.modules[module] = NotebookModule(module, ipython.user_ns)


def _ipython():
    from IPython import get_ipython

    ipython = get_ipython()
    if ipython is None:
        raise RuntimeError("the autograder's check cells run in a Jupyter kernel")
    return ipython


def _checks_magic(line: str, cell: str):
    return run_checks(line.strip(), cell, _ipython().user_ns)


class NotebookModule(types.ModuleType):
    """A module whose attributes are the notebook's globals."""

    def __init__(self, name: str, namespace: dict):
        super().__init__(name, f"the notebook's answer cell for {name}")
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name: str):
        namespace = object.__getattribute__(self, "_namespace")
        if name.startswith("__") or name not in namespace:
            raise AttributeError(f"{self.__name__} (the notebook) has no {name!r}")
        return namespace[name]


# ---------------------------------------------------------------------------- running a cell


def run_checks(path: str, source: str, namespace: dict) -> float:
    """Run the checks a cell defines on the notebook's ``namespace``; return the cell's score.

    pytest runs them, as in a grading run (``grading.grade.run_checks``: the same arguments,
    fixtures and markers, the grader's recorder classifying each outcome), on the cell's text as
    its file (``_cell_file``). Only ``student`` differs: the notebook's globals (``KernelStudent``);
    and ``rng`` is seeded from the plan. The plan's checks are the ones run; a sandbox-only one
    keeps its share and earns 0."""
    plan = parse_plan(f"{CHECKS_MAGIC}\n{source}")
    if plan is None or "checks" not in plan:  # a hidden check cell's placeholder
        print("Hidden checks: they are not in this notebook. `autograder grade` runs them in its "
              "sandbox when your notebook is graded and records their points; 0 here.")
        return 0.0
    rows = {row.nodeid: row for row in map(PlanRow.of, plan["checks"])}
    cell_points = float(plan.get("points", sum(r.points for r in rows.values())))
    cell = _cell_as_problem_set(plan, cell_points)
    here = _released_problem_set() or cell
    sandbox_only = set(plan.get("sandbox_only", ()))
    recorder = CheckRecorder(GradingContext(pset=here, submission_dir=Path.cwd()))
    kernel = _KernelPlugin(namespace, rows, sandbox_only)
    with _cell_file(plan.get("file") or path, source) as file:
        log = run_pytest([file], Path.cwd(), [recorder, kernel])
    outcomes = []
    for nodeid, row in rows.items():
        outcome = recorder.outcomes.get(nodeid) or _missing(plan, nodeid, recorder, log)
        if nodeid in sandbox_only:  # e.g. timing: measured only where the student's code is isolated
            outcome.status, outcome.inconclusive = Status.ERROR, True
            outcome.message = ("judged only by `autograder grade` (in its sandbox), which records "
                               "its points in the gradebook; 0 here")
        outcome.weight = row.points  # the plan's points are the check's share of the cell
        outcomes.append(outcome)
    tests, (score,) = share_points(cell, outcomes)
    for test, outcome in zip(tests, outcomes, strict=True):
        print(f"{test.status.mark} {test.status:<7} {test.name}  ({test.score:g}/{test.max_score:g})")
        for text in (outcome.message, outcome.grader_error):
            for line in (text or "").strip().splitlines():
                print(f"      {line}")
        student = kernel.students.get(test.nodeid)
        output = student.output.strip() if student is not None else ""
        if output and test.status != Status.PASSED:
            print("      your code printed:", output[-500:].replace("\n", "\n      "))
    print(f"{score.score:g} of {cell_points:g} points")
    return score.score


def _released_problem_set() -> ProblemSet | None:
    """The released manifest beside the notebook (the export writes it there), if readable: the
    ``given`` fixture imports the given files it names from this folder."""
    try:
        return load_problem_set(Path.cwd()) if (Path.cwd() / MANIFEST).is_file() else None
    except ProblemSetError:
        return None


@contextlib.contextmanager
def _cell_file(file: str, source: str):
    """The cell as its check file, at its place in the problem set under the notebook's folder
    (``checks/public/test_x.py``), for the run: node ids, seeds and parametrized cases are then the
    grader's, and the public checks' helper modules, which the export puts there, import from beside
    it. Whatever was at that path before is put back afterwards."""
    relative = Path(file)
    if relative.is_absolute() or ".." in relative.parts or relative.suffix != ".py":
        relative = Path("checks") / "test_cell.py"
    path = Path.cwd() / relative
    before = path.read_bytes() if path.is_file() else None
    made = [p for p in reversed(path.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    try:
        yield path
    finally:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(before)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()


def _missing(plan: dict, nodeid: str, recorder: CheckRecorder, log: str) -> CheckOutcome:
    """A check of the plan that pytest did not collect from the cell."""
    why = "; ".join(recorder.collection_errors) or log.strip()[-1000:]
    return CheckOutcome(nodeid=nodeid, name=nodeid.partition("::")[2] or nodeid,
                        problem=plan.get("problem", ""), weight=1.0,
                        visibility=plan.get("visibility", "visible"), status=Status.ERROR,
                        message="the check is missing from its cell (was the cell edited?)",
                        grader_error=why)


def _cell_as_problem_set(plan: dict, points: float) -> ProblemSet:
    """The cell as the one problem ``share_points`` shares: worth the cell's points. A kernel knows
    only its cell's checks, so a skipped check's share goes to the cell's other checks (the grader
    shares it among all the problem's checks, hidden ones too)."""
    problem = Problem(id=plan.get("problem", ""), title=plan.get("problem", ""), module="",
                      points=points)
    return ProblemSet(id=plan.get("pset", ""), title=plan.get("pset", ""), root=Path.cwd(),
                      problems=(problem,))


class _KernelPlugin:
    """The kernel's part of the pytest run: only the plan's checks (less the sandbox-only ones),
    the kernel's ``student`` (one per check: what the student's code printed) and the plan's seeds."""

    def __init__(self, namespace: dict, rows: dict[str, PlanRow], sandbox_only: set[str]):
        self.namespace = namespace
        self.rows = rows
        self.sandbox_only = sandbox_only
        self.students: dict[str, KernelStudent] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        # Registered now, after the checks' plugin: fixtures of a later plugin override its own.
        config.pluginmanager.register(_KernelFixtures(self), "autograder-kernel-fixtures")

    @pytest.hookimpl(trylast=True)  # after the recorder has described every check collected
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        items[:] = [i for i in items if i.nodeid in self.rows and i.nodeid not in self.sandbox_only]


class _KernelFixtures:
    def __init__(self, run: _KernelPlugin):
        self.run = run

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> KernelStudent:
        """The notebook's globals as ``student.<module>.<name>``, each call under its time limit."""
        student = KernelStudent(self.run.namespace, self.run.rows[request.node.nodeid].timeout)
        self.run.students[request.node.nodeid] = student
        return student

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """Seeded as the grader seeds this public check (the plan carries the seed)."""
        return np.random.default_rng(self.run.rows[request.node.nodeid].seed)


# ---------------------------------------------------------------------------- the in-kernel student


class KernelStudent:
    """``student.<module>.<name>``: the notebook's global ``name`` (the module only names it)."""

    def __init__(self, namespace: dict, timeout: float):
        self._namespace = namespace
        self._timeout = timeout
        self._output = io.StringIO()  # what the student's code printed in its calls

    def __getattr__(self, module: str) -> KernelModule:
        if module.startswith("_"):
            raise AttributeError(module)
        return KernelModule(self._namespace, module, self._timeout, self._output)

    def driver(self, name: str) -> KernelDriver:
        """A driver of the problem set (released next to the notebook as ``drivers/<name>.py``)."""
        path = Path("drivers") / f"{name}.py"
        if not path.is_file():
            raise FileNotFoundError(f"no driver {path.resolve()}")
        module = types.ModuleType(f"autograder_driver_{name}")
        exec(compile(path.read_text(), str(path), "exec"), module.__dict__)  # noqa: S102
        return KernelDriver(module, self._timeout, self._output)

    @property
    def output(self) -> str:
        return self._output.getvalue()[-4000:]


class KernelModule:
    def __init__(self, namespace: dict, module: str, timeout: float, output: io.StringIO):
        self._namespace = namespace
        self._module = module
        self._timeout = timeout
        self._output = output

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._namespace:
            raise errors.MissingName(f"{self._module}.{name} is not defined in the notebook: write it "
                                     f"in the answer cell of {self._module} and run that cell")
        target = self._namespace[name]
        if callable(target):
            return KernelFunction(target, name, self._timeout, self._output)
        return _cross(target, f"{self._module}.{name}")


class KernelFunction:
    def __init__(self, target, name: str, timeout: float, output: io.StringIO):
        self._target = target
        self.__name__ = name
        self._timeout = timeout
        self._output = output

    def __call__(self, *args, **kwargs):
        return _call(self._target, self.__name__, args, kwargs, self._timeout, self._output)


class KernelDriver:
    def __init__(self, module: types.ModuleType, timeout: float, output: io.StringIO):
        self._module = module
        self._timeout = timeout
        self._output = output

    def __getattr__(self, function: str):
        if function.startswith("_"):
            raise AttributeError(function)
        target = getattr(self._module, function)
        return lambda *args, **kwargs: _call(target, function, args, kwargs, self._timeout,
                                             self._output)


def _call(target, name: str, args: tuple, kwargs: dict, timeout: float,
          output: io.StringIO | None = None):
    """One call into the student's code: arguments and result through the wire codec, under the
    time limit, what it prints into ``output``, its exceptions as the sandbox's ``StudentError``s."""
    what = f"{name}(...)"
    blobs: list[bytes] = []
    oracles: list[Oracle] = []
    try:
        sent = encode([list(args), dict(kwargs)], blobs, oracles=oracles)
    except EncodeError as exc:
        raise TypeError(f"check passes an argument that cannot be sent: {exc}") from None
    args, kwargs = decode(sent, blobs, proxy=lambda handle, *described: _oracle_proxy(
        oracles[handle], *described))
    try:
        printed = output if output is not None else io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), \
                _deadline(timeout):
            value = target(*args, **kwargs)
    except _CallTimeout as stopped:
        used = (f"{timeout:g} s of CPU time" if stopped.args == ("cpu",)
                else f"{timeout * WAIT_FACTOR:g} s (it waited instead of computing)")
        raise errors.StudentTimeout(
            f"{what} did not finish within {used} (look for an infinite loop or an "
            f"algorithm of the wrong complexity)") from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything, SystemExit too
        raise _student_exception(exc, what) from None
    return _cross(value, what)


def _oracle_proxy(oracle: Oracle, name: str, methods: list, properties: list, attributes: dict):
    """What the student's code gets for an ``Oracle``, as from the sandbox: its ``attributes``
    (copies), and its methods and properties served, and counted, by ``oracle.serve``, values
    crossing the wire codec both ways; an error keeps a built-in exception's type, anything else is
    a RuntimeError (``oracle.error_reply``)."""
    return type(name, (_OracleStandIn,), {"__module__": "problems"})(oracle, set(methods),
                                                                      set(properties), attributes)


class _OracleStandIn:
    def __init__(self, oracle: Oracle, methods: set[str], properties: set[str], attributes: dict):
        object.__setattr__(self, "_served", (oracle, methods, properties, attributes))

    def __getattr__(self, member: str):
        oracle, methods, properties, attributes = object.__getattribute__(self, "_served")
        if member in attributes:
            return attributes[member]
        if member in properties:
            return self._ask(member, (), {})
        if member in methods:
            return lambda *args, **kwargs: self._ask(member, args, kwargs)
        raise AttributeError(f"{type(self).__name__} has no {member!r} for your code")

    def __call__(self, *args, **kwargs):
        if "__call__" not in object.__getattribute__(self, "_served")[1]:
            raise TypeError(f"{type(self).__name__!r} object is not callable")
        return self._ask("__call__", args, kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: served by the grader>"

    def _ask(self, member: str, args: tuple, kwargs: dict):
        oracle = object.__getattribute__(self, "_served")[0]
        what = f"{type(self).__name__}.{member}"
        args, kwargs = _cross([list(args), dict(kwargs)], what)
        try:
            value = oracle.serve(member, args, kwargs)
        except Exception as exc:  # noqa: BLE001 - the sandbox's rule for what crosses back
            reply = error_reply(exc)
            raise getattr(builtins, reply["type"], RuntimeError)(reply["message"]) from None
        return _cross(value, what)


def _cross(value, what: str):
    """What the value becomes on its way out of the sandbox: plain data, copied."""
    blobs: list[bytes] = []
    try:
        data = encode(value, blobs)
    except EncodeError as exc:
        raise errors.BadValue(f"{what}: {exc}; return plain data (int, float, str, list, tuple, "
                              f"dict, numpy array, torch tensor, sympy expression)") from None
    except Exception as exc:  # noqa: BLE001 - a lying object may raise while being inspected
        raise errors.BadValue(f"{what}: the value could not be read ({exc!r})") from None
    return decode(data, blobs)


def _student_exception(exc: BaseException, what: str) -> errors.StudentException:
    type_names = [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__]
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(_ENGINE) and "site-packages" not in f.filename]
    where = f"line {frames[-1].lineno}, in {frames[-1].name}" if frames else ""
    detail = "".join(f"  line {f.lineno}, in {f.name}\n    {f.line}\n" for f in frames[-5:])
    located = f" ({where})" if where else ""
    return errors.StudentException(f"{what} raised {type(exc).__qualname__}: {exc}{located}",
                                   type_names=type_names, detail=detail, where=where)


class _CallTimeout(BaseException):
    """Raised by the alarm inside the student's call; not an ``Exception``, so a bare
    ``except Exception`` in student code does not swallow it. Its argument: ``cpu`` or ``wall``."""


_TIMERS = ((signal.ITIMER_PROF, signal.SIGPROF), (signal.ITIMER_REAL, signal.SIGALRM))


@contextlib.contextmanager
def _deadline(seconds: float):
    """``seconds`` of the kernel's CPU time (every thread's), or ``WAIT_FACTOR`` times as much wall
    time: a limit that a machine busy with other processes does not make honest code miss."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise _CallTimeout("cpu" if signum == signal.SIGPROF else "wall")

    previous = {signum: signal.signal(signum, expire) for _, signum in _TIMERS}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WAIT_FACTOR)
    try:
        yield
    finally:
        for timer, _ in _TIMERS:
            signal.setitimer(timer, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
