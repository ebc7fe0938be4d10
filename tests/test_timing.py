"""Timing checks: honest solutions are judged right, and every known cheat fails or is flagged.

The sandboxed cases time a toy chain product (``chain.product([A1, A2, A3, x])``, n = 300: left to
right is ~40x slower than right to left) against left-to-right evaluation, threshold 0.2. Each cheat
is a small submission that tries one trick from shared/TIMING.md. The unit cases test the parts that
need no sandbox: the CUDA timer's order of operations (with a fake CUDA API), the decision rules on
synthetic data, and the workload's validation.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
import textwrap
import time
from types import SimpleNamespace

import numpy as np
import pytest

from autograder.sandbox.confine import gpu_devices
from autograder.sandbox.errors import MissingName, StudentException
from autograder.sandbox.process import SandboxedProcess
from autograder.timing import Timing, TimingFlagged, Variant, Workload
from autograder.timing import harness as H
from autograder.timing.judge import BORDERLINE, FLAG, PASS, SLOW, THREADS, WRONG, Limits, judge

# ---------------------------------------------------------------------------- the toy workload


def toy_inputs(gen, device, n, dtype="float64", framework="numpy"):
    mats = [(gen.random((n, n)) - 0.5).astype(dtype) for _ in range(3)]
    mats.append((gen.random(n) - 0.5).astype(dtype))
    if framework == "torch":
        import torch

        mats = [torch.from_numpy(m) for m in mats]
    return (mats,)


def toy_left_to_right(mats):
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out


def toy_right_to_left(mats):
    out = mats[-1]
    for m in reversed(mats[:-1]):
        out = m @ out
    return out


TOY = Workload(name="left to right", inputs=toy_inputs, baseline=toy_left_to_right,
               best=toy_right_to_left)
SMALL = Variant(sizes={"n": 300}, threshold=0.2, reps=9, min_reps=5, warmups=(1, 3), retries=1,
                control_reps=4)

RIGHT_TO_LEFT = """
def product(mats):
    out = mats[-1]
    for m in reversed(mats[:-1]):
        out = m @ out
    return out
"""
LEFT_TO_RIGHT = """
def product(mats):
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out
"""


class Notes:
    def __init__(self):
        self.notes, self.figures = [], []

    def note(self, text):
        self.notes.append(text)

    def bars(self, title, values, *, threshold=None, ylabel=""):
        self.figures.append((title, values, threshold))


def run(tmp_path, source: str, variant: Variant = SMALL, workload: Workload = TOY, **compare):
    """Time ``chain.product`` of a submission made of ``source``; returns (outcome, notes) where
    outcome is the TimingResult or the exception the check would raise."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "chain.py").write_text("import numpy as np\n" + textwrap.dedent(source))
    notes = Notes()
    with SandboxedProcess(folder) as sandbox:
        timing = Timing(sandbox, secret="tests", call_timeout=10, feedback=notes)
        try:
            outcome = timing.compare("chain.product", workload, cpu=variant, **compare)
        except (AssertionError, MissingName, StudentException) as exc:
            outcome = exc
    return outcome, notes


def failed_with(outcome, *phrases) -> str:
    assert isinstance(outcome, AssertionError), f"expected a failure, got {outcome!r}"
    message = str(outcome)
    assert any(p in message for p in phrases), message
    return message


# ---------------------------------------------------------------------------- honest solutions


def test_honest_fast_solution_passes_and_says_where_it_ran(tmp_path):
    result, notes = run(tmp_path, RIGHT_TO_LEFT)
    assert result.status == "passed", result
    assert result.ratio < 0.2 and result.device.startswith("cpu")
    assert result.timed_reps >= SMALL.min_reps
    assert any(n.startswith("timed on cpu") for n in notes.notes)
    title, values, threshold = notes.figures[0]
    assert "[cpu" in title and threshold == 0.2 and values["product (yours)"] == result.ratio


def test_honest_slow_solution_fails_with_the_ratio(tmp_path):
    outcome, notes = run(tmp_path, LEFT_TO_RIGHT)
    message = failed_with(outcome, "took")
    assert "at least 5x faster than left to right" in message and not isinstance(outcome, TimingFlagged)


def test_far_too_slow_solution_is_stopped_by_the_deadline(tmp_path):
    outcome, _ = run(tmp_path, """
        import time
        def product(mats):
            time.sleep(1.0)
            return mats[0] @ (mats[1] @ (mats[2] @ mats[3]))
        """)
    failed_with(outcome, "far too slow")


