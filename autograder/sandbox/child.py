"""The untrusted side: imports the student's modules and answers the parent's calls with data.

Runs in a separate process started by ``SandboxedProcess``. Everything here may be subverted by the
student code it hosts, so nothing here decides anything: it only relays. It must not import the
grader's checks, references or results (it never learns where they are).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import os
import signal
import socket
import sys
import traceback
import types

from autograder.sandbox import tripwire
from autograder.sandbox.wire import (
    EncodeError,
    Values,
    WireError,
    decode,
    encode,
    pack_oracle_call,
    recv_message,
    send_message,
)

_MAX_TEXT = 4000
_CHANNEL: dict = {}  # the socket and the id of the request being served, for oracle proxies


def serve(fd: int, submission_dir: str) -> None:
    sock = socket.socket(fileno=fd)
    _CHANNEL["sock"] = sock
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the output limit, writes fail (EFBIG)
    drivers: dict[str, tuple[str, types.ModuleType]] = {}
    os.chdir(submission_dir)
    sys.path.insert(0, submission_dir)
    sys.argv = ["submission"]
    failed_imports: dict[str, dict] = {}
    while True:
        try:
            request, blobs = recv_message(sock)
        except EOFError:
            return
        reply_blobs: list[bytes] = []
        _CHANNEL["id"] = request.get("id")
        try:
            if request.get("op") == "arm":
                reply = _arm(request, submission_dir)
            elif request.get("op") == "driver":
                reply = _drive(request, blobs, reply_blobs, drivers, submission_dir)
            else:
                reply = _handle(request, blobs, reply_blobs, failed_imports, submission_dir)
        except WireError as exc:
            reply = {"ok": False, "error": {"kind": "protocol", "message": str(exc)}}
        reply["id"] = request.get("id")
        if tripwire.TRIPPED:
            reply["tripped"] = sorted(set(map(str, tripwire.TRIPPED)))[:100]
        send_message(sock, reply, reply_blobs)


def _handle(request, blobs, reply_blobs, failed_imports, submission_dir) -> dict:
    if request.get("op") == "ping":
        return {"ok": True}
    if request.get("op") == "preload":
        for name in request.get("modules", []):
            try:
                importlib.import_module(str(name))
            except ImportError:
                pass  # not installed here: the calls that need it will say so
        return {"ok": True}
    module_name, name = request.get("module"), request.get("name")
    if type(module_name) is not str or type(name) is not str:
        raise WireError("request needs a module and a name")
    if module_name in failed_imports:
        return {"ok": False, "error": failed_imports[module_name]}
    try:
        module = _import_student(module_name, submission_dir)
    except BaseException as exc:  # noqa: BLE001 - a student module may raise anything, SystemExit too
        error = _describe(exc, submission_dir, kind="import")
        if isinstance(exc, ModuleNotFoundError) and exc.name == module_name:
            error = {"kind": "missing", "message": f"{module_name}.py is not in the submission"}
        failed_imports[module_name] = error
        return {"ok": False, "error": error}
    if not hasattr(module, name):
        return {"ok": False, "error": {"kind": "missing",
                                       "message": f"{module_name}.py does not define {name}"}}
    target = getattr(module, name)
    op = request.get("op")
    if op == "get":
        if callable(target):
            return {"ok": True, "callable": True}
        return _reply_value(target, reply_blobs, f"{module_name}.{name}")
    if op == "call":
        args, kwargs = _arguments(request, blobs)
        try:
            value = target(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - report every failure of student code
            return {"ok": False, "error": _describe(exc, submission_dir, kind="exception")}
        return _reply_value(value, reply_blobs, f"{name}(...)")
    raise WireError(f"unknown operation {op!r}")


def _import_student(name: str, submission_dir: str) -> types.ModuleType:
    """The submission's module ``name``, loaded from its own file, never one the import path finds
    elsewhere: without a trace.py, Python's own ``trace`` would answer; a time.py would lose to the
    built-in ``time``."""
    if "." in name:
        return importlib.import_module(name)
    base = os.path.join(submission_dir, name)
    path = next((p for p in (base + ".py", os.path.join(base, "__init__.py")) if os.path.isfile(p)), None)
    if path is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__file__", None) == path:
        return loaded
    package = [base] if path.endswith("__init__.py") else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=package)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # the student's, for its siblings' imports too
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        if loaded is not None:
            sys.modules[name] = loaded
        raise
    return module


def _arm(request, submission_dir: str) -> dict:
    banned, allowed = request.get("banned"), request.get("allowed")
    if type(banned) is not list or type(allowed) is not list:
        raise WireError("arm needs banned and allowed lists")
    wrapped = tripwire.arm([str(b) for b in banned], [str(a) for a in allowed], submission_dir)
    return {"ok": True, "wrapped": wrapped}


def _drive(request, blobs, reply_blobs, drivers, submission_dir) -> dict:
    """Run a function of a driver: trusted harness code, sent as source by the parent, that
    exercises stateful student objects (a module, an optimizer) here and returns plain data."""
    driver, name, source = request.get("driver"), request.get("name"), request.get("source")
    digest = request.get("digest")
    if not all(type(v) is str for v in (driver, name, digest)) or type(source) not in (str, type(None)):
        raise WireError("a driver request needs a driver, a name, a digest and maybe a source")
    args, kwargs = _arguments(request, blobs)
    try:
        cached = drivers.get(driver)
        if cached is None or cached[0] != digest:  # the parent sends a source once per digest
            if source is None:
                raise WireError(f"driver {driver} was never sent")
            module = types.ModuleType(f"autograder_driver_{driver}")
            exec(compile(source, f"<driver {driver}>", "exec"), module.__dict__)  # noqa: S102
            drivers[driver] = cached = (digest, module)
        value = getattr(cached[1], name)(*args, **kwargs)
    except ModuleNotFoundError as exc:
        return {"ok": False, "error": {"kind": "missing",
                                       "message": f"{exc.name}.py is not in the submission"}}
    except BaseException as exc:  # noqa: BLE001 - the student's code under the driver may raise anything
        return {"ok": False, "error": _describe(exc, submission_dir, kind="exception")}
    return _reply_value(value, reply_blobs, f"{name}(...)")


def _arguments(request, blobs) -> tuple[list, dict]:
    args = decode(request.get("args", []), blobs, proxy=_oracle_proxy)
    kwargs = decode(request.get("kwargs", {"$": "dict", "v": {}}), blobs, proxy=_oracle_proxy)
    if type(args) is not list or type(kwargs) is not dict:
        raise WireError("bad arguments")
    return args, kwargs


def _oracle_proxy(handle: int, name: str, methods: list, properties: list, attributes: dict):
    """The stand-in for an object the grader keeps: its methods and properties ask the grader,
    which runs them on the real object and counts them; its attributes are copies."""
    if not name.isidentifier() or not all(type(m) is str and m.isidentifier()
                                          for m in (*methods, *properties, *attributes)):
        raise WireError("bad oracle description")

    def member(member_name):
        def call(self, *args, **kwargs):
            return _ask_oracle(handle, member_name, args, kwargs)
        call.__name__ = member_name
        return call

    namespace = {"__slots__": (), "__module__": "problems",
                 "__repr__": lambda self: f"<{name}: served by the grader>"}
    namespace.update(attributes)
    namespace.update({m: member(m) for m in methods})
    namespace.update({p: property(lambda self, p=p: _ask_oracle(handle, p, (), {})) for p in properties})
    return type(name, (), namespace)()


def _ask_oracle(handle: int, member: str, args, kwargs):
    frame = pack_oracle_call(_CHANNEL.get("id"), handle, member, args, kwargs)
    if frame is not None:  # ints, floats and float64 arrays: one packed frame
        _CHANNEL["sock"].sendall(frame)
    else:
        blobs: list[bytes] = []
        try:
            message = {"op": "oracle", "call": _CHANNEL.get("id"), "handle": handle, "member": member,
                       "args": encode(list(args), blobs), "kwargs": encode(dict(kwargs), blobs)}
        except EncodeError as exc:
            raise TypeError(f"{member}: an argument cannot be sent to the grader's object: "
                            f"{exc}") from None
        send_message(_CHANNEL["sock"], message, blobs)
    reply, reply_blobs = recv_message(_CHANNEL["sock"])
    if reply.get("op") != "oracle_reply":
        raise WireError("the grader sent no answer to an oracle call")
    if type(reply_blobs) is Values:
        return reply_blobs[0]
    if reply.get("ok") is True:
        return decode(reply.get("value"), reply_blobs)
    error = getattr(builtins, str(reply.get("type")), RuntimeError)
    if not (isinstance(error, type) and issubclass(error, Exception)):
        error = RuntimeError
    raise error(str(reply.get("message", "")))


def _reply_value(value, reply_blobs, what) -> dict:
    try:
        return {"ok": True, "value": encode(value, reply_blobs)}
    except EncodeError as exc:
        reply_blobs.clear()
        return {"ok": False, "error": {"kind": "bad_value", "message": f"{what}: {exc}"}}
    except Exception as exc:  # noqa: BLE001 - a lying object may raise while being inspected
        reply_blobs.clear()
        return {"ok": False, "error": {"kind": "bad_value",
                                       "message": f"{what}: the value could not be read ({exc!r})"}}


def _describe(exc: BaseException, submission_dir: str, kind: str) -> dict:
    """Exception type (with its bases), message and the student's own frames of the traceback."""
    try:
        types = [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__]
        message = (exc.msg if isinstance(exc, SyntaxError) else str(exc))[:_MAX_TEXT]
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.startswith(submission_dir)
        ]
        if isinstance(exc, SyntaxError) and exc.filename:
            where = f"{os.path.basename(exc.filename)}, line {exc.lineno}"
        elif frames:
            where = f"{os.path.basename(frames[-1].filename)}, line {frames[-1].lineno}, " \
                    f"in {frames[-1].name}"
        else:
            where = ""
        trace = "".join(
            f"  {os.path.relpath(f.filename, submission_dir)}, line {f.lineno}, in {f.name}\n"
            f"    {f.line}\n" for f in frames[-5:]
        )
        return {"kind": kind, "types": types, "type": type(exc).__qualname__, "message": message,
                "where": where, "traceback": trace[:_MAX_TEXT]}
    except Exception:  # noqa: BLE001 - a hostile exception object
        return {"kind": kind, "types": [], "type": "?", "message": "(unreadable exception)",
                "where": "", "traceback": ""}


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
