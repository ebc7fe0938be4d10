"""The parent's handle on one sandboxed child: start it, call into it with a deadline, kill it.

Owns the process lifecycle and the OS limits on the child. Never trusts the child: replies are
decoded by ``wire`` (data only), any protocol violation or end of stream fails the call, and the
whole process group is killed on timeout. It does not decide scores.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.sandbox import errors, zygote
from autograder.sandbox.confine import (
    cpu_cgroup,
    gpu_devices,
    host_confinement,
    kill_uid,
    prepare_workdir,
    remove_cgroup,
    sandbox_uid,
    wrap_argv,
)
from autograder.sandbox.limits import ENGINE_ROOT, child_environment, child_limits
from autograder.sandbox.oracle import MAX_ARGUMENT_BYTES, Oracle, OracleRefused
from autograder.sandbox.oracle import error_reply as oracle_error
from autograder.sandbox.wire import (
    MAX_MESSAGE_BYTES,
    EncodeError,
    Values,
    WireError,
    decode,
    encode,
    pack_oracle_answer,
    recv_message,
    send_message,
    wait_readable,
)

# The child imports the very engine the parent runs (the folder bubblewrap binds), not whatever
# the interpreter's import path would find.
_BOOT = ("import sys; sys.path.insert(0, sys.argv[3]); from autograder.sandbox.child import serve; "
         "serve(int(sys.argv[1]), sys.argv[2])")
_OUTPUT_TAIL = 2000
_START_TIMEOUT = 30.0
DEFAULT_MEMORY = 4 << 30
_SLOTS = itertools.count()
log = logging.getLogger("autograder.sandbox")


class SandboxedProcess:
    """One child process serving one submission directory. Restarts itself after a crash."""

    def __init__(self, submission_dir: Path, *, banned: tuple[str, ...] = (),
                 allowed: tuple[str, ...] = (), memory_bytes: int | None = DEFAULT_MEMORY,
                 preload: tuple[str, ...] = (), trusted: bool = False):
        self.submission_dir = Path(submission_dir).resolve()
        self.trusted = trusted  # runs only the grader's own code (e.g. timing baselines)
        self._slot = next(_SLOTS) % 16  # uids of its own: killing its leftovers never hits another child
        self._cgroup: Path | None = None  # its CPU-accounting cgroup, where the host has one
        self.memory_bytes = memory_bytes
        self.confinement = host_confinement()
        self._uid: int | None = None
        self.banned, self.allowed = list(banned), list(allowed)
        self.preload = list(preload)
        self.tripped: set[str] = set()  # banned names the child's tripwire saw used
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._ids = itertools.count(1)
        self._output = tempfile.TemporaryFile()
        self.starts = 0
        self.max_reply_bytes = MAX_MESSAGE_BYTES // 2  # a reply past it breaks the call, unparsed
        self._drivers_sent: dict[str, str] = {}  # driver name -> digest of the source this child has
        self.warm = False  # whether the running child was forked from a template (sandbox.zygote)
        self._cold_only = False  # set when a warm start of this child failed

    # ------------------------------------------------------------------ lifecycle

    def _start(self) -> None:
        parent_end, child_end = socket.socketpair()
        try:
            self._uid = sandbox_uid(self._slot * 16 + self.starts % 16)
            if self._cgroup is None:
                self._cgroup = cpu_cgroup(self._slot)
            prepare_workdir(self.submission_dir, self.confinement, self._uid)
            self._proc = self._warm_start(child_end) or self._cold_start(child_end)
        finally:
            child_end.close()
        self._sock = parent_end
        self._drivers_sent = {}
        self.starts += 1
        # The interpreter's own start-up is not the student's time: wait for a first answer.
        try:
            self._request({"op": "ping"}, [], _START_TIMEOUT, what="starting the sandbox")
        except errors.StudentCrashed:
            if not self.warm:
                raise
            # This child only starts cold: if that fails too, the cause was not the template.
            log.warning("sandbox: a warm child did not start (%s); starting it cold",
                        self.output_tail(300).strip() or "no answer")
            self._cold_only = True
            self.starts -= 1  # one start, made cold
            self._start()
            return
        if self.preload:  # e.g. torch: seconds of imports that no student call should pay for
            self._request({"op": "preload", "modules": self.preload}, [], _START_TIMEOUT,
                          what="importing " + ", ".join(self.preload))
        if self.banned:
            self._request({"op": "arm", "banned": self.banned, "allowed": self.allowed}, [],
                          _START_TIMEOUT, what="arming the tripwire")

    def _warm_start(self, child_end: socket.socket):
        """A child forked from this process's template (``sandbox.zygote``), or None where warm
        starts are not available: every confinement layer, a cgroup and a working copy under the
        temporary folder are needed."""
        self.warm = False
        c = self.confinement
        if self._cold_only or not (
                zygote.warm_start_enabled() and c.bubblewrap and c.drop_uid and self._cgroup is not None
                and Path(tempfile.gettempdir()).resolve() in self.submission_dir.parents):
            return None
        template = zygote.zygote_for(tuple(self.preload))
        if template is None:
            return None
        try:
            handle = template.spawn(
                workdir=self.submission_dir, uid=self._uid, memory_bytes=self.memory_bytes,
                gpu=bool(gpu_devices()), cgroup=self._cgroup.name,
                env=child_environment(str(self.submission_dir)), channel=child_end.fileno(),
                output=self._output.fileno())
        except OSError as exc:
            zygote.disable(tuple(self.preload), str(exc))
            return None
        self.warm = True
        return handle

    def _cold_start(self, child_end: socket.socket) -> subprocess.Popen:
        """A fresh interpreter under ``confine.wrap_argv``."""
        argv = [sys.executable, "-I", "-c", _BOOT, str(child_end.fileno()), str(self.submission_dir),
                ENGINE_ROOT]
        return subprocess.Popen(
            wrap_argv(self.confinement, argv, self.submission_dir, self._uid),
            pass_fds=(child_end.fileno(),),
            close_fds=True,
            cwd=self.submission_dir,
            env=child_environment(str(self.submission_dir)),
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
            preexec_fn=functools.partial(child_limits, self.memory_bytes,
                                         self.confinement.drop_uid, bool(gpu_devices()),
                                         None if self._cgroup is None
                                         else str(self._cgroup / "cgroup.procs")),
        )

    def close(self) -> None:
        """Kill the child's whole process group and release the channel."""
        if isinstance(self._proc, zygote.WarmChild):
            kill_uid(self._uid)  # the worker and all it started; its init then reports and ends
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5.0)
            self._proc.release()
            self._proc = None
        elif self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._proc.wait()
            self._proc = None
        if self.confinement.drop_uid and self._uid is not None:
            kill_uid(self._uid)  # whatever escaped the process group (a fork bomb's children)
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> SandboxedProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
        self._output.close()
        remove_cgroup(self._cgroup)
        self._cgroup = None

    def output_tail(self, limit: int = _OUTPUT_TAIL) -> str:
        """The last ``limit`` characters the student's code printed (stdout and stderr)."""
        self._output.flush()
        size = self._output.seek(0, os.SEEK_END)
        self._output.seek(max(0, size - limit))
        return self._output.read().decode("utf-8", "replace")

    # ------------------------------------------------------------------ calls

    def get(self, module: str, name: str, *, timeout: float) -> tuple[bool, object]:
        """Read ``module.name``: ``(True, None)`` for a callable, ``(False, value)`` otherwise."""
        reply, blobs = self._request({"op": "get", "module": module, "name": name}, [], timeout,
                                     what=f"importing {module}.py")
        if reply.get("callable") is True:
            return True, None
        return False, self._decode(reply, blobs)

    def call(self, module: str, name: str, args: tuple, kwargs: dict, *, timeout: float):
        """Call ``module.name(*args, **kwargs)`` in the child and return the decoded value.
        ``Oracle`` arguments reach the child as proxies whose calls are served (and counted) here."""
        request = {"op": "call", "module": module, "name": name}
        return self._call_with(request, args, kwargs, timeout, f"{name}(...)")

    def drive(self, driver: str, source: str, name: str, args: tuple, kwargs: dict, *,
              timeout: float):
        """Run function ``name`` of the driver ``driver`` (its Python ``source``) in the child.
        The source crosses once per child; later requests name it by its digest."""
        if self._proc is None:
            self._start()
        digest = _digest(source)
        known = self._drivers_sent.get(driver) == digest
        self._drivers_sent[driver] = digest
        request = {"op": "driver", "driver": driver, "digest": digest, "name": name,
                   "source": None if known else source}
        return self._call_with(request, args, kwargs, timeout, f"{name}(...)")

    def _call_with(self, request: dict, args: tuple, kwargs: dict, timeout: float, what: str):
        blobs: list[bytes] = []
        oracles: list[Oracle] = []
        try:
            request = dict(request, args=encode(list(args), blobs, oracles=oracles),
                           kwargs=encode(dict(kwargs), blobs, oracles=oracles))
        except EncodeError as exc:
            raise TypeError(f"check passes an argument that cannot be sent: {exc}") from None
        reply, reply_blobs = self._request(request, blobs, timeout, what=what, oracles=oracles)
        return self._decode(reply, reply_blobs)

    @property
    def alive(self) -> bool:
        """Whether the child is started (a call starts it when it is not)."""
        return self._proc is not None

    @property
    def exact_cpu(self) -> bool:
        """Whether ``cpu_ns`` counts every process the child ever started to the nanosecond (a
        cgroup), or only what /proc still shows (processes reaped in between lose their last tick)."""
        return self._cgroup is not None

    def cpu_ns(self) -> int | None:
        """CPU time (every thread, user and system) used so far by the child and every process below
        it, in nanoseconds, read by the parent where the child cannot fake it: its cgroup's
        ``cpuacct.usage`` (every process ever in it), or else /proc (the scheduler's count per
        thread, plus what reaped children left in their parent's count); None without a child."""
        if self._proc is None:
            return None
        if self._cgroup is not None:
            try:
                return int((self._cgroup / "cpuacct.usage").read_text())
            except (OSError, ValueError):
                pass
        return None if self._proc.pid is None else tree_cpu_ns(self._proc.pid)

    def _request(self, request: dict, blobs: list[bytes], timeout: float, what: str,
                 oracles: list[Oracle] = ()):
        if self._proc is None:
            self._start()
        request_id = next(self._ids)
        limit = _CallLimit(self, timeout)
        try:
            send_message(self._sock, dict(request, id=request_id), blobs)
            limit.wait_for_reply(self._sock)
            reply, reply_blobs = recv_message(self._sock, limit.backstop, max_bytes=self.max_reply_bytes)
            while reply.get("op") == "oracle":  # the student's code calls an oracle: served here
                self._serve_oracle(reply, reply_blobs, request_id, oracles)
                limit.wait_for_reply(self._sock)
                reply, reply_blobs = recv_message(self._sock, limit.backstop, max_bytes=self.max_reply_bytes)
        except TimeoutError:
            self.close()
            raise errors.StudentTimeout(
                f"{what} did not finish within {timeout:g} s (look for an infinite loop or an "
                f"algorithm of the wrong complexity)") from None
        except (EOFError, OSError, WireError) as exc:
            code = self._exit_code()
            self.close()
            if isinstance(exc, WireError):
                raise errors.StudentCrashed(f"the submission broke the grader's channel during "
                                            f"{what}: {exc}") from None
            raise errors.StudentCrashed(
                f"the submission's process ended during {what} ({_describe_exit(code)}); "
                f"do not call exit()/os._exit() and avoid crashing the interpreter") from None
        if reply.get("id") != request_id:
            self.close()
            raise errors.StudentCrashed(f"the submission sent an unexpected reply during {what}")
        tripped = reply.get("tripped")
        if type(tripped) is list:
            self.tripped.update(str(t)[:200] for t in tripped[:100])
        if reply.get("ok") is not True:
            raise _error_from_reply(reply.get("error"), what)
        return reply, reply_blobs

    def _serve_oracle(self, message: dict, blobs: list[bytes], request_id: int,
                      oracles: list[Oracle]) -> None:
        """Answer one oracle call of the running request; a malformed one breaks the channel."""
        handle, member = message.get("handle"), message.get("member")
        if message.get("call") != request_id or type(handle) is not int or type(member) is not str:
            raise WireError("an oracle call that belongs to no running call")
        if not 0 <= handle < len(oracles):
            raise WireError("an oracle call to an object this call did not pass")
        if type(blobs) is Values:  # a compact call: its values are decoded and checked already
            args, kwargs = list(blobs), {}
        else:
            if sum(map(len, blobs)) > MAX_ARGUMENT_BYTES:
                raise WireError("an oracle call with arguments over the size limit")
            args = decode(message.get("args", []), blobs)
            kwargs = decode(message.get("kwargs", {"$": "dict", "v": {}}), blobs)
            if type(args) is not list or type(kwargs) is not dict:
                raise WireError("an oracle call with malformed arguments")
        reply_blobs: list[bytes] = []
        frame = None
        try:
            value = oracles[handle].serve(member, args, kwargs)
            frame = pack_oracle_answer(value)  # an int, a float or a float64 array: one packed frame
            if frame is None:
                reply = {"op": "oracle_reply", "ok": True, "value": encode(value, reply_blobs)}
        except OracleRefused as exc:
            reply_blobs.clear()
            reply = {"op": "oracle_reply", "ok": False, "type": "AttributeError", "message": str(exc)}
        except Exception as exc:  # noqa: BLE001 - the target refusing the student's arguments
            reply_blobs.clear()
            reply = oracle_error(exc)
        if frame is not None:
            self._sock.sendall(frame)
        else:
            send_message(self._sock, reply, reply_blobs)

    @staticmethod
    def _decode(reply: dict, blobs: list[bytes]):
        try:
            return decode(reply.get("value"), blobs)
        except WireError as exc:
            raise errors.BadValue(f"the submission returned malformed data: {exc}") from None

    def _exit_code(self) -> int | None:
        try:
            return self._proc.wait(timeout=1.0) if self._proc else None
        except subprocess.TimeoutExpired:
            return None


