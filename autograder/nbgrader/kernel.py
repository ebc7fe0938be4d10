"""Inside the notebook's kernel: the ``%%autograder_checks`` cell magic and an in-kernel ``student``.

Only public checks run here. This is nbgrader's model, kept for them: the check cells of an
exported notebook run in the same Python process as the student's code, which can therefore patch
anything here (that is why ``autograder grade`` grades the same notebook in the sandbox). So
nothing here holds or receives hidden material: hidden check cells are placeholders (their plan
names a problem, a file and points, nothing more) that score 0 in a kernel; the ``reference``
fixture does not exist here; the seeds a cell carries are its public checks' own. What this module
does is make the public checks runnable and their verdicts agree with the sandbox's for honest code:

- ``student.<module>.<name>`` reads the kernel's globals (functions live there, not in modules);
  arguments and results cross through the sandbox's wire codec, so a check sees the same plain data
  (a Python ``int`` for a numpy int, copies, no subclasses) as in a grading run;
- each call has the check's time limit, of the kernel's CPU time as in the sandbox (``ITIMER_PROF``:
  other work on a busy machine does not use it up; a call that waits instead of computing is
  stopped at ``WAIT_FACTOR`` times the limit of wall time), exceptions become the same
  ``StudentError``s, a check's outcome is classified by the grader's own rule
  (``grading.recorder.classify``) and the cell is scored by the grader's ``share_points`` (the cell
  as one problem worth its points: a skipped check's share goes to the cell's other checks);
- ``rng`` is seeded with the grading run's seed for that public check (the cell's plan carries
  it), and parametrized checks run every case.

A check cell's value is its score (nbgrader's partial credit); what the checks print goes to stdout,
never stderr (stderr would make nbgrader score the cell zero).
"""

from __future__ import annotations

import builtins
import contextlib
import inspect
import io
import linecache
import os
import signal
import sys
import threading
import traceback
import types
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.feedback import Feedback
from autograder.grading.outcome import CheckOutcome, share_points
from autograder.grading.recorder import classify
from autograder.problemset import Problem, ProblemSet
from autograder.sandbox import errors
from autograder.sandbox.process import WALL_BACKSTOP
from autograder.sandbox.wire import EncodeError, decode, encode
from autograder.status import Status

PLAN = "__autograder__"
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


def run_checks(path: str, source: str, namespace: dict) -> float | None:
    """Run the checks a cell defines on the notebook's ``namespace``; return the cell's score."""
    filename = os.path.abspath(path) if path else "<autograder checks>"
    # The cell is the check file: inspect.getsource() in check code (workloads do) reads it here.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    scope = {"__name__": f"autograder_checks_{Path(path).stem or 'cell'}", "__file__": filename,
             "__builtins__": builtins}
    exec(compile(source, filename, "exec"), scope)  # noqa: S102 - the check code
    plan = scope.get(PLAN)
    if not isinstance(plan, dict) or "checks" not in plan:  # a hidden check cell's placeholder
        print("Hidden checks: they are not in this notebook. `autograder grade` runs them in its "
              "sandbox when your notebook is graded and records their points; 0 here.")
        return 0.0
    sandbox_only = set(plan.get("sandbox_only", ()))
    outcomes, outputs = [], {}
    for function, nodeid, points, seed, indices, timeout in plan["checks"]:
        if nodeid in sandbox_only:  # e.g. timing: measured only where the student's code is isolated
            outcome, output = _not_here(scope, plan, function, nodeid), ""
        else:
            outcome, output = _run_one(scope, plan, function, nodeid, seed, indices, timeout, namespace)
        outcome.weight = float(points)  # the plan's points are the check's share of the cell
        outcomes.append(outcome)
        outputs[nodeid] = output
    cell_points = float(plan.get("points", sum(o.weight for o in outcomes)))  # as nbgrader knows it
    tests, (cell,) = share_points(_cell_as_problem_set(plan, cell_points), outcomes)
    for test, outcome in zip(tests, outcomes, strict=True):
        print(f"{test.status.mark} {test.status:<7} {test.name}  ({test.score:g}/{test.max_score:g})")
        for text in (outcome.message, outcome.grader_error):
            for line in (text or "").strip().splitlines():
                print(f"      {line}")
        output = outputs[test.nodeid].strip()
        if output and test.status != Status.PASSED:
            print("      your code printed:", output[-500:].replace("\n", "\n      "))
    print(f"{cell.score:g} of {cell_points:g} points")
    return cell.score


def _cell_as_problem_set(plan: dict, points: float) -> ProblemSet:
    """The cell as the one problem ``share_points`` shares: worth the cell's points. A kernel knows
    only its cell's checks, so a skipped check's share goes to the cell's other checks (the grader
    shares it among all the problem's checks, hidden ones too)."""
    problem = Problem(id=plan.get("problem", ""), title=plan.get("problem", ""), module="",
                      points=points)
    return ProblemSet(id=plan.get("pset", ""), title=plan.get("pset", ""), root=Path.cwd(),
                      problems=(problem,))


def _record(scope, plan, function: str, nodeid: str) -> CheckOutcome:
    doc = (getattr(scope.get(function), "__doc__", None) or "").strip().splitlines()
    name = doc[0].strip() if doc else function
    if "[" in nodeid:
        name = f"{name} [{nodeid.split('[', 1)[1].rstrip(']')}]"
    return CheckOutcome(nodeid=nodeid, name=name, problem=plan.get("problem", ""), weight=1.0,
                       visibility=plan.get("visibility", "visible"))


