"""Timing checks: honest solutions are judged right, and every known cheat fails or is flagged.

The sandboxed cases time a toy chain product (``chain.product([A1, A2, A3, x])``, n = 400: left to
right is ~40x slower than right to left) against left-to-right evaluation, threshold 0.2. Each cheat
is a small submission that tries one trick from shared/TIMING.md, or reaches for what the grader
keeps out of its process (the baseline, the best known implementation, the clock). The unit cases
test the decision rules on synthetic measurements and the workload's validation.
"""

from __future__ import annotations

import re
import shutil
import textwrap
import time
from dataclasses import replace

import numpy as np
import pytest

from autograder.sandbox.confine import gpu_devices
from autograder.sandbox.errors import MissingName, StudentException
from autograder.sandbox.process import SandboxedProcess
from autograder.timing import Timing, TimingFlagged, Variant, Workload
from autograder.timing.judge import BORDERLINE, FLAG, NOISY, PASS, SLOW, WRONG, Limits, check_output, judge

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
SMALL = Variant(sizes={"n": 400}, threshold=0.2, reps=9, min_reps=5, warmups=(1, 3), retries=1)

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
    assert outcome.result.status == "failed" and outcome.result.ratio > 0.5  # the numbers travel too
    assert "at least 5x faster than left to right" in message and not isinstance(outcome, TimingFlagged)
    # a fail stands when a second measurement, from fresh processes, agrees
    assert outcome.result.attempts == ["slow", "slow"] and "measured 2 times" in message


def test_a_fail_far_over_the_threshold_stands_without_a_second_measurement(tmp_path):
    outcome, _ = run(tmp_path, """
        def product(mats):
            for _ in range(8):  # left to right, eight times over: ~8x the baseline, 27x the threshold
                out = mats[0]
                for m in mats[1:]:
                    out = out @ m
            return out
        """)
    failed_with(outcome, "took")
    assert outcome.result.attempts == ["slow"] and outcome.result.ratio > 3.0


def test_a_fail_measured_once_is_measured_again_from_fresh_processes(tmp_path, monkeypatch):
    """A clear fail on the first measurement (here made one: a transient state of the machine or of
    one process) is measured again from fresh processes, and the second measurement decides."""
    import autograder.timing.runner as runner

    verdicts, children = [], []
    real_judge, real_measure = runner.judge, runner.Timing._measure

    def first_one_slow(reps, limits, name):
        verdict = real_judge(reps, limits, name)
        return replace(verdict, kind=SLOW) if not verdicts else verdict

    def measure(self, *args):
        children.append((self._sandbox._proc, self._trusted._proc))  # the running children's handles
        verdicts.append(real_measure(self, *args))
        return verdicts[-1]

    monkeypatch.setattr(runner, "judge", first_one_slow)
    monkeypatch.setattr(runner.Timing, "_measure", measure)
    result, _ = run(tmp_path, RIGHT_TO_LEFT)
    assert result.status == "passed" and result.attempts == ["slow", "pass"], result
    assert children[0][0] is not children[1][0] and children[0][1] is not children[1][1]  # both afresh