WALL_BACKSTOP = 4.0  # a call may take this many times its limit in wall time while starved of CPU


class _CallLimit:
    """A call's time limit, counted in the child's CPU time where the grader can read it: on a
    machine whose cores are busy, honest code waits for a core without losing its call. The limit
    expires when the child has used ``timeout`` seconds of CPU since the call began, or, whatever it
    used, after ``WALL_BACKSTOP`` times ``timeout`` of wall time (code that sleeps or blocks)."""

    def __init__(self, process: SandboxedProcess, timeout: float):
        self._process = process
        self._timeout_ns = int(timeout * 1e9)
        now = time.monotonic()
        self._deadline = now + timeout
        self.backstop = now + WALL_BACKSTOP * timeout
        self._cpu0 = process.cpu_ns() if process.alive else None

    def wait_for_reply(self, sock: socket.socket) -> None:
        """Return when the child has something to say; ``TimeoutError`` when the limit is spent."""
        while True:
            now = time.monotonic()
            if now >= self.backstop:
                raise TimeoutError
            until = min(self._deadline, self.backstop)
            if until > now and wait_readable(sock, until - now):
                return
            if time.monotonic() < until:
                continue  # woken early (a signal): wait again
            if time.monotonic() >= self.backstop:
                raise TimeoutError
            used = None if self._cpu0 is None else (self._process.cpu_ns() or 0) - self._cpu0
            if used is None or used >= self._timeout_ns:
                raise TimeoutError
            # Starved of CPU: wait for the CPU it has left, at most until the backstop.
            self._deadline = time.monotonic() + max(self._timeout_ns - used, 10_000_000) / 1e9