def _not_here(scope, plan, function: str, nodeid: str) -> CheckOutcome:
    """A check a kernel cannot judge: it keeps its share of the cell and earns 0 here, undecided
    (as an inconclusive timing is in a grading run)."""
    record = _record(scope, plan, function, nodeid)
    record.status, record.inconclusive = Status.ERROR, True
    record.message = ("judged only by `autograder grade` (in its sandbox), which records its points "
                      "in the gradebook; 0 here")
    return record


def _run_one(scope, plan, function, nodeid, seed, indices, timeout, namespace):
    func = scope.get(function)
    record = _record(scope, plan, function, nodeid)
    output = io.StringIO()
    exc = None
    try:
        kwargs = _arguments(func, scope, plan, seed, indices, timeout, namespace, output)
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            func(**kwargs)
    except KeyboardInterrupt:
        raise
    except BaseException as caught:  # noqa: BLE001 - every outcome of a check is classified
        exc = caught
    excinfo = pytest.ExceptionInfo.from_exception(exc) if exc is not None else None
    # Public checks only (their messages show the student's own errors in full): no problem set
    # is needed to redact anything.
    classify(record, exc, excinfo, None)
    return record, output.getvalue()


def _arguments(func, scope, plan, seed, indices, timeout, namespace, output) -> dict:
    if not callable(func):
        raise RuntimeError("the check function is missing from its cell")
    params = _param_values(func, scope, indices)
    kwargs = {}
    for name in inspect.signature(func).parameters:
        if name == "student":
            kwargs[name] = KernelStudent(namespace, float(timeout), output)
        elif name == "rng":
            kwargs[name] = np.random.default_rng(int(seed))
        elif name == "reference":
            raise RuntimeError("the reference solution is only available to hidden checks, which "
                               "run in the grader's sandbox")
        elif name == "feedback":
            kwargs[name] = Feedback([])  # pictures are for the HTML report of a grading run
        elif name in params:
            kwargs[name] = params[name]
        else:
            raise RuntimeError(f"fixture {name!r} is not available in a notebook")
    return kwargs


def _param_values(func, scope, indices: dict) -> dict:
    """The arguments of one parametrized case, by pytest's own indices into each parametrize mark."""
    if not indices:
        return {}
    module_marks = scope.get("pytestmark", [])
    marks = list(getattr(func, "pytestmark", [])) + list(
        module_marks if isinstance(module_marks, list | tuple) else [module_marks])
    values = {}
    for mark in marks:
        mark = getattr(mark, "mark", mark)
        if getattr(mark, "name", None) != "parametrize":
            continue
        argnames = mark.args[0] if mark.args else mark.kwargs["argnames"]
        argvalues = mark.args[1] if len(mark.args) > 1 else mark.kwargs["argvalues"]
        names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
        index = indices.get(names[0])
        if index is None:
            continue
        case = list(argvalues)[index]
        case_values = case.values if hasattr(case, "values") and hasattr(case, "marks") else None
        if len(names) == 1:
            values[names[0]] = case_values[0] if case_values is not None else case
        else:
            values.update(zip(names, case_values if case_values is not None else case, strict=True))
    return values


# ---------------------------------------------------------------------------- the in-kernel student


class KernelStudent:
    """``student.<module>.<name>``: the notebook's global ``name`` (the module only names it)."""

    def __init__(self, namespace: dict, timeout: float, output: io.StringIO):
        self._namespace = namespace
        self._timeout = timeout
        self._output = output

    def __getattr__(self, module: str) -> KernelModule:
        if module.startswith("_"):
            raise AttributeError(module)
        return KernelModule(self._namespace, module, self._timeout)

    def driver(self, name: str) -> KernelDriver:
        """A driver of the problem set (released next to the notebook as ``drivers/<name>.py``)."""
        path = Path("drivers") / f"{name}.py"
        if not path.is_file():
            raise FileNotFoundError(f"no driver {path.resolve()}")
        module = types.ModuleType(f"autograder_driver_{name}")
        exec(compile(path.read_text(), str(path), "exec"), module.__dict__)  # noqa: S102
        return KernelDriver(module, self._timeout)

    @property
    def output(self) -> str:
        return self._output.getvalue()[-4000:]


class KernelModule:
    def __init__(self, namespace: dict, module: str, timeout: float):
        self._namespace = namespace
        self._module = module
        self._timeout = timeout

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._namespace:
            raise errors.MissingName(f"{self._module}.{name} is not defined in the notebook: write it "
                                     f"in the answer cell of {self._module} and run that cell")
        target = self._namespace[name]
        if callable(target):
            return KernelFunction(target, name, self._timeout)
        return _cross(target, f"{self._module}.{name}")


class KernelFunction:
    def __init__(self, target, name: str, timeout: float):
        self._target = target
        self.__name__ = name
        self._timeout = timeout

    def __call__(self, *args, **kwargs):
        return _call(self._target, self.__name__, args, kwargs, self._timeout)


class KernelDriver:
    def __init__(self, module: types.ModuleType, timeout: float):
        self._module = module
        self._timeout = timeout

    def __getattr__(self, function: str):
        if function.startswith("_"):
            raise AttributeError(function)
        target = getattr(self._module, function)
        return lambda *args, **kwargs: _call(target, function, args, kwargs, self._timeout)


def _call(target, name: str, args: tuple, kwargs: dict, timeout: float):
    what = f"{name}(...)"
    blobs: list[bytes] = []
    try:
        sent = encode([list(args), dict(kwargs)], blobs)
    except EncodeError as exc:
        raise TypeError(f"check passes an argument that cannot be sent: {exc}") from None
    args, kwargs = decode(sent, blobs)
    try:
        with _deadline(timeout):
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
