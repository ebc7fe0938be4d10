"""Timing checks from the trusted parent: ``timing.compare(...)`` in a hidden check.

One comparison, step by step:

1. restart the submission's sandboxed child, so that the harness is the first code it loads;
2. ``probe``: does the sandbox have a GPU? The check's device policy picks the variant (its sizes
   and threshold), or skips the check and says why;
3. ``control``: the trusted sides (baseline, best) timed alone in that clean process;
4. ``measure``: the student's module imported, student and trusted sides interleaved on fresh inputs,
   under a deadline derived from the control (code far over the threshold is stopped, not waited for);
5. the verdict (``judge``), from the parent's own expected values, wall clock and /proc CPU time;
   borderline results are measured again (a bounded number of times), implausible ones once more from
   a fresh process and then flagged for manual review, never awarded.

The outcome is in the check's output (device, ratio, times) and in a bar chart against the threshold.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from autograder.problemset import POLICY_DEVICES, TIMING_POLICIES
from autograder.sandbox.errors import MissingName, StudentTimeout
from autograder.sandbox.process import SandboxedProcess, child_environment
from autograder.timing import harness as _harness
from autograder.timing.judge import (
    BORDERLINE,
    FLAG,
    PASS,
    SLOW,
    THREADS,
    TIMEOUT,
    WRONG,
    Limits,
    Verdict,
    judge,
)
from autograder.timing.workload import Workload

HARNESS = Path(_harness.__file__).read_text()
DRIVER = "autograder_timing"
POLICIES = TIMING_POLICIES
_DEFAULT_RTOL = {"float64": 1e-9, "float32": 1e-4}
_START_TIMEOUT = 120.0
REQUIRE_GPU = "AUTOGRADER_REQUIRE_GPU"  # set on GPU runners: a GPU check without a GPU is an error


class TimingFlagged(AssertionError):
    """The measurement is implausible (a clock that disagrees with the parent's, trusted code slowed
    down, an impossible speed-up): not awarded, and marked for an instructor to review."""

    review = True  # the check's result carries ``review: true``; ``autograder grade`` lists it


@dataclass(frozen=True)
class Variant:
    """Sizes and threshold of a timing check on one kind of device."""

    sizes: dict  # keyword arguments of the workload's inputs()
    threshold: float  # pass when median(yours) <= threshold * median(baseline)
    reps: int = 15  # timed repetitions (after the warm-ups)
    warmups: tuple[int, int] = (2, 4)  # drawn secretly in this range; identical to timed calls
    min_reps: int = 7  # fewest timed repetitions that may decide (when the budget runs out)
    budget_s: float = 5.0  # the harness stops after this long once it has min_reps
    band: float = 1.5  # ratios in (threshold, threshold * band] are measured again ...
    retries: int = 2  # ... at most this many times
    max_speedup: float = 10.0  # faster than the best known implementation by more: manual review
    rtol: float | None = None  # elementwise, relative to max|expected|; default by dtype
    atol: float = 0.0
    control_reps: int = 6  # the first is dropped
    max_values: int = 20_000  # sampled entries per output sent back for checking


@dataclass
class TimingResult:
    """What a comparison found (also in the check's output and figure)."""

    status: str  # passed | failed | flagged | skipped
    device: str
    message: str
    ratio: float = math.nan
    threshold: float = math.nan
    student_ms: float = math.nan
    baseline_ms: float = math.nan
    best_ms: float = math.nan
    timed_reps: int = 0
    attempts: list[str] = field(default_factory=list)  # each measurement's verdict kind
    reasons: list[str] = field(default_factory=list)  # and its message, where it had one


class Timing:
    """The ``timing`` fixture's object: ``timing.compare(target, workload, cpu=..., gpu=...)``."""

    def __init__(self, sandbox: SandboxedProcess, *, secret: str, call_timeout: float, feedback=None):
        self._sandbox = sandbox
        self._secret = secret
        self._call_timeout = call_timeout
        self._feedback = feedback
        self.threads = int(child_environment("/")["OMP_NUM_THREADS"] or 1)
        self._expected_device = "cpu"

    def compare(self, target: str, workload: Workload, *, cpu: Variant | None = None,
                gpu: Variant | None = None, device_policy: str = "cpu") -> TimingResult:
        """Time the student's ``target`` ("module.function" or "module.Class") against
        ``workload.baseline``; fail the check unless median(yours) <= threshold * median(baseline).

        ``device_policy``: ``"cpu"`` (always the ``cpu`` variant), ``"gpu-or-cpu"`` (the ``gpu``
        variant where the sandbox has a GPU, else the ``cpu`` variant), ``"gpu-or-skip"`` (the ``gpu``
        variant, or the check is skipped and says so). Raises ``AssertionError`` (``TimingFlagged``
        for manual review) when the check fails; returns the result otherwise.
        """
        _validate(target, device_policy, cpu, gpu)
        result = self._compare(target, workload, cpu, gpu, device_policy)
        self._report(target, workload, result)
        if result.status == "flagged":
            raise TimingFlagged(f"flagged for manual review: {result.message}")
        if result.status == "failed":
            raise AssertionError(result.message)
        if result.status == "skipped":
            pytest.skip(result.message)
        return result

    # ------------------------------------------------------------------------ steps

    def _compare(self, target, workload, cpu, gpu, policy) -> TimingResult:
        source = workload.source
        started, verdicts, restarts = None, [], 0
        function = target.rpartition(".")[2]
        while True:
            if started is None:
                started = self._start(workload, source, cpu, gpu, policy)
                if isinstance(started, TimingResult):
                    return started
            device, variant, control, limits_base, deadline = started
            attempt = len(verdicts)
            seed, probe, warmups = self._seeds(target, attempt, variant)
            limits = Limits(**{**limits_base.__dict__, "warmups": warmups})
            plan = {"target": target, "seed": seed, "probe": probe, "reps": warmups + variant.reps,
                    "min_reps": warmups + variant.min_reps, "budget_s": variant.budget_s,
                    "sides": ["S", "B"] + (["F"] if workload.best else [])}
            verdict = self._measure(plan, workload, variant, control, limits, deadline)
            verdicts.append(verdict)
            kind = verdict.kind
            if kind in (PASS, WRONG, SLOW, TIMEOUT) or len(verdicts) > variant.retries:
                break
            if kind in (FLAG, THREADS):
                if restarts >= 1:
                    break
                restarts += 1
                started = None  # measure again from a fresh process
        return self._result(function, workload, device, variant, verdicts, deadline)

    def _start(self, workload: Workload, source: str, cpu, gpu, policy):
        self._sandbox.close()  # a fresh child: the harness loads before the student's module
        info = self._sandbox.drive(DRIVER, HARNESS, "probe", (policy != "cpu",), {},
                                   timeout=_START_TIMEOUT)
        has_gpu = type(info) is dict and info.get("cuda") is True
        if policy != "cpu" and not has_gpu and os.environ.get(REQUIRE_GPU) == "1":
            # A GPU runner that lost its GPU must not quietly time on the CPU: a grader error.
            raise RuntimeError(f"{REQUIRE_GPU}=1 but the sandbox has no usable GPU "
                               f"(probe: {info!r:.200})")
        if policy == "cpu" or not has_gpu:
            if policy == "gpu-or-skip":
                return TimingResult("skipped", "none", "timing check skipped: the sandbox has no GPU "
                                    "and this check is timed on a GPU only (policy gpu-or-skip)")
            device, variant = "cpu", cpu
        else:
            device, variant = "cuda", gpu
        gpu_name = str(info.get("gpu", ""))[:100] if type(info) is dict else ""
        plan = {"workload": source, "sizes": dict(variant.sizes), "device": device,
                "threads": self.threads, "output": workload.output, "max_values": variant.max_values,
                "seed": self._seeds("control", 0, variant)[0], "probe": 0, "reps": variant.control_reps,
                "min_reps": variant.control_reps, "sides": ["B"] + (["F"] if workload.best else [])}
        control = self._sandbox.drive(DRIVER, HARNESS, "control", (plan,), {}, timeout=_START_TIMEOUT)
        self._expected_device = device if device == "cpu" or _parent_has_cuda() else "cpu"
        expected = workload.expected_outputs(variant.sizes, 0, 0, 1, variant.max_values,
                                             self._expected_device)
        dtype = expected[0]["dtypes"][0] if expected[0]["dtypes"] else "float64"
        limits = Limits(threshold=variant.threshold, band=variant.band, min_reps=variant.min_reps,
                        max_speedup=variant.max_speedup, atol=variant.atol, output=workload.output,
                        rtol=variant.rtol if variant.rtol is not None else _DEFAULT_RTOL.get(dtype, 1e-2),
                        threads=self.threads, device=device)
        deadline = _deadline(control, variant, self._call_timeout)
        label = f"cuda ({gpu_name})" if device == "cuda" else f"cpu ({self.threads} thread" \
            f"{'s' if self.threads != 1 else ''}{'; no GPU in the sandbox' if policy != 'cpu' else ''})"
        return label, variant, control, limits, deadline

    def _measure(self, plan, workload: Workload, variant: Variant, control, limits, deadline) -> Verdict:
        cpu_before = self._sandbox.cpu_seconds()
        started = time.perf_counter()
        try:
            reply = self._sandbox.drive(DRIVER, HARNESS, "measure", (plan,), {}, timeout=deadline)
        except StudentTimeout:
            try:
                clean = [r["sides"]["B"]["call"] for r in control["reps"][1:] or control["reps"]]
                return Verdict(TIMEOUT, "", baseline_ms=float(np.median(clean)) / 1e6)
            except (KeyError, TypeError, IndexError):
                return Verdict(TIMEOUT, "")
        wall = time.perf_counter() - started
        cpu_after = self._sandbox.cpu_seconds()
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        if type(reply) is dict and type(reply.get("missing")) is str:
            raise MissingName(reply["missing"][:300])
        reps = reply.get("reps") if type(reply) is dict else None
        count = min(len(reps), plan["reps"]) if type(reps) is list else 1
        expected = workload.expected_outputs(variant.sizes, plan["seed"], plan["probe"], max(count, 1),
                                             variant.max_values, self._expected_device)
        return judge(reply if type(reply) is dict else {}, control, expected, wall_s=wall, cpu_s=cpu,
                     limits=limits, baseline_name=workload.name)

    def _seeds(self, target: str, attempt: int, variant: Variant) -> tuple[int, int, int]:
        digest = hashlib.sha256(f"{self._secret}\0timing\0{target}\0{attempt}".encode()).digest()
        seed = int.from_bytes(digest[:7], "little")
        probe = int.from_bytes(digest[7:14], "little")
        low, high = variant.warmups
        warmups = low + digest[14] % (high - low + 1)
        return seed, probe, warmups

    # ------------------------------------------------------------------------ outcome

    def _result(self, function, workload, device, variant, verdicts, deadline) -> TimingResult:
        last = verdicts[-1]
        passed = next((v for v in verdicts if v.kind == PASS), None)
        final = passed or last
        result = TimingResult(status="passed", device=device, message="", ratio=final.ratio,
                              threshold=variant.threshold, student_ms=final.student_ms,
                              baseline_ms=final.baseline_ms, best_ms=final.best_ms,
                              timed_reps=final.timed_reps, attempts=[v.kind for v in verdicts],
                              reasons=[v.message for v in verdicts if v.message])
        need = _requirement(function, variant.threshold, workload.name)
        if passed is not None:
            return result
        if last.kind == FLAG:
            result.status, result.message = "flagged", last.message
        elif last.kind == TIMEOUT:
            baseline = _median_ms(verdicts, "baseline_ms")
            result.status = "failed"
            result.message = (f"{function} is far too slow: the timed calls did not finish within "
                              f"{deadline:.0f} s. {need}"
                              + (f" ({workload.name} takes about {baseline:.3g} ms per call here)"
                                 if math.isfinite(baseline) else ""))
        elif last.kind in (WRONG, THREADS):
            result.status, result.message = "failed", last.message
        else:
            result.status = "failed"
            measured = (f"{function} took {last.ratio:.3g}x the time of {workload.name} "
                        f"({last.student_ms:.3g} ms against {last.baseline_ms:.3g} ms, medians of "
                        f"{last.timed_reps} interleaved calls on fresh random inputs"
                        f"{f', measured {len(verdicts)} times' if len(verdicts) > 1 else ''}). {need}")
            if last.kind == BORDERLINE and last.ratio <= variant.threshold:
                measured = (f"{function} could not be timed reliably: too few calls finished within "
                            f"the time budget. {need}")
            result.message = measured
        return result

    def _report(self, target: str, workload: Workload, result: TimingResult) -> None:
        if self._feedback is None:
            return
        function = target.rpartition(".")[2]
        if result.status == "skipped":
            return  # the skip message is the check's output
        parts = [f"timed on {result.device}"]
        if math.isfinite(result.ratio):
            parts.append(f"your time / {workload.name} = {result.ratio:.3g} (threshold {result.threshold:g}; "
                         f"{result.student_ms:.3g} ms against {result.baseline_ms:.3g} ms, medians of "
                         f"{result.timed_reps} interleaved calls)")
            values = {f"{function} (yours)": result.ratio}
            if math.isfinite(result.best_ms) and result.baseline_ms > 0:
                values[workload.best_name] = result.best_ms / result.baseline_ms
            self._feedback.bars(f"{function}: time relative to {workload.name} [{result.device}]",
                                values, threshold=result.threshold, ylabel=f"time / {workload.name}")
        if len(result.attempts) > 1:
            parts.append(f"attempts: {', '.join(result.attempts)}")
        self._feedback.note("; ".join(parts))


def _parent_has_cuda() -> bool:
    """Expected values of a GPU variant are computed on the grader's GPU where it has one."""
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001 - no torch, no driver: compute on the CPU
        return False


def _requirement(function: str, threshold: float, baseline: str) -> str:
    if threshold < 1:
        return f"It must be at least {1 / threshold:g}x faster than {baseline}."
    return f"It may take at most {threshold:g}x as long as {baseline}."


def _median_ms(verdicts: list[Verdict], key: str) -> float:
    values = [getattr(v, key) for v in verdicts if math.isfinite(getattr(v, key))]
    return float(np.median(values)) if values else math.nan


def _deadline(control: dict, variant: Variant, call_timeout: float) -> float:
    """Generous for code at the threshold (x4), short for code far over it: from the control's
    trusted timings, plus a few seconds for one-time costs of a first call."""
    try:
        reps = control["reps"][1:] or control["reps"]
        per_rep = float(np.median([r["gen"] for r in reps]))
        for side in reps[0]["sides"]:
            per_side = [r["sides"][side] for r in reps]
            per_rep += 2 * float(np.median([x["prep"] + x["post"] + x["call"] for x in per_side]))
            if side == "B":
                per_rep += max(variant.threshold * variant.band, 1.0) \
                    * float(np.median([x["call"] for x in per_side]))
        estimate = per_rep / 1e9 * (variant.reps + variant.warmups[1])
    except (KeyError, TypeError, ValueError, IndexError):
        estimate = call_timeout
    return float(min(max(4 * estimate + min(call_timeout, 3.0), 3.0), 600.0))


def _validate(target: str, policy: str, cpu: Variant | None, gpu: Variant | None) -> None:
    if "." not in target:
        raise ValueError(f"timing target {target!r} must be 'module.name'")
    if policy not in POLICIES:
        raise ValueError(f"device_policy must be one of {POLICIES}, not {policy!r}")
    for device, variant in (("cpu", cpu), ("gpu", gpu)):
        if device in POLICY_DEVICES[policy] and variant is None:
            raise ValueError(f"device_policy={policy!r} needs a {device}=Variant(...)")