@functools.lru_cache(maxsize=32)
def _digest(source: str) -> str:
    """A driver's digest, computed once per source (the timing harness is sent on every phase)."""
    return hashlib.sha256(source.encode()).hexdigest()


def tree_cpu_ns(root: int) -> int | None:
    """CPU nanoseconds of process ``root`` and all its descendants (see ``SandboxedProcess.cpu_ns``)."""
    tick = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    reaped: dict[int, int] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)  # field 4: ppid
        reaped[pid] = (int(fields[13]) + int(fields[14])) * tick  # cutime + cstime
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += reaped.get(pid, 0) + _threads_cpu_ns(pid)
        todo.extend(children.get(pid, []))
    return total


def _threads_cpu_ns(pid: int) -> int:
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat", "rb") as f:
                total += int(f.read().split()[0])  # ns on the CPU, counted by the scheduler
        except (OSError, ValueError, IndexError):
            continue
    return total


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if 128 < code < 128 + signal.NSIG:  # bubblewrap (like a shell) reports a killing signal as 128+n
        code = 128 - code
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _error_from_reply(error, what: str) -> errors.StudentError:
    if type(error) is not dict:
        return errors.StudentCrashed(f"the submission sent a malformed error during {what}")
    kind = error.get("kind")
    message = str(error.get("message", ""))
    detail = str(error.get("traceback", ""))
    if kind == "missing":
        return errors.MissingName(message)
    if kind == "bad_value":
        return errors.BadValue(f"{message}; return plain data (int, float, str, list, tuple, dict, "
                               f"numpy array, torch tensor, sympy expression)")
    type_name = str(error.get("type", "Exception"))
    where = str(error.get("where", ""))
    located = f" ({where})" if where else ""
    if kind == "import":
        return errors.ImportFailed(f"the module could not be imported: {type_name}: {message}"
                                   f"{located}", detail=detail)
    if kind == "exception":
        names = error.get("types")
        names = [str(n) for n in names] if type(names) is list else []
        return errors.StudentException(f"{what} raised {type_name}: {message}{located}",
                                       type_names=names, detail=detail, where=where)
    return errors.StudentCrashed(f"the submission broke the grader's protocol during {what}: "
                                 f"{message}")
