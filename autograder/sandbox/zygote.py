"""A warm start for sandboxed children: one confined template process per set of preloaded
libraries, forked for every child instead of starting an interpreter and importing torch each time.

The template (the "zygote") runs only the engine's own code: it is started under bubblewrap like a
cold child (read-only view of the interpreter, its libraries and the engine; no network; its own
PID, IPC and UTS namespaces), but keeps root's capabilities inside its namespaces so that it can
build each child's confinement after the fork. It imports the preloaded libraries once, checks
that it is still single-threaded (a fork after threads exist can copy a held lock), and then only
forks. Each spawn is three processes:

  relay   (the zygote's child) enters new mount, PID, IPC, UTS and network namespaces
  init    (PID 1 there) joins the child's CPU-accounting cgroup, mounts a fresh /proc, a sized /tmp
          and a sized working folder with the submission's files bound read-only, detaches the
          host's temporary folder, reaps orphans and reports the child's exit status to the grader
  worker  drops to the child's own uid (no capabilities, no_new_privs), applies the rlimits, resets
          what the fork inherited (signals, environment, seeds, descriptors) and serves requests

— the same layers as a cold child (``confine.wrap_argv``), built before any student code exists.
Used only where every layer is available (bubblewrap, root for the uid drop, a cgroup for CPU
time); anything else, or a template that fails, falls back to cold starts with a logged warning.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import logging
import math
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder.sandbox import child
from autograder.sandbox.confine import (
    CGROUPS,
    CPUACCT,
    HOST_TMP,
    TMP_BYTES,
    WORK_BYTES,
    _python_paths,
    host_confinement,
    zygote_argv,
)
from autograder.sandbox.limits import ENGINE_ROOT, child_environment, child_limits
from autograder.sandbox.wire import wait_readable

log = logging.getLogger("autograder.sandbox")

_BOOT = ("import sys; sys.path.insert(0, sys.argv[2]); from autograder.sandbox.zygote import serve; "
         "serve(int(sys.argv[1]), sys.argv[3:])")

_CLONE_NEWNS, _CLONE_NEWCGROUP, _CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
_CLONE_NEWIPC, _CLONE_NEWPID, _CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MNT_DETACH = 2
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_CAPBSET_DROP = 1, 4, 24
_PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4


# ---------------------------------------------------------------------------- grader side


class WarmChild:
    """The grader's handle on a child forked by a template: its exit status arrives on a pipe
    (written by the child's init), and it is killed through its uid (``confine.kill_uid``)."""

    pid = None  # its PID is in another namespace; the grader never signals it by PID

    def __init__(self, status_fd: int):
        self._status_fd = status_fd
        self._status: int | None = None

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code as ``Popen.returncode`` gives it (negative: killed by that signal)."""
        if self._status is None and self._status_fd >= 0:
            if not wait_readable(self._status_fd, timeout):
                raise subprocess.TimeoutExpired("sandboxed child", timeout)
            data = os.read(self._status_fd, 4)
            os.close(self._status_fd)
            self._status_fd = -1
            if len(data) == 4:
                status = struct.unpack("i", data)[0]
                self._status = (-os.WTERMSIG(status) if os.WIFSIGNALED(status)
                                else os.WEXITSTATUS(status))
        return self._status

    def release(self) -> None:
        if self._status_fd >= 0:
            os.close(self._status_fd)
            self._status_fd = -1


class Zygote:
    """One template process (see the module docstring) and the channel to it."""

    def __init__(self, preload: tuple[str, ...]):
        self.preload = preload
        self._lock = threading.Lock()
        parent_end, child_end = socket.socketpair()
        argv = [sys.executable, "-I", "-c", _BOOT, str(child_end.fileno()), ENGINE_ROOT, *preload]
        try:
            self._proc = subprocess.Popen(
                zygote_argv(host_confinement(), argv, tempfile.gettempdir(), CPUACCT.resolve()),
                pass_fds=(child_end.fileno(),), close_fds=True, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env=child_environment(HOST_TMP), start_new_session=True)
        finally:
            child_end.close()
        self._sock = parent_end
        self._sock.settimeout(_START_TIMEOUT)
        try:
            reply = self._receive()
        except BaseException:
            self.close()
            raise
        if reply.get("ok") is not True:
            self.close()
            raise OSError(reply.get("error", "the template did not start"))

    def spawn(self, *, workdir: Path, uid: int, memory_bytes: int | None, gpu: bool,
              cgroup: str, env: dict[str, str], channel: int, output: int) -> WarmChild:
        """Fork a confined child serving ``workdir`` on the socket ``channel`` (see module docstring)."""
        read_end, write_end = os.pipe()
        request = {"workdir": str(workdir), "uid": uid, "memory_bytes": memory_bytes, "gpu": gpu,
                   "cgroup": cgroup, "env": env, "fd": channel}
        try:
            with self._lock:
                socket.send_fds(self._sock, [json.dumps(request).encode()],
                                [channel, output, write_end])
                reply = self._receive()
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        if reply.get("ok") is not True:
            os.close(read_end)
            raise OSError(reply.get("error", "the template could not fork"))
        return WarmChild(read_end)

    def _receive(self) -> dict:
        data = self._sock.recv(65536)
        if not data:
            err = self._proc.stderr.read(2000).decode("utf-8", "replace") if self._proc.poll() is not None \
                else ""
            raise OSError(f"the sandbox template ended: {err.strip()[-300:]}")
        return json.loads(data)

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait()
        self._sock.close()


_ZYGOTES: dict[tuple[int, tuple[str, ...]], Zygote | None] = {}
_FAILED_AT: dict[tuple[int, tuple[str, ...]], float] = {}  # when a template last failed to start
_RETRY_AFTER = 60.0  # seconds of cold starts before trying a template again (e.g. a load spike)
_START_TIMEOUT = 300.0
_REGISTRY_LOCK = threading.Lock()


def warm_start_enabled() -> bool:
    return os.environ.get("AUTOGRADER_WARM_START", "1") != "0"


def zygote_for(preload: tuple[str, ...]) -> Zygote | None:
    """This grader process's template for ``preload`` (started on first use), or None where warm
    starts are unavailable: then children start cold."""
    key = (os.getpid(), tuple(preload))  # a forked grader (a batch worker) starts its own
    with _REGISTRY_LOCK:
        zygote = _ZYGOTES.get(key)
        if zygote is not None and zygote.alive:
            return zygote
        if time.monotonic() - _FAILED_AT.get(key, -math.inf) < _RETRY_AFTER:
            return None
        _atexit_registered()
        try:
            zygote = Zygote(tuple(preload))
        except (OSError, ValueError) as exc:
            log.warning("sandbox: warm start unavailable (%s); children start cold for %g s",
                        exc, _RETRY_AFTER)
            zygote = None
            _FAILED_AT[key] = time.monotonic()
        _ZYGOTES[key] = zygote
        return zygote


def disable(preload: tuple[str, ...], reason: str) -> None:
    """Stop using the template for ``preload`` in this process for a while (it could not fork)."""
    key = (os.getpid(), tuple(preload))
    with _REGISTRY_LOCK:
        zygote = _ZYGOTES.get(key)
        _ZYGOTES[key] = None
        _FAILED_AT[key] = time.monotonic()
    log.warning("sandbox: warm start failed (%s); children start cold for %g s", reason, _RETRY_AFTER)
    if zygote is not None:
        zygote.close()


@functools.cache
def _atexit_registered() -> bool:
    import atexit

    def close_all():
        for (pid, _), zygote in list(_ZYGOTES.items()):
            if pid == os.getpid() and zygote is not None:
                zygote.close()

    atexit.register(close_all)
    return True


# ---------------------------------------------------------------------------- template side


# The signal dispositions the template's interpreter started with: those of a cold child, which is
# started the same way (the grader's ignored signals inherited, e.g. SIGINT under a non-interactive
# shell's background job; Python's own SIGINT, SIGPIPE and SIGXFSZ settings on top).
_STARTUP_SIGNALS: dict[int, object] = {}


def _signal_dispositions() -> dict[int, object]:
    found = {}
    for number in range(1, signal.NSIG):
        with contextlib.suppress(OSError, ValueError):
            handler = signal.getsignal(number)
            if handler is not None:  # None: set outside Python, left alone
                found[number] = handler
    return found


def serve(fd: int, preload: list[str]) -> None:
    """The template's loop: import ``preload``, then fork one child per request."""
    import importlib

    sock = socket.socket(fileno=fd)
    _STARTUP_SIGNALS.update(_signal_dispositions())  # what a cold child starts with, restored in each
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # relays are reaped by the kernel
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    for name in preload:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)

    _warm_up()
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:
        sock.send(json.dumps({"ok": False, "error": f"importing {', '.join(preload)} started "
                              f"{threads - 1} thread(s): forking would be unsafe"}).encode())
        return
    sock.send(b'{"ok": true}')
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 65536, 3)
        except OSError:
            return
        if not message:
            return
        try:
            request = json.loads(message)
            pid = os.fork()
        except Exception as exc:  # noqa: BLE001 - the grader is told, the template goes on
            for f in fds:
                os.close(f)
            sock.send(json.dumps({"ok": False, "error": repr(exc)}).encode())
            continue
        if pid == 0:
            code = 1
            try:
                sock.close()
                _relay(request, *fds)
                code = 0
            finally:
                os._exit(code)
        for f in fds:
            os.close(f)
        sock.send(b'{"ok": true}')