def test_far_too_slow_solution_is_stopped_by_the_deadline(tmp_path):
    outcome, _ = run(tmp_path, """
        import time
        def product(mats):
            started = time.process_time()
            while time.process_time() - started < 2.5:  # CPU beyond the shortest deadline (2 s)
                pass
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
    failed_with(outcome, "something else than exactly")


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
                              warmups=(1, 2), retries=0))
    failed_with(outcome, "something else than exactly")


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
    failed_with(outcome, "wrong result", "NaN", "took")


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
    failed_with(outcome, "took")  # the second thread's CPU time counts: no gain from threads


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
    failed_with(outcome, "another type or dtype")


def test_patching_the_clock_module_changes_nothing(tmp_path):
    outcome, _ = run(tmp_path, textwrap.dedent("""
        import time
        _real_ns, _real = time.perf_counter_ns, time.perf_counter
        time.perf_counter_ns = lambda: _real_ns() // 100
        time.perf_counter = lambda: _real() / 100
        time.monotonic_ns = time.perf_counter_ns
        """) + LEFT_TO_RIGHT)
    message = failed_with(outcome, "took")
    assert not isinstance(outcome, TimingFlagged), message


REACH_FOR_THE_BASELINE = """
import gc, sys

def _trusted():
    # Everything of the grader's this process could hold: the best known implementation, the
    # baseline, the workload's source, the input generator.
    found = []
    for o in gc.get_objects():
        try:
            if callable(o) and getattr(o, "__name__", "").startswith("toy_"):
                found.append(o.__name__)
            elif type(o) is str and "def toy_right_to_left" in o:
                found.append("workload source")
        except Exception:
            pass
    for name, module in list(sys.modules.items()):
        if any(k in vars(module) for k in ("BEST", "BASELINE", "INPUTS")):
            found.append(name)
    frame = sys._getframe()
    while frame is not None:
        if any(k in frame.f_globals for k in ("BEST", "BASELINE")):
            found.append("frame " + frame.f_code.co_name)
        frame = frame.f_back
    return found

def product(mats):
    found = _trusted()
    if found:
        raise RuntimeError("found " + ", ".join(found))
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out
"""


def test_the_baseline_and_the_best_are_not_in_the_students_process(tmp_path):
    """A slow solution that looks for the best known implementation (gc, sys.modules, frames) to
    call it instead finds nothing to call: it stays slow, and fails."""
    outcome, _ = run(tmp_path, REACH_FOR_THE_BASELINE)
    failed_with(outcome, "took")


def test_rewriting_the_harness_in_the_students_process_gains_nothing(tmp_path):
    # The harness's "go" is made to return at once and the real call is made when the output is
    # fetched: the parent counts the fetch beyond the trusted child's as call time.
    outcome, _ = run(tmp_path, textwrap.dedent("""
        import gc
        for d in gc.get_objects():
            if type(d) is dict and "_STATE" in d and "go" in d and "fetch" in d:
                state, real_fetch = d["_STATE"], d["fetch"]
                def go():
                    state["deferred"] = state.pop("thunk")
                def fetch():
                    state["out"] = state.pop("deferred")()
                    return real_fetch()
                d["go"], d["fetch"] = go, fetch
        """) + LEFT_TO_RIGHT)
    message = failed_with(outcome, "took")
    assert not isinstance(outcome, TimingFlagged), message
    assert "returning the output beyond the baseline's" in message  # where the time went
    assert outcome.result.moved_ms > 0.5 * outcome.result.student_ms


def test_working_while_the_inputs_arrive_gains_nothing(tmp_path):
    # The work is done when the call is staged (before the parent's clock would start on "go"):
    # the parent counts the staging beyond the trusted child's as call time.
    outcome, _ = run(tmp_path, textwrap.dedent("""
        import gc
        for d in gc.get_objects():
            if type(d) is dict and "_STATE" in d and "stage" in d and "go" in d:
                state, real_stage = d["_STATE"], d["stage"]
                def stage(side, args):
                    real_stage(side, args)
                    value = state.pop("thunk")()
                    state["thunk"] = lambda: value
                d["stage"] = stage
        """) + LEFT_TO_RIGHT)
    failed_with(outcome, "receiving the inputs or returning the output beyond the baseline's")
    assert outcome.result.moved_ms > 0.5 * outcome.result.student_ms


def test_slowing_down_the_baseline_is_out_of_reach(tmp_path):
    # A profiler hook that sleeps whenever the baseline is entered: the baseline runs in another
    # process, so a slow solution stays slow.
    outcome, _ = run(tmp_path, textwrap.dedent("""
        import sys, time
        def _hook(frame, event, arg):
            if event == "call" and frame.f_code.co_name.startswith("toy_left"):
                time.sleep(0.02)
        sys.setprofile(_hook)
        """) + LEFT_TO_RIGHT)
    message = failed_with(outcome, "took")
    assert not isinstance(outcome, TimingFlagged), message


def test_work_in_another_process_is_counted(tmp_path):
    # The left-to-right product computed by a forked helper process the call waits for: its CPU
    # time is the parent's to see (the process tree), and the wall clock takes over where it is not.
    outcome, _ = run(tmp_path, """
        import os
        def product(mats):
            read, write = os.pipe()
            if os.fork() == 0:
                out = mats[0]
                for m in mats[1:]:
                    out = out @ m
                os.write(write, out.tobytes())
                os._exit(0)
            os.close(write)
            data = b""
            while len(data) < mats[-1].nbytes:
                data += os.read(read, 1 << 20)
            os.wait()
            return np.frombuffer(data, dtype=mats[-1].dtype).copy()
        """)
    failed_with(outcome, "took", "far too slow")


# ---------------------------------------------------------------------------- units: the decision


def measured(go_ns, *, stage=1_000_000, fetch=500_000, wall=None):
    """One side of one repetition, as the parent measures it (CPU and wall, per phase)."""
    wall_go = go_ns if wall is None else wall
    return {"cpu": {"stage": stage, "go": go_ns, "fetch": fetch},
            "wall": {"stage": stage, "go": wall_go, "fetch": fetch}, "problem": ""}


def reps(student, baseline, best=None, n=12, **student_phases):
    rows = []
    for i in range(n):
        s = student(i) if callable(student) else student
        b = baseline(i) if callable(baseline) else baseline
        row = {"S": measured(s, **student_phases), "B": measured(b)}
        if best is not None:
            row["F"] = measured(best)
        rows.append(row)
    return rows


def decide(rows, **limits):
    return judge(rows, Limits(**{"threshold": 0.2, "warmups": 2, "min_reps": 5, **limits}), "the baseline")


def test_decision_on_the_ratio_of_median_cpu_times():
    verdict = decide(reps(1_000_000, 10_000_000, best=500_000))
    assert verdict.kind == PASS and verdict.ratio == pytest.approx(0.1) and verdict.measure == "cpu"
    assert decide(reps(9_000_000, 10_000_000)).kind == SLOW
    assert decide(reps(2_500_000, 10_000_000)).kind == BORDERLINE


def test_work_moved_into_staging_or_fetching_counts_as_call_time():
    moved = decide(reps(100_000, 10_000_000, best=1_000_000, stage=12_000_000))
    assert moved.kind == SLOW and moved.ratio > 0.95  # beyond twice the trusted child's staging
    within = decide(reps(1_000_000, 10_000_000, best=1_000_000, stage=1_400_000))
    assert within.kind == PASS  # moving the same data may cost up to 1.5 times as much: noise
    late = decide(reps(100_000, 10_000_000, best=1_000_000, fetch=10_500_000))
    assert late.kind == SLOW


def test_staging_that_is_sometimes_slow_is_noise_not_a_verdict():
    # every other repetition, the student's child took 6 ms to receive the inputs where the trusted
    # child took 1 ms: the spread enters the margin (measured again), it is not counted as a clear
    # 2.5 ms of moved work in every call
    rows = reps(1_000_000, 10_000_000, best=1_000_000)
    for i, row in enumerate(rows):
        row["S"]["cpu"]["stage"] = 6_000_000 if i % 2 else 1_000_000
    verdict = decide(rows)
    assert verdict.kind == NOISY and verdict.moved_ms == pytest.approx(2.25)
    # the same extra staging in every call is work moved out of the call, and says how much
    steady = decide(reps(1_000_000, 10_000_000, best=1_000_000, stage=6_000_000))
    assert steady.kind == SLOW and steady.moved_ms == pytest.approx(4.5)
    assert steady.student_ms == pytest.approx(5.5)


def test_implausibly_fast_is_flagged_not_awarded():
    verdict = decide(reps(10_000, 10_000_000, best=1_000_000))
    assert verdict.kind == FLAG and "not plausible" in verdict.message
    # without a best known implementation, far faster than the baseline is just fast
    assert decide(reps(10_000, 10_000_000)).kind == PASS


def jumpy(i):
    """A baseline that alternates between 10 and 40 ms: a badly overloaded machine."""
    return 10_000_000 * (1 + 3 * (i % 2))


def test_noise_near_the_threshold_is_inconclusive_not_an_accusation():
    verdict = decide(reps(lambda i: 3_000_000 * (1 + 3 * (i % 3 == 0)), jumpy))
    assert verdict.kind == NOISY and "busy" in verdict.message
    # far from the threshold, noise does not matter: clearly fast passes, clearly slow fails
    assert decide(reps(100_000, jumpy, best=100_000)).kind == PASS
    assert decide(reps(lambda i: 40_000_000 * (1 + (i % 2)), jumpy)).kind == SLOW


def test_waiting_far_beyond_computing_is_judged_on_the_wall_clock():
    # the student's calls take 0.1 ms of CPU and 50 ms of wall time; the baseline's wall is its CPU
    verdict = decide(reps(100_000, 10_000_000, best=100_000, wall=50_000_000))
    assert verdict.measure == "wall" and verdict.kind == SLOW


def test_a_wrong_output_decides_before_any_timing():
    rows = reps(1_000_000, 10_000_000)
    rows[3]["S"]["problem"] = "returned NaN or infinite values"
    verdict = decide(rows)
    assert verdict.kind == WRONG and "timed call 4 of 12" in verdict.message


def test_outputs_are_checked_against_the_baseline_without_echoing_them():
    want = [{"kind": "ndarray", "dtype": "float64", "device": "cpu", "values": np.arange(3.0)}]
    limits = Limits(threshold=0.2)
    assert check_output(want, want, limits) == ""
    wrong_type = [{"kind": "evil.Secret42", "dtype": "", "device": "", "values": None}]
    assert "Secret42" not in check_output(wrong_type, want, limits)
    f32 = [dict(want[0], dtype="float32", values=np.arange(3.0, dtype=np.float32))]
    assert "another type or dtype" in check_output(f32, want, limits)
    off = [dict(want[0], values=np.arange(3.0) + 1e-6)]
    assert "wrong result" in check_output(off, want, limits)
    nan = [dict(want[0], values=np.array([0.0, np.nan, 2.0]))]
    assert "NaN" in check_output(nan, want, limits)

    def unfit():  # the workload's result hook cannot digest the student's output
        raise ValueError("operands could not be broadcast")

    assert "cannot be compared" in check_output(want, want, limits, unfit)  # the student's fault


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


def _setup_with_a_helper(impl, mats):
    return lambda: toy_left_to_right(mats)


def test_only_the_setup_goes_to_the_students_process():
    assert TOY.setup_source == ""  # the default call needs no code there
    with pytest.raises(TypeError, match="toy_left_to_right"):
        Workload(name="x", inputs=toy_inputs, baseline=toy_left_to_right, setup=_setup_with_a_helper)


def test_cpu_time_of_the_child_is_read_by_the_parent(tmp_path):
    (tmp_path / "spin.py").write_text("import time\ndef spin(s):\n    t = time.process_time()\n"
                                      "    while time.process_time() - t < s:\n        pass\n")
    with SandboxedProcess(tmp_path) as sandbox:
        sandbox.call("spin", "spin", (0.0,), {}, timeout=10)
        before = sandbox.cpu_ns() / 1e9
        started = time.perf_counter()
        sandbox.call("spin", "spin", (0.5,), {}, timeout=10)
        wall = time.perf_counter() - started
        used = sandbox.cpu_ns() / 1e9 - before
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
    from autograder.timing.manifest import variant

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
