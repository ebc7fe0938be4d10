"""Confinement of the child beyond a separate process: which layers this host offers, and the
command line that applies them.

Layers, strongest first, each degrading to the next with a logged warning (never silently):
  bubblewrap  new mount, PID, network, IPC and UTS namespaces; a read-only view of only the
              interpreter, its libraries and the engine; the submission's files read-only in a
              sized tmpfs working folder, and a sized private /tmp: the only writable places; no
              network at all
  uid         (as root) the child drops to an unprivileged uid with setpriv: no capabilities,
              no_new_privs, so it cannot read root's files even where they are mounted
  rlimits     always: core dumps off, file size, open files, processes (with a dedicated uid),
              address space (CPU-only runs)
Which layers were active is recorded in every result. This module builds argv; it starts nothing
but the one-time probe.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder.sandbox.compiled import remove_compiled

log = logging.getLogger("autograder.sandbox")

TMP_BYTES = 256 << 20  # the child's /tmp: a tmpfs of this size
WORK_BYTES = 256 << 20  # new files in its working folder: a tmpfs of this size
SANDBOX_UID_BASE = 200_000  # children run as 200000 + n: a uid of their own, owning nothing else
MODES = ("auto", "bubblewrap", "process")
# Where the warm children's template (sandbox.zygote) sees the grader's temporary folder and the
# CPU-accounting cgroups: under its /tmp, which each child covers with its own (so a child's view of
# / is a cold child's).
HOST_TMP = "/tmp/.autograder-host-tmp"
CGROUPS = "/tmp/.autograder-cgroups"
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives")


@dataclass(frozen=True)
class Confinement:
    bubblewrap: bool
    drop_uid: bool

    @property
    def layers(self) -> list[str]:
        names = ["process", "rlimits"]
        if self.bubblewrap:
            names += ["bubblewrap", "no-network", "private-pid", "read-only-fs", "sized-tmp"]
        if self.drop_uid:
            names.append("dedicated-uid")
        return names


@functools.cache
def host_confinement() -> Confinement:
    """What this host supports, probed once per process (``AUTOGRADER_SANDBOX`` may ask for less)."""
    mode = os.environ.get("AUTOGRADER_SANDBOX", "auto")
    if mode not in MODES:
        log.warning("AUTOGRADER_SANDBOX=%s is not one of %s; using auto", mode, ", ".join(MODES))
        mode = "auto"
    if mode == "process":
        log.warning("sandbox: AUTOGRADER_SANDBOX=process: bubblewrap and the uid drop are off")
        return Confinement(bubblewrap=False, drop_uid=False)
    drop_uid = os.geteuid() == 0 and shutil.which("setpriv") is not None
    if os.geteuid() == 0 and not drop_uid:
        log.warning("sandbox: running as root without setpriv (util-linux): the child keeps uid 0")
    if shutil.which("bwrap") is None:
        log.warning("sandbox: bubblewrap (Debian package 'bubblewrap') is not installed: no "
                    "filesystem, network or PID confinement; student code sees what this user sees")
        return Confinement(bubblewrap=False, drop_uid=drop_uid)
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as empty:
        # An empty folder of its own: with /tmp, every entry of /tmp was bound into the probe, and
        # one that another process removed meanwhile made the probe fail (and the sandbox fall back).
        os.chmod(empty, 0o755)
        probe = subprocess.run(wrap_argv(Confinement(True, drop_uid), [sys.executable, "-c", "pass"],
                                         Path(empty), sandbox_uid(0)),
                               capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        log.warning("sandbox: bubblewrap is installed but cannot create namespaces here (%s); "
                    "falling back to a plain child process", probe.stderr.strip()[:200])
        return Confinement(bubblewrap=False, drop_uid=drop_uid)
    return Confinement(bubblewrap=True, drop_uid=drop_uid)


UID_SLOTS = 256  # per grader process: 16 live children (student or trusted) x 16 successive starts


def sandbox_uid(slot: int) -> int:
    """A uid for one child start (``slot``: which child of this grader, which start), distinct across
    concurrent graders, concurrent children and successive restarts, so that process limits count
    that child alone and its leftovers can be found and killed without touching another's."""
    return SANDBOX_UID_BASE + (os.getpid() % 50_000) * UID_SLOTS + slot % UID_SLOTS


def wrap_argv(confinement: Confinement, argv: list[str], workdir: Path, uid: int) -> list[str]:
    """``argv`` run under the given confinement, with ``workdir`` its only writable folder."""
    if confinement.drop_uid:
        argv = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", *argv]
    if not confinement.bubblewrap:
        return argv
    return _bwrap([("--tmpfs", workdir)]) + ["--chdir", str(workdir), "--setenv", "HOME", str(workdir),
                                              "--", *argv]


def zygote_argv(confinement: Confinement, argv: list[str], host_tmp: str, cgroups: Path) -> list[str]:
    """``argv`` run as the template of warm children (``sandbox.zygote``): the same view as a cold
    child's, root inside its namespaces with its capabilities (to confine each child it forks), the
    grader's temporary folder read-only at ``HOST_TMP`` and the CPU-accounting cgroups at ``CGROUPS``."""
    if not confinement.bubblewrap:
        raise OSError("warm starts need bubblewrap")
    extra = [("--ro-bind-as", Path(host_tmp), Path(HOST_TMP)), ("--bind-as", cgroups, Path(CGROUPS))]
    return _bwrap(extra) + ["--cap-add", "ALL", "--chdir", "/", "--", *argv]