def test_missing_function_and_exceptions_are_the_students(tmp_path):
    outcome, _ = run(tmp_path, "def other():\n    pass\n")
    assert isinstance(outcome, MissingName)
    outcome, _ = run(tmp_path, "def product(mats):\n    raise KeyError('x')\n")
    assert isinstance(outcome, StudentException)


NO_GPU = pytest.mark.skipif(bool(gpu_devices()), reason="tests of a host without a GPU (this one has one)")


@NO_GPU
def test_skip_policy_skips_and_says_so_without_a_gpu(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="no GPU"):
        run(tmp_path, RIGHT_TO_LEFT, device_policy="gpu-or-skip", gpu=SMALL)


@NO_GPU
def test_gpu_or_cpu_policy_runs_the_cpu_variant_without_a_gpu(tmp_path):
    result, notes = run(tmp_path, RIGHT_TO_LEFT, device_policy="gpu-or-cpu",
                        gpu=Variant(sizes={"n": 4096}, threshold=0.01))
    assert result.status == "passed" and "no GPU in the sandbox" in result.device


@NO_GPU
def test_a_gpu_runner_without_a_gpu_is_a_grader_error_not_a_cpu_timing(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_REQUIRE_GPU", "1")
    with pytest.raises(RuntimeError, match="AUTOGRADER_REQUIRE_GPU=1 but the sandbox has no usable GPU"):
        run(tmp_path, RIGHT_TO_LEFT, device_policy="gpu-or-cpu", gpu=SMALL)
    result, _ = run(tmp_path, RIGHT_TO_LEFT)  # a CPU-only check is not affected
    assert result.status == "passed"


# ---------------------------------------------------------------------------- cheats


def test_cache_keyed_on_shapes_replays_stale_outputs(tmp_path):
    outcome, _ = run(tmp_path, """
        _cache = {}
        def product(mats):
            key = tuple(m.shape for m in mats)
            if key not in _cache:
                out = mats[-1]
                for m in reversed(mats[:-1]):
                    out = m @ out
                _cache[key] = out
            return _cache[key]
        """)
    failed_with(outcome, "wrong result")


def test_cache_keyed_on_data_pointers_and_ids(tmp_path):
    outcome, _ = run(tmp_path, """
        _cache = {}
        def product(mats):
            key = tuple((id(m), m.__array_interface__["data"][0]) for m in mats)
            if key not in _cache:
                out = mats[0]
                for m in mats[1:]:
                    out = out @ m
                _cache[key] = out
            return _cache[key]
        """)
    failed_with(outcome, "wrong result", "took")  # replayed: wrong; never replayed: slow


def test_lazy_ndarray_subclass_is_refused(tmp_path):
    outcome, _ = run(tmp_path, """
        class Lazy(np.ndarray):
            def __array_finalize__(self, obj):
                self.mats = getattr(obj, "mats", None)
        def product(mats):
            out = np.zeros(mats[-1].shape).view(Lazy)
            out.mats = mats
            return out
        """)
    failed_with(outcome, "chain.Lazy; expected exactly")


@pytest.mark.slow
def test_lazy_tensor_subclass_is_refused(tmp_path):
    outcome, _ = run(tmp_path, """
        import torch
        class Lazy(torch.Tensor):
            pass
        def product(mats):
            out = mats[-1]
            for m in reversed(mats[:-1]):
                out = m @ out
            return out.as_subclass(Lazy)
        """, variant=Variant(sizes={"n": 300, "framework": "torch"}, threshold=0.2, reps=7, min_reps=5,
                              warmups=(1, 2), retries=0, control_reps=3))
    failed_with(outcome, "chain.Lazy; expected exactly")


def test_work_left_running_in_a_background_thread(tmp_path):
    outcome, _ = run(tmp_path, """
        import threading
        def product(mats):
            out = np.empty(mats[-1].shape[0])
            def work():
                r = mats[0]
                for m in mats[1:]:
                    r = r @ m
                out[:] = r
            threading.Thread(target=work).start()
            return out
        """)
    failed_with(outcome, "wrong result", "NaN", "CPU time")


def test_extra_threads_are_seen_in_the_cpu_time(tmp_path):
    outcome, _ = run(tmp_path, """
        import threading
        def product(mats):
            # left to right, the big product split over two threads: still far too slow, and more
            # CPU than one thread
            A, n = mats[0] @ mats[1], mats[0].shape[0]
            out = np.empty((n, n))
            def half(rows):
                out[rows] = A[rows] @ mats[2]
            threads = [threading.Thread(target=half, args=(s,)) for s in (slice(0, n // 2), slice(n // 2, n))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return out @ mats[3]
        """)
    failed_with(outcome, "CPU time", "took")


def test_zeroing_the_inputs_does_not_make_zero_right(tmp_path):
    outcome, _ = run(tmp_path, """
        def product(mats):
            for m in mats:
                m[...] = 0.0
            return np.zeros(mats[-1].shape)
        """)
    failed_with(outcome, "wrong result")


def test_poisoning_the_inputs_does_not_reach_the_baseline(tmp_path):
    # Denormals make a matrix product much slower: if the baseline shared the student's inputs,
    # this honest-but-slow code would make the baseline slower still.
    outcome, _ = run(tmp_path, LEFT_TO_RIGHT.replace("    return out", """
    for m in mats:
        m[...] = 1e-310
    return out"""))
    failed_with(outcome, "took")


def test_lower_precision_values_are_caught(tmp_path):
    outcome, _ = run(tmp_path, """
        def product(mats):
            out = mats[-1].astype(np.float32)
            for m in reversed(mats[:-1]):
                out = m.astype(np.float32) @ out
            return out.astype(np.float64)
        """)
    failed_with(outcome, "wrong result")


def test_lower_precision_dtype_is_caught(tmp_path):
    outcome, _ = run(tmp_path, """
        def product(mats):
            out = mats[-1].astype(np.float32)
            for m in reversed(mats[:-1]):
                out = m.astype(np.float32) @ out
            return out
        """)
    failed_with(outcome, "dtype float32")


def test_patching_the_clock_module_does_not_reach_the_harness(tmp_path):
    outcome, _ = run(tmp_path, textwrap.dedent("""
        import time
        _real_ns, _real = time.perf_counter_ns, time.perf_counter
        time.perf_counter_ns = lambda: _real_ns() // 100
        time.perf_counter = lambda: _real() / 100
        time.monotonic_ns = time.perf_counter_ns
        """) + LEFT_TO_RIGHT)
    message = failed_with(outcome, "took")
    assert not isinstance(outcome, TimingFlagged), message


def test_rewriting_the_harness_clock_is_flagged(tmp_path):
    # Beyond patching modules: find the harness's own clock through gc and slow it down.
    outcome, _ = run(tmp_path, textwrap.dedent("""
        import gc
        for d in gc.get_objects():
            if type(d) is dict and "_clock" in d and "_STATE" in d:
                real = d["_clock"]
                slow = lambda: real() // 20
                d["_clock"] = slow
                d["_STATE"]["timer"].clock = slow
        """) + LEFT_TO_RIGHT)
    assert isinstance(outcome, TimingFlagged), outcome
    assert "do not add up" in str(outcome)


def test_moving_time_out_of_the_call_is_flagged(tmp_path):
    # The timer's clock lies only about the end of the student's own calls.
    outcome, _ = run(tmp_path, """
        import gc
        _state = {"start": None}
        for d in gc.get_objects():
            if type(d) is dict and "_clock" in d and "_STATE" in d:
                timer, real = d["_STATE"]["timer"], d["_clock"]
                def lying_clock():
                    if _state["start"] is not None:  # the end of my call: say it was short
                        start, _state["start"] = _state["start"], None
                        return start + 1000
                    return real()
                timer.clock = lying_clock
        def product(mats):
            import sys
            _state["start"] = sys._getframe(2).f_locals.get("t0")
            out = mats[0]
            for m in mats[1:]:
                out = out @ m
            return out
        """)
    # Either cross-check catches it: the time is missing between the child's segments, and the CPU
    # time of the "short" calls is far above their wall time.
    failed_with(outcome, "do not add up", "CPU time")


def test_behaving_differently_after_the_warm_up(tmp_path):
    outcome, _ = run(tmp_path, """
        calls = [0]
        last = []
        def product(mats):
            calls[0] += 1
            if calls[0] <= 4:  # honest while it might be a warm-up or a correctness check
                out = mats[-1]
                for m in reversed(mats[:-1]):
                    out = m @ out
                last[:] = [out]
                return out
            return last[0]  # then replay: fast, and wrong
        """)
    failed_with(outcome, "wrong result")


def test_slowing_down_the_baseline_does_not_help(tmp_path):
    # Once loaded, the student's code slows the baseline down (a profiler hook that sleeps whenever
    # the baseline function is entered). The baseline counts with its time in the clean control,
    # taken before the student's module was loaded, so a slow solution stays slow (or is flagged).
    outcome, _ = run(tmp_path, textwrap.dedent("""
        import sys, time
        def _hook(frame, event, arg):
            if event == "call" and frame.f_code.co_name.startswith("toy_left"):
                time.sleep(0.02)
        sys.setprofile(_hook)
        """) + LEFT_TO_RIGHT)
    failed_with(outcome, "took", "manual review")


# ---------------------------------------------------------------------------- units: CUDA timer


class FakeCuda:
    """Records the order of CUDA operations the timer performs."""

    def __init__(self):
        self.log = []

    def synchronize(self):
        self.log.append("sync")

    def event(self, enable_timing):
        assert enable_timing
        return {"name": f"event{len([x for x in self.log if x.startswith('new')])}"}

    def record(self, event, stream):
        self.log.append(f"record:{stream}")
        event["at"] = len(self.log)

    def elapsed(self, start, end):
        return 1.5  # milliseconds

    def flush(self):
        self.log.append("flush")


def test_cuda_timer_flushes_and_synchronizes_before_the_end_event():
    fake = FakeCuda()
    ticks = iter(range(0, 10**9, 1000))
    timer = H.CudaTimer(synchronize=fake.synchronize, event=fake.event, record=fake.record,
                        elapsed=fake.elapsed, flush=fake.flush, stream="harness-stream",
                        clock=lambda: next(ticks), cpu_clock=lambda: 0)

    def student_call():
        fake.log.append("call")  # e.g. launches work on a side stream and returns
        return "out"

    out, decisive, wall, cpu = timer.time(student_call)
    assert out == "out" and decisive == 1_500_000 and wall == 1000
    assert fake.log == ["flush", "sync", "record:harness-stream", "call", "sync",
                        "record:harness-stream", "sync"]


def test_cuda_timer_from_torch_uses_a_flush_buffer_and_the_harness_stream():
    log = []

    class Event:
        def __init__(self, enable_timing):
            self.enable_timing = enable_timing

        def record(self, stream=None):
            log.append(("record", stream))

        def elapsed_time(self, end):
            return 2.0

    class Buffer:
        def __init__(self, n):
            self.n = n

    fake_torch = SimpleNamespace(
        float32="f32",
        empty=lambda n, dtype, device: log.append(("empty", n, dtype, device)) or Buffer(n),
        Tensor=SimpleNamespace(zero_=lambda buffer: log.append(("zero", buffer.n))),
        cuda=SimpleNamespace(synchronize=lambda: log.append(("sync",)), Event=Event,
                             current_stream=lambda: "stream0"))
    timer = H.CudaTimer.from_torch(fake_torch, 2 * 50 << 20)
    out, decisive, wall, cpu = timer.time(lambda: "out")
    assert out == "out" and decisive == 2_000_000
    assert log[0] == ("empty", (2 * 50 << 20) // 4, "f32", "cuda")
    assert log[1:] == [("zero", (2 * 50 << 20) // 4), ("sync",), ("record", "stream0"), ("sync",),
                       ("record", "stream0"), ("sync",)]


def test_harness_loop_runs_with_the_cuda_timer(tmp_path, monkeypatch):
    """The whole harness in this process, with the CUDA timer on a fake API (no GPU here)."""
    (tmp_path / "chain_cuda_fake.py").write_text(RIGHT_TO_LEFT)
    monkeypatch.syspath_prepend(str(tmp_path))
    plan = {"workload": TOY.source, "sizes": {"n": 40}, "device": "cpu", "threads": 1,
            "output": "array", "max_values": 100, "seed": 1, "probe": 2, "reps": 3, "min_reps": 3,
            "sides": ["B", "F"]}
    saved = dict(H._STATE)
    torch = sys.modules.get("torch")
    threads = torch.get_num_threads() if torch else None
    try:
        control = H.control(plan)
        fake = FakeCuda()
        H._STATE["timer"] = H.CudaTimer(synchronize=fake.synchronize, event=fake.event,
                                        record=fake.record, elapsed=fake.elapsed, flush=fake.flush,
                                        stream="s")
        reply = H.measure(dict(plan, target="chain_cuda_fake.product", sides=["S", "B", "F"], reps=4))
    finally:
        H._STATE.clear()
        H._STATE.update(saved)
        if torch:
            torch.set_num_threads(threads)  # the harness pins threads: not this process's business
    assert len(control["reps"]) == 3 and len(reply["reps"]) == 4
    for rep in reply["reps"]:
        assert sorted(rep["sides"]) == ["B", "F", "S"]
        assert all(s["call"] == 1_500_000 and s["type_ok"] for s in rep["sides"].values())
    assert fake.log.count("flush") == 12  # before every timed call
    expected = TOY.expected_outputs({"n": 40}, seed=1, probe=2, reps=4, max_values=100)
    assert np.allclose(reply["reps"][3]["sides"]["S"]["values"], expected[3]["values"])


def test_cpu_timer_reports_wall_and_cpu():
    clocks = iter([100, 250])
    cpus = iter([10, 60])
    timer = H.CpuTimer(clock=lambda: next(clocks), cpu_clock=lambda: next(cpus))
    assert timer.time(lambda: 7) == (7, 150, 150, 50)


def test_sample_index_is_deterministic_and_covers_small_outputs():
    assert H.sample_index(1, 2, 10, 20) is None
    a, b = H.sample_index(1, 2, 10**6, 50), H.sample_index(1, 2, 10**6, 50)
    assert np.array_equal(a, b) and a.max() < 10**6
    assert not np.array_equal(a, H.sample_index(1, 3, 10**6, 50))


# ---------------------------------------------------------------------------- units: the decision


def side(call, *, values, cpu=None, post=10_000, wall=None, types=("numpy.ndarray",), dtype="float64"):
    return {"types": list(types), "type_ok": True, "dtypes": [dtype], "shapes": [[3]],
            "devices": ["cpu"], "size": 3, "finite": True, "values": np.asarray(values, float),
            "prep": 1000, "call": call, "wall": call if wall is None else wall,
            "cpu": (call if wall is None else wall) if cpu is None else cpu, "post": post,
            "threads_changed": False}


def fake_reply(student_ns, baseline_ns, *, reps=12, values=(1.0, 2.0, 3.0), gen=100_000, best_ns=None,
               **overrides):
    best_ns = best_ns or student_ns
    rows = []
    for _ in range(reps):
        rows.append({"gen": gen, "order": "SBF", "sides": {
            "S": side(student_ns, values=values, **overrides),
            "B": side(baseline_ns, values=(1.0, 2.0, 3.0)),
            "F": side(best_ns, values=(1.0, 2.0, 3.0))}})
    loop = sum(r["gen"] + sum(s["prep"] + s["wall"] + s["post"] for s in r["sides"].values()) for r in rows)
    return {"reps": rows, "loop": loop + 10_000, "elapsed": loop + 20_000, "import": 5000}


def fake_control(baseline_ns, best_ns, reps=5, gen=100_000):
    return {"reps": [{"gen": gen, "sides": {"B": side(baseline_ns, values=(1, 2, 3)),
                                            "F": side(best_ns, values=(1, 2, 3))}}] * reps}


EXPECTED = [{"values": np.array([1.0, 2.0, 3.0]), "size": 3, "scale": 3.0, "dtypes": ["float64"],
             "shapes": [[3]]}] * 20


def decide(reply, control=None, *, wall=None, cpu=None, **limits):
    limits = Limits(**{"threshold": 0.2, "warmups": 2, "min_reps": 5, **limits})
    control = control or fake_control(10_000_000, 100_000)
    wall = reply["elapsed"] / 1e9 + 0.002 if wall is None else wall
    return judge(reply, control, EXPECTED, wall_s=wall, cpu_s=cpu, limits=limits,
                 baseline_name="the baseline")


def test_decision_on_the_ratio_of_medians():
    assert decide(fake_reply(1_000_000, 10_000_000, best_ns=500_000)).kind == PASS
    assert decide(fake_reply(2_500_000, 10_000_000, best_ns=500_000)).kind == BORDERLINE
    assert decide(fake_reply(9_000_000, 10_000_000, best_ns=500_000)).kind == SLOW
    # A baseline slower than in the clean control counts with at most 1.5x its control time.
    verdict = decide(fake_reply(5_000_000, 25_000_000, best_ns=500_000))
    assert verdict.baseline_ms == pytest.approx(15.0) and verdict.kind == SLOW


def test_implausibly_fast_is_flagged_not_awarded():
    verdict = decide(fake_reply(5_000, 10_000_000, best_ns=500_000))
    assert verdict.kind == FLAG and "not plausible" in verdict.message


def test_wrong_value_type_and_dtype_fail():
    assert decide(fake_reply(1_000_000, 10_000_000, values=(1.0, 2.0, 3.1))).kind == WRONG
    reply = fake_reply(1_000_000, 10_000_000)
    reply["reps"][7]["sides"]["S"]["type_ok"] = False
    assert "call 8 of 12" in decide(reply).message
    assert decide(fake_reply(1_000_000, 10_000_000, dtype="float32")).kind == WRONG


def test_wrong_baseline_values_are_flagged():
    reply = fake_reply(1_000_000, 10_000_000, best_ns=500_000)
    reply["reps"][3]["sides"]["B"]["values"] = np.array([0.0, 0.0, 0.0])
    assert decide(reply).kind == FLAG


def test_clock_that_disagrees_with_the_parent_is_flagged():
    reply = fake_reply(1_000_000, 10_000_000, best_ns=500_000)
    assert decide(reply, wall=reply["elapsed"] / 1e9 * 3 + 0.2).kind == FLAG
    reply["loop"] += 300_000_000  # time outside every segment
    reply["elapsed"] += 300_000_000
    assert decide(reply).kind == FLAG


def test_cpu_time_beyond_the_pinned_threads_fails():
    reply = fake_reply(1_000_000, 10_000_000, best_ns=500_000)
    assert decide(reply, cpu=reply["elapsed"] / 1e9).kind == PASS
    assert decide(reply, cpu=reply["elapsed"] / 1e9 * 3 + 0.2).kind == THREADS
    busy = fake_reply(1_000_000, 10_000_000, best_ns=500_000, cpu=5_000_000)
    assert decide(busy).kind == THREADS


def test_trusted_work_slower_than_in_the_clean_control_is_flagged():
    assert decide(fake_reply(1_000_000, 10_000_000, best_ns=500_000, post=9_000_000)).kind == FLAG
    assert decide(fake_reply(1_000_000, 10_000_000, best_ns=500_000, gen=20_000_000)).kind == FLAG


def test_cuda_events_far_below_the_host_wall_are_flagged():
    honest = fake_reply(1_000_000, 10_000_000, best_ns=500_000, wall=1_050_000)
    lying = fake_reply(1_000_000, 10_000_000, best_ns=500_000, wall=4_000_000)
    for reply in (honest, lying):
        for rep in reply["reps"]:
            for s in rep["sides"].values():
                s["devices"] = ["cuda:0"]
    assert decide(honest, device="cuda").kind == PASS
    assert decide(lying, device="cuda").kind == FLAG


def test_malformed_data_is_flagged():
    assert decide({"reps": "nope", "elapsed": 1, "loop": 1}, wall=1.0).kind == FLAG


# ---------------------------------------------------------------------------- units: workloads


def _uses_a_closure():
    secret = 3

    def inputs(gen, device):
        return (secret,)

    return inputs


SECRET_SEED = 42


def _uses_a_global(gen, device):
    return (SECRET_SEED,)


def test_workload_functions_are_checked_for_what_they_can_reach():
    with pytest.raises(TypeError, match="lambda"):
        Workload(name="x", inputs=lambda gen, device: (), baseline=toy_left_to_right)
    with pytest.raises(TypeError, match="enclosing"):
        Workload(name="x", inputs=_uses_a_closure(), baseline=toy_left_to_right)
    with pytest.raises(TypeError, match="SECRET_SEED"):
        Workload(name="x", inputs=_uses_a_global, baseline=toy_left_to_right)
    source = TOY.source
    assert "def toy_inputs" in source and "BASELINE = toy_left_to_right" in source
    assert not source.startswith("import torch") and "\nimport torch\n" not in source  # only inside


def test_expected_outputs_match_the_childs_sampling():
    expected = TOY.expected_outputs({"n": 50}, seed=5, probe=9, reps=2, max_values=20)
    mats = toy_inputs(np.random.default_rng([5, 1]), "cpu", 50)[0]
    full = toy_right_to_left(mats)
    assert np.allclose(expected[1]["values"], full[H.sample_index(9, 1, 50, 20)])
    assert expected[0]["dtypes"] == ["float64"] and expected[0]["shapes"] == [[50]]
    assert math.isclose(expected[1]["scale"], float(np.abs(full).max()))


def test_cpu_seconds_of_the_child_are_read_by_the_parent(tmp_path):
    (tmp_path / "spin.py").write_text("import time\ndef spin(s):\n    t = time.process_time()\n"
                                      "    while time.process_time() - t < s:\n        pass\n")
    with SandboxedProcess(tmp_path) as sandbox:
        sandbox.call("spin", "spin", (0.0,), {}, timeout=10)
        before = sandbox.cpu_seconds()
        started = time.perf_counter()
        sandbox.call("spin", "spin", (0.5,), {}, timeout=10)
        wall = time.perf_counter() - started
        used = sandbox.cpu_seconds() - before
    assert 0.45 <= used <= wall + 0.05  # spins 0.5 s of CPU time, however loaded the machine


# ---------------------------------------------------------------------------- the manifest's [[timing]]

TOY_TIMING = """
[[timing]]
id = "toy_chain"
problem = "arrays"
target = "arrays.product"
workload = "timing_workloads.py:CHAIN"
weight = 2
device_policy = "gpu-or-cpu"
cpu = { sizes = { n = { between = [100, 120] } }, threshold = 0.2, reps = 9 }
gpu = { sizes = { n = 2048 }, threshold = 0.1 }
"""


def _toy_with_timing(tmp_path, entry: str):
    from autograder.problemset import load_problem_set

    from .conftest import REPO

    root = tmp_path / "toy"
    shutil.copytree(REPO / "tests/data/course/solutions/toy", root)
    with open(root / "problemset.toml", "a") as f:
        f.write(entry)
    return root, load_problem_set


def test_manifest_timing_entries_are_read_and_validated(tmp_path):
    from autograder.problemset import ProblemSetError

    root, load = _toy_with_timing(tmp_path, TOY_TIMING)
    (entry,) = load(root).timing
    assert (entry.id, entry.problem, entry.weight, entry.function) == ("toy_chain", "arrays", 2.0, "product")
    assert entry.devices == ("cpu", "gpu") and entry.cpu["threshold"] == 0.2
    mistakes = [(('problem = "arrays"', 'problem = "nope"'), "unknown problem 'nope'"),
                (("gpu = { sizes = { n = 2048 }, threshold = 0.1 }", ""), "needs a gpu table"),
                (("reps = 9", "repetitions = 9"), "unknown keys ['repetitions']"),
                (("threshold = 0.2", "threshold = 0"), "threshold must be positive"),
                (('device_policy = "gpu-or-cpu"', 'device_policy = "gpu"'), "device_policy must be")]
    for case, (wrong, says) in enumerate(mistakes):
        root, load = _toy_with_timing(tmp_path / str(case), TOY_TIMING.replace(*wrong))
        with pytest.raises(ProblemSetError, match=re.escape(says)):
            load(root)


def test_manifest_sizes_between_are_drawn_from_the_checks_secret_seed():
    from autograder.timing.check import variant

    table = {"sizes": {"n": {"between": [100, 120]}, "r": 8}, "threshold": 0.2, "warmups": [1, 2]}
    drawn = [variant(table, np.random.default_rng([7, i])).sizes["n"] for i in range(50)]
    assert all(100 <= n <= 120 for n in drawn) and len(set(drawn)) > 5
    again = variant(table, np.random.default_rng([7, 0]))
    assert again.sizes == {"n": drawn[0], "r": 8} and again.warmups == (1, 2) and again.threshold == 0.2
    assert variant(None, np.random.default_rng(0)) is None


def test_statement_timing_table_shows_the_manifests_thresholds():
    from autograder.problemset import load_problem_set
    from autograder.release.pipeline import timing_table

    from .conftest import REPO

    table = timing_table(load_problem_set(REPO / "solutions/ps1_linalg"))
    row = next(line for line in table.splitlines() if "`chain_product`" in line)
    assert "left-to-right evaluation" in row and "n from 560 to 640" in row and "≤ 0.1×" in row
    assert timing_table(load_problem_set(REPO / "tests/data/course/solutions/toy")) == ""
