"""The in-kernel student: ``student.<module>.<name>`` as a notebook's check cell sees it, the kernel's
globals behind the interface of the sandbox's ``checks.student`` (nbgrader's model: the student's code
runs in the same process as the checks).

Each call crosses the sandbox's wire codec both ways, so a check sees the same plain data as in a
grading run (a Python ``int`` for a numpy int, copies, no subclasses), and an ``Oracle`` as the same
kind of served, counted stand-in; it has the check's time limit, of the kernel's CPU time as in the
sandbox (``ITIMER_PROF``: other work on a busy machine does not use it up; a call that waits instead
of computing is stopped at ``WAIT_FACTOR`` times the limit of wall time); what the student's code
raises becomes the sandbox's ``StudentError``s; what it prints is kept (``KernelStudent.output``).
Nothing here decides a score (``kernel`` and the grader's rules do).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import signal
import threading
import traceback
import types
from pathlib import Path

from autograder.sandbox import errors
from autograder.sandbox.oracle import Oracle, error_reply
from autograder.sandbox.process import WALL_BACKSTOP
from autograder.sandbox.wire import EncodeError, decode, encode

# A call is stopped after this many times its limit of wall time, whatever its CPU time: the
# sandbox's own backstop, so a kernel and the grader allow the same.
WAIT_FACTOR = WALL_BACKSTOP
_ENGINE = str(Path(__file__).resolve().parents[1])


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
        return call(self._target, self.__name__, args, kwargs, self._timeout, self._output)


class KernelDriver:
    def __init__(self, module: types.ModuleType, timeout: float, output: io.StringIO):
        self._module = module
        self._timeout = timeout
        self._output = output

    def __getattr__(self, function: str):
        if function.startswith("_"):
            raise AttributeError(function)
        target = getattr(self._module, function)
        return lambda *args, **kwargs: call(target, function, args, kwargs, self._timeout,
                                             self._output)


def call(target, name: str, args: tuple, kwargs: dict, timeout: float,
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
