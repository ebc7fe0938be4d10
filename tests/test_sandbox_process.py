"""The parent's handle on the child: calls, errors, deadlines, crashes and a clean environment."""

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import errors
from autograder.sandbox.process import SandboxedProcess

from .conftest import processes_with

HONEST = 120  # seconds for a call of honest code: generous, the suite must pass on a loaded machine

MODULE = '''
import os, subprocess, sys, time
import numpy as np

CONSTANT = (1, 2.5, "three")

def echo(*args, **kwargs):
    return [list(args), kwargs]

def scale(x, by=2.0):
    return x * by

def fails():
    raise KeyError("secret detail")

def spin():
    while True:
        pass

def spawn_and_spin():
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    while True:
        pass

def leave():
    os._exit(0)

def exit_cleanly():
    sys.exit(0)

def environment():
    return dict(os.environ)

class Opaque:
    pass

def opaque():
    return Opaque()
'''


@pytest.fixture
def child(tmp_path):
    (tmp_path / "mod.py").write_text(MODULE)
    with SandboxedProcess(tmp_path) as process:
        yield process


def test_reads_constants_and_reports_functions_as_callable(child):
    assert child.get("mod", "CONSTANT", timeout=HONEST) == (False, (1, 2.5, "three"))
    assert child.get("mod", "echo", timeout=HONEST) == (True, None)


def test_calls_with_positional_and_keyword_arguments(child):
    assert child.call("mod", "echo", (1, (2,)), {"k": [3]}, timeout=HONEST) == [[1, (2,)], {"k": [3]}]
    result = child.call("mod", "scale", (np.arange(3.0),), {"by": 3.0}, timeout=HONEST)
    assert np.array_equal(result, [0.0, 3.0, 6.0])


def test_an_exception_comes_back_with_its_type_and_the_students_frame(child):
    with pytest.raises(errors.StudentException) as info:
        child.call("mod", "fails", (), {}, timeout=HONEST)
    assert info.value.is_instance_of(KeyError) and info.value.is_instance_of(LookupError)
    assert "mod.py" in info.value.where and "secret detail" in info.value.message


def test_a_missing_function_is_reported_by_name(child):
    with pytest.raises(errors.MissingName, match="does not define nothing_here"):
        child.call("mod", "nothing_here", (), {}, timeout=HONEST)
    with pytest.raises(errors.MissingName, match="absent.py is not in the submission"):
        child.call("absent", "f", (), {}, timeout=HONEST)


def test_an_endless_call_times_out_and_its_process_group_is_killed(child):
    start = time.monotonic()
    with pytest.raises(errors.StudentTimeout, match="within 0.5 s"):
        child.call("mod", "spawn_and_spin", (), {}, timeout=0.5)
    assert time.monotonic() - start < 30  # killed promptly (a loaded machine stretches it)
    assert child._proc is None  # the child is gone; the next call starts a fresh one
    assert child.call("mod", "echo", (1,), {}, timeout=HONEST) == [[1], {}]
    assert child.starts == 2


def test_the_grandchild_dies_with_the_timed_out_child(tmp_path):
    token = f"autograder-grandchild-{os.getpid()}-{time.monotonic_ns()}"
    (tmp_path / "mod.py").write_text(
        "import os, subprocess, sys, time\n"
        "def start():\n"  # returns once the grandchild runs Python (its command line is then set)
        f"    subprocess.Popen([sys.executable, '-c', 'open(\"started\", \"w\"); import time; "
        f"time.sleep(600)', {token!r}])\n"
        "    while not os.path.exists('started'):\n        time.sleep(0.01)\n"
        "def spin():\n"
        "    while True:\n        pass\n")
    with SandboxedProcess(tmp_path) as process:
        process.call("mod", "start", (), {}, timeout=HONEST)
        assert processes_with(token)  # the grandchild was really started
        with pytest.raises(errors.StudentTimeout):
            process.call("mod", "spin", (), {}, timeout=1.5)
    deadline = time.monotonic() + 5
    while processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(token) == [], "the grandchild survived its sandbox being killed"


@pytest.mark.parametrize("function", ["leave", "exit_cleanly"])
def test_leaving_the_interpreter_is_a_crash_not_a_success(child, function):
    with pytest.raises(errors.StudentError) as info:
        child.call("mod", function, (), {}, timeout=HONEST)
    assert isinstance(info.value, errors.StudentCrashed | errors.StudentException)
    assert child.call("mod", "echo", (), {}, timeout=HONEST) == [[], {}]  # and the next call works


def test_an_object_that_is_not_data_is_refused(child):
    with pytest.raises(errors.BadValue, match="cannot be sent"):
        child.call("mod", "opaque", (), {}, timeout=HONEST)