def _warm_up() -> None:
    """What torch does lazily on first use (an optimizer's first step imports some 800 modules:
    about 1 s), done once here instead of in every child's first call. Trusted code, on data of
    its own; the template checks afterwards that it is still single-threaded."""
    torch = sys.modules.get("torch")
    if torch is None:
        return
    with contextlib.suppress(Exception):
        layer = torch.nn.Linear(4, 2)
        for optimizer in (torch.optim.Adam(layer.parameters()), torch.optim.SGD(layer.parameters(), lr=0.1)):
            layer(torch.ones(3, 4)).square().mean().backward()
            optimizer.step()
            optimizer.zero_grad()


def _relay(request: dict, channel: int, output: int, status: int) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _check(_libc().unshare(_CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWIPC | _CLONE_NEWUTS
                           | _CLONE_NEWNET), "unshare")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _init(request, channel, output, status)
        except BaseException as exc:  # noqa: BLE001 - said where the grader reads the child's output
            with contextlib.suppress(OSError):
                os.write(output, f"sandbox set-up failed: {exc!r}\n".encode())
        finally:
            os._exit(code)
    for f in (channel, output, status):
        os.close(f)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _init(request: dict, channel: int, output: int, status: int) -> None:
    """PID 1 of the child's namespace: build the confinement, start the worker, report its end."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    workdir = Path(request["workdir"])
    source = Path(HOST_TMP) / workdir.relative_to(tempfile.gettempdir())
    with open(Path(CGROUPS) / request["cgroup"] / "cgroup.procs", "w") as f:
        f.write("0")  # every process below counts in the child's cgroup
    _check(_libc().unshare(_CLONE_NEWCGROUP), "unshare cgroup")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    # Held open (O_PATH) across covering /tmp: the sources of the binds, and the two mounts to drop.
    entries = [(entry.name, entry.is_dir(), os.open(entry, os.O_PATH)) for entry in sorted(source.iterdir())]
    hidden = [os.open(path, os.O_PATH | os.O_DIRECTORY) for path in (HOST_TMP, CGROUPS)]
    # The interpreter and the engine where they live under /tmp (a checkout there): covered by the
    # fresh /tmp below, so bound again into it, read-only, as a cold child has them.
    tmp = Path("/tmp")
    keep = [(path, os.open(path, os.O_PATH)) for path in _python_paths() if tmp in path.parents]
    _check(_libc().umount2(b"/proc", _MNT_DETACH), "detaching the template's /proc")
    _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    _mount("tmpfs", "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={TMP_BYTES},mode=1777")
    for path, fd in keep:
        path.mkdir(parents=True, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", str(path), None, _MS_BIND | _MS_REC)
        _mount(None, str(path), None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
        os.close(fd)
    workdir.mkdir(parents=True, exist_ok=True)  # inside the fresh /tmp: nobody else sees it
    _mount("tmpfs", str(workdir), "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={WORK_BYTES},mode=1777")
    for name, is_dir, fd in entries:  # the submission's own files, read-only
        target = workdir / name
        target.mkdir() if is_dir else target.touch()
        _mount(f"/proc/self/fd/{fd}", str(target), None, _MS_BIND | _MS_REC)
        _mount(None, str(target), None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
        os.close(fd)
    for fd in hidden:
        _check(_libc().umount2(f"/proc/self/fd/{fd}".encode(), _MNT_DETACH), "detaching the host's folders")
        os.close(fd)
    _loopback_up()
    socket.sethostname("sandbox")
    worker = os.fork()
    if worker == 0:
        code = 1
        try:
            os.close(status)
            _worker(request, channel, output, workdir)
        except BaseException as exc:  # noqa: BLE001
            with contextlib.suppress(OSError):
                os.write(output, f"sandbox set-up failed: {exc!r}\n".encode())
        finally:
            os._exit(code)
    os.close(channel)
    os.close(output)
    while True:  # reap every orphan of the namespace until the worker itself ends
        pid, wait_status = os.waitpid(-1, 0)
        if pid == worker:
            with contextlib.suppress(OSError):
                os.write(status, struct.pack("i", wait_status))
            return


def _worker(request: dict, channel: int, output: int, workdir: Path) -> None:
    """Become the child: the same state a cold child has after its interpreter starts."""
    os.setsid()
    for number, handler in _STARTUP_SIGNALS.items():  # what the template changed, back as it started
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            signal.signal(number, handler)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    keep = int(request["fd"])  # the descriptor number a cold child would have
    if keep != channel:
        os.dup2(channel, keep)
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)
    uid = int(request["uid"])
    _drop_privileges(uid)
    child_limits(request.get("memory_bytes"), True, bool(request.get("gpu")))
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # cleared by the uid change: set again
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()}, PWD=str(workdir))
    _reseed()
    os.umask(0o022)
    child.serve(keep, str(workdir))


def _drop_privileges(uid: int) -> None:
    """What ``setpriv --reuid --regid --clear-groups --inh-caps=-all --bounding-set=-all
    --no-new-privs`` does for a cold child."""
    cap = 0
    while _libc().prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    _libc().prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # permitted and effective capabilities go with uid 0
    _check(_prctl(_PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    _prctl(_PR_SET_DUMPABLE, 1)  # as after an exec: its own processes may inspect it, nobody else
    if os.getuid() != uid or os.geteuid() != uid or os.getegid() != uid:
        raise OSError("could not drop privileges")


def _reseed() -> None:
    """Fresh random state, as a new interpreter would have: a fork copies the template's."""
    import random

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    if "torch" in sys.modules:
        sys.modules["torch"].seed()


def _loopback_up() -> None:
    """Bring up ``lo`` in the child's network namespace, as bubblewrap does: nothing else exists."""
    import fcntl

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = 0x1 | 0x8 | 0x40  # IFF_UP | IFF_LOOPBACK | IFF_RUNNING
        fcntl.ioctl(sock, 0x8914, struct.pack("16sh14x", b"lo", flags))  # SIOCSIFFLAGS


@functools.cache
def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                           ctypes.c_char_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    libc.unshare.argtypes = [ctypes.c_int]
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return libc


def _prctl(option: int, value: int) -> int:
    return _libc().prctl(option, value, 0, 0, 0)


def _mount(source, target, fstype, flags, data=None) -> None:
    def b(s):
        return None if s is None else os.fsencode(s)  # file names need not be UTF-8

    _check(_libc().mount(b(source), b(target), b(fstype), flags, b(data)), f"mount {target}")


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")