def _bwrap(binds_extra: list) -> list[str]:
    """bubblewrap's arguments for the view every child has: namespaces, read-only system and
    interpreter, sized /tmp, /proc, /dev and the host's GPUs; plus ``binds_extra``."""
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--perms", "1777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / link
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    binds = [("--ro-bind", Path("/etc") / name) for name in _ETC if (Path("/etc") / name).exists()]
    binds += [("--ro-bind", path) for path in _python_paths()]
    binds += binds_extra
    made: set[Path] = {Path("/"), Path("/tmp"), Path("/usr")}
    for kind, path, *target in binds:
        where = target[0] if target else path
        for ancestor in reversed(where.parents):  # bwrap would create them 0700: unreadable to uid
            if ancestor not in made:
                args += ["--perms", "0755", "--dir", str(ancestor)]
                made.add(ancestor)
        if kind == "--tmpfs":
            # The working copy: a sized tmpfs where new files go, with the submission's own files
            # bound read-only into it (the child cannot rewrite what it was given, nor fill the disk).
            args += ["--perms", "1777", "--size", str(WORK_BYTES), "--tmpfs", str(path)]
            args += [a for entry in sorted(path.iterdir()) for a in ("--ro-bind", str(entry), str(entry))]
        elif kind.endswith("-as"):
            args += [kind[:-3], str(path), str(where)]
        else:
            args += [kind, str(path), str(path)]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for device in gpu_devices():  # a GPU the host has stays usable (timing checks, CUDA inputs)
        args += ["--dev-bind", str(device), str(device)]
    return args


GPU_DEVICE_GLOBS = ("/dev/nvidia*", "/dev/nvidia-caps/*")


def gpu_devices() -> list[Path]:
    """The host's NVIDIA device nodes (none on a machine without a GPU); the fresh /dev of the
    sandbox would hide them otherwise."""
    return sorted({Path(p) for pattern in GPU_DEVICE_GLOBS for p in glob.glob(pattern)
                   if not Path(p).is_dir()})


def _python_paths() -> list[Path]:
    """The interpreter, its standard library and site-packages, and the engine's own package —
    never the current folder or the course repository (where solutions/ lives)."""
    engine = Path(autograder.__file__).resolve().parent
    candidates = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
                  engine}
    candidates |= {Path(p) for p in sys.path if p and "site-packages" in p}
    existing = sorted({p.resolve() for p in candidates if p.exists()}, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in existing:  # a parent already bound covers its children
        if not any(path == k or k in path.parents for k in kept):
            kept.append(path)
    return kept


def prepare_workdir(workdir: Path, confinement: Confinement, uid: int) -> None:
    """Make the working copy ready for a child: compiled files and ``__pycache__`` removed (an
    earlier child may have written some, and Python would import them before the scanned source:
    ``sandbox.compiled``), then given to the sandbox uid, which may read and write its own files only."""
    remove_compiled(workdir)
    if not confinement.drop_uid:
        return
    for path in [workdir, *workdir.rglob("*")]:
        if not path.is_symlink():
            os.chown(path, uid, uid)
    if not confinement.bubblewrap:  # the real parents are in its way: let it pass (not list) them
        for parent in workdir.parents:
            if parent.stat().st_uid == os.geteuid() and not parent.stat().st_mode & 0o001:
                parent.chmod(parent.stat().st_mode | 0o001)
            if parent == Path(tempfile.gettempdir()):
                break


CPUACCT = Path("/sys/fs/cgroup/cpuacct")  # cgroup v1 CPU accounting, where the host has it


def cpu_cgroup(slot: int) -> Path | None:
    """A cgroup (v1 ``cpuacct``) for one child of this grader, or None where the host has none we
    may write: its ``cpuacct.usage`` counts, to the nanosecond, the CPU time of every process and
    thread ever in it, exited ones too (``/proc`` loses a reaped process's time below a tick).
    Leftovers of graders that are gone are removed on the way."""
    if os.geteuid() != 0 or not (CPUACCT / "cpuacct.usage").exists() or not os.access(CPUACCT, os.W_OK):
        return None
    for stale in CPUACCT.glob("autograder-*-*"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            with contextlib.suppress(OSError):
                stale.rmdir()
    path = CPUACCT / f"autograder-{os.getpid()}-{slot}"
    try:
        path.mkdir(exist_ok=True)
    except OSError:
        return None
    return path if (path / "cpuacct.usage").exists() else None


def remove_cgroup(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.rmdir()  # empty once every process in it has died; else a later grader sweeps it


def kill_uid(uid: int, timeout: float = 5.0) -> None:
    """SIGKILL every process owned by ``uid`` until none is left (a fork bomb's leftovers too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [int(e) for e in os.listdir("/proc") if e.isdigit() and _owner(e) == uid]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)
    log.warning("sandbox: processes of uid %d survived SIGKILL for %.0f s", uid, timeout)


def _owner(pid: str) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