def test_the_child_environment_holds_no_grader_secrets(child, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "do-not-leak")
    child.close()  # restart with the secret set in the parent
    env = child.call("mod", "environment", (), {}, timeout=HONEST)
    assert "AUTOGRADER_SECRET" not in env
    assert not any("do-not-leak" in v for v in env.values())


DRIVER = '''
import mod

def make_and_use(values):
    """Build a student object here and return only data about it."""
    box = mod.Box()
    for v in values:
        box.add(v)
    return {"total": box.total, "count": len(box.items)}
'''


def test_a_driver_exercises_a_stateful_student_object_and_returns_data(tmp_path):
    (tmp_path / "mod.py").write_text(
        "class Box:\n    def __init__(self):\n        self.items = []\n        self.total = 0\n"
        "    def add(self, v):\n        self.items.append(v)\n        self.total += v\n")
    with SandboxedProcess(tmp_path) as process:
        assert process.drive("box", DRIVER, "make_and_use", ([1, 2, 3],), {}, timeout=HONEST) == {
            "total": 6, "count": 3}


def test_a_driver_reports_a_missing_student_module_by_name(tmp_path):
    with SandboxedProcess(tmp_path) as process, pytest.raises(errors.MissingName, match="mod.py"):
        process.drive("box", DRIVER, "make_and_use", ([1],), {}, timeout=HONEST)


def test_the_uid_drop_without_bubblewrap_still_reaches_a_private_temp_folder(tmp_path, monkeypatch):
    """As root in a container without namespaces: the child runs as its own uid, and the grader's
    root-only temporary parent must not lock it out of its working copy."""
    import tempfile

    from autograder.sandbox import confine

    monkeypatch.setattr(confine, "host_confinement", lambda: confine.Confinement(False, True))
    monkeypatch.setattr("autograder.sandbox.process.host_confinement", confine.host_confinement)
    with tempfile.TemporaryDirectory(prefix="autograder-") as private:  # 0700, like the grader's
        work = Path(private) / "submission"
        work.mkdir()
        (work / "mod.py").write_text(MODULE)
        with SandboxedProcess(work) as process:
            assert process.call("mod", "echo", (1,), {}, timeout=HONEST) == [[1], {}]
            assert os.stat(f"/proc/{process._proc.pid}").st_uid >= confine.SANDBOX_UID_BASE


def test_preloaded_modules_are_imported_at_start_up_not_in_a_timed_call(tmp_path):
    (tmp_path / "mod.py").write_text("import sys\n\ndef loaded():\n    return 'wave' in sys.modules\n")
    with SandboxedProcess(tmp_path, preload=("wave",)) as process:
        assert process.call("mod", "loaded", (), {}, timeout=HONEST) is True
    with SandboxedProcess(tmp_path) as process:
        assert process.call("mod", "loaded", (), {}, timeout=HONEST) is False


def test_gpu_device_nodes_are_bound_into_the_sandbox_after_its_fresh_dev(tmp_path, monkeypatch):
    from autograder.sandbox import confine

    (tmp_path / "nvidia0").write_text("")
    (tmp_path / "nvidiactl").write_text("")
    monkeypatch.setattr(confine, "GPU_DEVICE_GLOBS", (str(tmp_path / "nvidia*"),))
    assert confine.gpu_devices() == [tmp_path / "nvidia0", tmp_path / "nvidiactl"]
    work = tmp_path / "work"
    work.mkdir()
    argv = confine.wrap_argv(confine.Confinement(bubblewrap=True, drop_uid=False), ["python"], work, 0)
    fresh_dev = argv.index("--dev")
    for device in ("nvidia0", "nvidiactl"):
        at = argv.index(str(tmp_path / device))
        assert argv[at - 1] == "--dev-bind" and argv[at + 1] == str(tmp_path / device) and at > fresh_dev
    monkeypatch.setattr(confine, "GPU_DEVICE_GLOBS", (str(tmp_path / "none*"),))
    assert "--dev-bind" not in confine.wrap_argv(confine.Confinement(bubblewrap=True, drop_uid=False),
                                                 ["python"], work, 0)


def test_the_childs_files_are_capped_and_never_reach_the_submission_folder(tmp_path):
    """/tmp and the working folder are sized tmpfs: writing more fails with ENOSPC in the child,
    the host's disk and the submission's own files are untouched."""
    from autograder.sandbox.confine import TMP_BYTES, WORK_BYTES, host_confinement

    if not host_confinement().bubblewrap:
        pytest.skip("the sized tmpfs is a bubblewrap layer (make setup installs bubblewrap)")
    (tmp_path / "fill.py").write_text(
        "import os\n"
        "def fill(where):\n"
        "    written, block = 0, b'x' * (1 << 20)\n"
        "    try:\n"
        "        for i in range(4096):\n"
        "            with open(os.path.join(where, f'junk{i}'), 'wb') as f:\n"
        "                f.write(block * 16)\n"
        "            written += 16 << 20\n"
        "    except OSError as exc:\n"
        "        return [written, exc.errno]\n"
        "    return [written, 0]\n"
        "def rewrite():\n"
        "    with open('fill.py', 'w') as f:\n"
        "        f.write('gone')\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with SandboxedProcess(tmp_path, memory_bytes=None) as process:
        written, errno_tmp = process.call("fill", "fill", ("/tmp",), {}, timeout=60)
        assert errno_tmp == 28 and written <= TMP_BYTES  # ENOSPC
        written, errno_work = process.call("fill", "fill", (".",), {}, timeout=60)
        assert errno_work == 28 and written <= WORK_BYTES
        with pytest.raises(errors.StudentException, match="Read-only file system|Permission denied"):
            process.call("fill", "rewrite", (), {}, timeout=HONEST)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


OBSERVE = '''
import os, random, resource, signal, socket, subprocess, sys

def observe(marker):
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1).close()
        network = "connected"
    except OSError as exc:
        network = type(exc).__name__
    try:
        open("mod.py", "a").close()
        given_writable = True
    except OSError:
        given_writable = False
    with open("new.txt", "w") as f:  # new files in the working folder are allowed
        f.write("x")
    return {
        "caps": [status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")],
        "no_new_privs": status["NoNewPrivs"].strip(),
        "pid": os.getpid(), "hostname": socket.gethostname(), "root": sorted(os.listdir("/")),
        "tmp": sorted(os.listdir("/tmp")), "cwd": os.getcwd(), "files": sorted(os.listdir(".")),
        "host_marker_visible": os.path.exists(marker), "given_writable": given_writable,
        "env": sorted(os.environ), "network": network, "umask": os.umask(0o022),
        "limits": [resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_NPROC,
                   resource.RLIMIT_NOFILE, resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)],
        "signals": [str(signal.getsignal(s)) for s in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGINT,
                                                       signal.SIGXFSZ, signal.SIGTERM)],
        "subprocess": subprocess.run([sys.executable, "-c", "pass"]).returncode,
        "fds": sorted(int(f) for f in os.listdir("/proc/self/fd")),
        # the interpreter's and the engine's folders (covered by the child's /tmp if under it)
        "import_path": [(p, os.path.isdir(p)) for p in sys.path],
    }

def seeds():
    import numpy as np
    import torch
    return [random.random(), float(np.random.rand()), float(torch.rand(1))]

def threaded_matmul():
    import numpy as np
    import torch
    torch.set_num_threads(2)
    a = torch.randn(400, 400, dtype=torch.float64)
    return float((a @ a - torch.from_numpy(a.numpy() @ a.numpy())).abs().max())
'''


def _warm_possible() -> bool:
    from autograder.sandbox.confine import CPUACCT, host_confinement

    c = host_confinement()
    return c.bubblewrap and c.drop_uid and os.access(CPUACCT, os.W_OK)


def test_a_warm_child_is_confined_exactly_like_a_cold_one(tmp_path, monkeypatch):
    """Forked from a template with torch imported (``sandbox.zygote``), the child must see what a
    child started by bubblewrap and setpriv sees: same capabilities (none), namespaces, files,
    limits, signal dispositions, environment and descriptors; only its uid differs."""
    work = tmp_path / "submission"
    work.mkdir()
    (work / "mod.py").write_text(OBSERVE)
    (work / os.fsdecode(b"notes-\xff\xfe.txt")).write_text("a name that is not UTF-8")
    marker = tmp_path / "host-only-marker"
    marker.write_text("the grader's")
    seen = {}
    for mode in ("1", "0"):
        monkeypatch.setenv("AUTOGRADER_WARM_START", mode)
        (work / "new.txt").unlink(missing_ok=True)
        with SandboxedProcess(work, preload=("torch",)) as process:
            seen[mode] = process.call("mod", "observe", (str(marker),), {}, timeout=30)
            assert process.warm is (mode == "1" and _warm_possible())
    warm, cold = seen["1"], seen["0"]
    assert warm == cold
    if _warm_possible():
        assert warm["caps"] == ["0000000000000000"] * 5 and warm["no_new_privs"] == "1"
        assert warm["hostname"] == "sandbox" and warm["network"] != "connected"
        assert not warm["host_marker_visible"] and not warm["given_writable"]
        assert warm["signals"][0] == str(signal.SIG_DFL) and warm["subprocess"] == 0
        assert not (work / "new.txt").exists()  # written to the child's own tmpfs only


def test_warm_children_start_fast_with_fresh_random_state_and_working_thread_pools(tmp_path):
    """The fork copies the template's memory: each child reseeds, and torch's thread pool (never
    started in the template, which must stay single-threaded) works in the child."""
    (tmp_path / "mod.py").write_text(OBSERVE)
    draws = []
    for _ in range(2):
        with SandboxedProcess(tmp_path, preload=("torch",)) as process:
            started = time.perf_counter()
            process.call("mod", "observe", (str(tmp_path / "x"),), {}, timeout=30)
            draws.append(process.call("mod", "seeds", (), {}, timeout=30))
            assert process.call("mod", "threaded_matmul", (), {}, timeout=60) < 1e-9
            if _warm_possible():
                assert process.warm and time.perf_counter() - started < 30
    assert all(a != b for a, b in zip(*draws, strict=True)), draws


def test_a_warm_childs_exit_code_and_killing_signal_are_reported(tmp_path):
    (tmp_path / "mod.py").write_text("import os, signal\n"
                                     "def leave():\n    os._exit(7)\n"
                                     "def die():\n    os.kill(os.getpid(), signal.SIGSEGV)\n")
    with SandboxedProcess(tmp_path) as process:
        with pytest.raises(errors.StudentCrashed, match="exit code 7"):
            process.call("mod", "leave", (), {}, timeout=HONEST)
        with pytest.raises(errors.StudentCrashed, match="SIGSEGV"):
            process.call("mod", "die", (), {}, timeout=HONEST)
        assert process.warm is _warm_possible()


def test_a_student_module_named_like_a_standard_module_is_the_students_own(tmp_path):
    """trace.py missing must say so (not find Python's ``trace``); a time.py must win over the
    built-in ``time`` module, and a sibling importing it gets the student's too."""
    (tmp_path / "time.py").write_text("def now():\n    return 'student time'\n")
    (tmp_path / "uses.py").write_text("import time\n\ndef which():\n    return time.now()\n")
    with SandboxedProcess(tmp_path) as process:
        with pytest.raises(errors.MissingName, match=r"^trace\.py is not in the submission$"):
            process.get("trace", "trace_inner", timeout=HONEST)
        assert process.call("time", "now", (), {}, timeout=HONEST) == "student time"
        assert process.call("uses", "which", (), {}, timeout=HONEST) == "student time"


def test_a_call_limit_counts_the_childs_cpu_time_with_a_wall_backstop(tmp_path):
    """Waiting costs no CPU (as when a busy machine keeps the child from a core): a call that takes
    longer than its limit in wall time but not in CPU time finishes; one that never ends is stopped
    at the wall backstop; one that computes is stopped when its CPU time is spent."""
    from autograder.sandbox.process import WALL_BACKSTOP

    (tmp_path / "mod.py").write_text("import time\n"
                                     "def waits(seconds):\n    time.sleep(seconds)\n    return 'done'\n"
                                     "def spins():\n    while True:\n        pass\n")
    with SandboxedProcess(tmp_path) as process:
        process.call("mod", "waits", (0,), {}, timeout=HONEST)  # started
        assert process.cpu_ns() is not None  # read from its cgroup, or from /proc without one
        assert process.call("mod", "waits", (1.5,), {}, timeout=1) == "done"
        started = time.monotonic()
        with pytest.raises(errors.StudentTimeout):
            process.call("mod", "waits", (600,), {}, timeout=0.5)
        assert 0.5 * WALL_BACKSTOP <= time.monotonic() - started < 60
        started = time.monotonic()
        with pytest.raises(errors.StudentTimeout):
            process.call("mod", "spins", (), {}, timeout=0.5)
        assert time.monotonic() - started < 0.5 * WALL_BACKSTOP + 30


def test_a_template_that_failed_is_tried_again_after_a_while(tmp_path):
    """A template that could not fork (e.g. killed in a load spike) gives cold starts for a while,
    not for the rest of the grading process."""
    from autograder.sandbox import zygote

    (tmp_path / "mod.py").write_text("def f():\n    return 1\n")
    if not _warm_possible():  # then every child starts cold, and says so
        with SandboxedProcess(tmp_path) as process:
            assert process.call("mod", "f", (), {}, timeout=HONEST) == 1 and not process.warm
        return
    zygote.disable((), "a test")
    assert zygote.zygote_for(()) is None
    zygote._FAILED_AT[(os.getpid(), ())] -= zygote._RETRY_AFTER
    template = zygote.zygote_for(())
    assert template is not None and template.alive
    with SandboxedProcess(tmp_path) as process:
        assert process.call("mod", "f", (), {}, timeout=HONEST) == 1 and process.warm
