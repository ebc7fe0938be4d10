"""Timing checks from the trusted parent: ``timing.compare(...)`` in a hidden check.

Who holds what (the one rule: nothing that measures, counts or decides shares a process with
student code):
- the parent (this module) makes every input from the check's secret seed, holds the clock, reads
  each child's CPU time from /proc, checks every output and decides (``judge``);
- a trusted child that never imports student code runs the baseline and the best known
  implementation (the workload's source lives there and here only);
- the student's sandboxed child receives each call's inputs and the workload's ``setup`` (how the
  target is called), runs the call, and hands the output back (``harness``).

One comparison: the trusted child says what it offers (CUDA or not) and the device policy picks the
variant (its sizes and threshold) or skips the check; then warm-ups and timed repetitions, each on
fresh inputs, each side staged, called and fetched in turn (the order rotates), the student's calls
under a deadline derived from the baseline's. The verdict: the ratio of median call times (CPU time
on CPU, wall time on CUDA; see ``judge``); borderline results are measured again (bounded), results
too noisy to decide are measured again and then reported inconclusive (never an accusation), and an
implausibly fast one is measured again from fresh processes and flagged for review only if it stays so.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from autograder.files import WorkFolder
from autograder.problemset import POLICY_DEVICES, TIMING_POLICIES, Variant
from autograder.sandbox.errors import MissingName, StudentTimeout
from autograder.sandbox.limits import child_environment
from autograder.sandbox.process import SandboxedProcess
from autograder.status import Status
from autograder.timing import harness as _harness
from autograder.timing.judge import (
    FLAG,
    NOISY,
    PASS,
    SLOW,
    TIMEOUT,
    WRONG,
    Limits,
    Verdict,
    check_output,
    judge,
)
from autograder.timing.workload import Workload

HARNESS = Path(_harness.__file__).read_text()
DRIVER = "autograder_timing"
POLICIES = TIMING_POLICIES
_DEFAULT_RTOL = {"float64": 1e-9, "float32": 1e-4}
_START_TIMEOUT = 120.0
_PHASE_TIMEOUT = 120.0  # staging and fetching: moving data, never the student's computation
# A clear fail is measured a second time before it stands, unless its ratio is this many times
# the top of the threshold's band: the one false fail seen (a 0.65 ms call measured at 4.35 ms, load
# 47) was 3.4x its threshold; a Python loop where torch.optim's step is expected measures 100x+.
_FAR_OVER = 10.0
REQUIRE_GPU = "AUTOGRADER_REQUIRE_GPU"  # set on GPU runners: a GPU check without a GPU is an error


class TimingFlagged(AssertionError):
    """The measurement is implausible (faster than the best known implementation by far, twice from
    fresh processes): not awarded, and marked for an instructor to review."""

    review = True  # the check's result carries ``review: true``; ``autograder grade`` lists it


class TimingInconclusive(AssertionError):
    """The machine was too busy to decide: not awarded, no accusation; a batch measures it again."""

    inconclusive = True


@dataclass
class TimingResult:
    """What a comparison found (also in the check's output and figure)."""

    status: Status  # a check's status (failed when flagged for review, error when inconclusive)
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
    measure: str = "cpu"  # what the times are: cpu (CPU time) or wall (wall time)
    moved_ms: float = 0.0  # of student_ms: staging and fetching beyond the trusted child's
    review: bool = False  # implausibly fast, twice from fresh processes: not awarded, looked at
    inconclusive: bool = False  # the machine was too busy to decide: measured again by the batch


class Timing:
    """The ``timing`` fixture's object: ``timing.compare(target, workload, cpu=..., gpu=...)``."""

    def __init__(self, sandbox: SandboxedProcess, *, secret: str, call_timeout: float, feedback=None,
                 trusted: SandboxedProcess | None = None):
        self._sandbox = sandbox
        self._secret = secret
        self._call_timeout = call_timeout
        self._feedback = feedback
        self._trusted = trusted  # the clean child for baselines; made (and closed) here if not given
        self.threads = int(child_environment("/")["OMP_NUM_THREADS"] or 1)

    def compare(self, target: str, workload: Workload, *, cpu: Variant | None = None,
                gpu: Variant | None = None, device_policy: str = "cpu") -> TimingResult:
        """Time the student's ``target`` ("module.function" or "module.Class") against
        ``workload.baseline``; fail the check unless time(yours) <= threshold * time(baseline).

        ``device_policy``: ``"cpu"`` (always the ``cpu`` variant), ``"gpu-or-cpu"`` (the ``gpu``
        variant where the sandbox has a GPU, else the ``cpu`` variant), ``"gpu-or-skip"`` (the ``gpu``
        variant, or the check is skipped and says so). Raises ``AssertionError`` when the check fails
        (``TimingFlagged`` for manual review, ``TimingInconclusive`` when the machine was too busy);
        returns the result otherwise.
        """
        _validate(target, device_policy, cpu, gpu)
        owned = self._trusted is None
        with WorkFolder("trusted") as empty:
            if owned:
                self._trusted = trusted_child(empty)
            try:
                result = self._compare(target, workload, cpu, gpu, device_policy)
            finally:
                if owned:
                    self._trusted.close()
                    self._trusted = None
        self._report(target, workload, result)
        if result.status == Status.SKIPPED:
            pytest.skip(result.message)
        if result.status != Status.PASSED:
            failure = (TimingFlagged(f"flagged for manual review: {result.message}") if result.review
                       else TimingInconclusive(result.message) if result.inconclusive
                       else AssertionError(result.message))
            failure.result = result  # the numbers, for benchmarks and reports
            raise failure
        return result

    # ------------------------------------------------------------------------ steps

    def _compare(self, target, workload, cpu, gpu, policy) -> TimingResult:
        verdicts: list[Verdict] = []
        fresh = False
        function = target.rpartition(".")[2]
        while True:
            started = self._start(target, workload, cpu, gpu, policy, fresh)
            if isinstance(started, TimingResult):
                return started
            label, variant, device = started
            verdict = self._measure(target, workload, variant, device, len(verdicts))
            verdicts.append(verdict)
            kind = verdict.kind
            if kind in (PASS, WRONG, TIMEOUT) or len(verdicts) > variant.retries:
                break
            if kind in (FLAG, SLOW) and sum(v.kind == kind for v in verdicts) >= 2:
                break
            if kind == SLOW and verdict.ratio > variant.threshold * variant.band * _FAR_OVER:
                break  # no slow spell of a machine makes an honest call that many times slower
            # An implausible result, and a clear fail the first time, are measured again from fresh
            # processes: a verdict against the student stands when a second, independent
            # measurement agrees (a state of the machine or of one process that lasts for the few
            # hundred milliseconds of one measurement does not decide alone).
            fresh = kind in (FLAG, SLOW)
        return self._result(function, workload, label, variant, verdicts)

    def _start(self, target, workload: Workload, cpu, gpu, policy, fresh: bool):
        """Both children ready for the check: the trusted one with the workload, the student's with
        the setup and the target; the device and variant chosen from what the trusted child sees."""
        if fresh:
            self._trusted.close()
            self._sandbox.close()
        want_torch = workload.uses_torch
        info = self._trusted.drive(DRIVER, HARNESS, "prepare", ({
            "source": workload.source, "threads": self.threads, "torch": want_torch,
            "want_gpu": policy != "cpu"},), {}, timeout=_START_TIMEOUT)
        has_gpu = type(info) is dict and info.get("cuda") is True
        if policy != "cpu" and not has_gpu and os.environ.get(REQUIRE_GPU) == "1":
            # A GPU runner that lost its GPU must not quietly time on the CPU: a grader error.
            raise RuntimeError(f"{REQUIRE_GPU}=1 but the sandbox has no usable GPU (probe: {info!r:.200})")
        if policy == "cpu" or not has_gpu:
            if policy == "gpu-or-skip":
                return TimingResult(Status.SKIPPED, "none", "timing check skipped: the sandbox has no GPU "
                                    "and this check is timed on a GPU only (policy gpu-or-skip)")
            device, variant = "cpu", cpu
        else:
            device, variant = "cuda", gpu
        reply = self._sandbox.drive(DRIVER, HARNESS, "prepare", ({
            "source": workload.setup_source, "threads": self.threads, "torch": want_torch,
            "target": target},), {}, timeout=_START_TIMEOUT)
        if type(reply) is dict and type(reply.get("missing")) is str:
            raise MissingName(reply["missing"][:300])
        for child in (self._trusted, self._sandbox):
            child.drive(DRIVER, HARNESS, "use_device", (device,), {}, timeout=_START_TIMEOUT)
        if device == "cuda":
            label = f"cuda ({str(info.get('gpu', ''))[:100]})"
        else:
            plural = "s" if self.threads != 1 else ""
            no_gpu = "; no GPU in the sandbox" if policy != "cpu" else ""
            label = f"cpu ({self.threads} thread{plural}{no_gpu})"
        return label, variant, device

    def _measure(self, target, workload: Workload, variant: Variant, device: str, attempt: int) -> Verdict:
        seed, warmups = self._seeds(target, attempt, variant)
        sides = ["S", "B"] + (["F"] if workload.best else [])
        orders = [o for o in itertools.permutations(sides) if o[0] == "B"]  # rep 0: the baseline first
        orders += [o for o in itertools.permutations(sides) if o[0] != "B"]
        limits = None
        reps: list[dict] = []
        begin = time.perf_counter()
        baseline_walls: list[int] = []
        for r in range(warmups + variant.reps):
            inputs = workload.inputs(np.random.default_rng([seed, r]), "cpu", **variant.sizes)
            record, outputs = {}, {}
            for side in orders[r % len(orders)]:
                deadline = _PHASE_TIMEOUT
                if side == "S":
                    deadline = _call_deadline(baseline_walls, variant, self._call_timeout)
                try:
                    record[side], outputs[side] = self._call(side, list(inputs), deadline)
                except StudentTimeout:
                    baseline = float(np.median(baseline_walls)) / 1e6 if baseline_walls else math.nan
                    return Verdict(TIMEOUT, "", baseline_ms=baseline, details={"deadline": deadline})
                if side == "B":
                    baseline_walls.append(record[side]["wall"]["go"])
            if limits is None:
                limits = _limits(variant, workload, outputs["B"], warmups, device, self._sandbox.exact_cpu)
            expected = workload.compared(outputs["B"], inputs)
            for side in sides:
                record[side]["problem"] = "" if side == "B" else check_output(
                    outputs[side], outputs["B"], limits,
                    functools.partial(_pair, workload, outputs[side], inputs, expected))
            if "F" in record and record["F"]["problem"]:
                raise RuntimeError(f"the best known implementation disagrees with the baseline: "
                                   f"{record['F']['problem']}")
            reps.append(record)
            if record["S"]["problem"]:
                break
            if r + 1 >= warmups + variant.min_reps:
                verdict = judge(reps, limits, workload.name)
                if _clear(verdict) or time.perf_counter() - begin > variant.budget_s:
                    return verdict
        return judge(reps, limits, workload.name)

    def _call(self, side: str, args: list, go_deadline: float) -> tuple[dict, list]:
        """Stage, run and fetch one call on one side, each phase timed from here."""
        child = self._sandbox if side == "S" else self._trusted
        measured: dict = {"wall": {}, "cpu": {}}
        output = None
        cpu0 = child.cpu_ns() if child.alive else None
        for phase, arguments in (("stage", (side, args)), ("go", ()), ("fetch", ())):
            wall0 = time.perf_counter_ns()
            value = child.drive(DRIVER, HARNESS, phase, arguments, {},
                                timeout=go_deadline if phase == "go" else _PHASE_TIMEOUT)
            wall = time.perf_counter_ns() - wall0
            cpu1 = child.cpu_ns()  # contiguous readings: no CPU time falls between two phases
            measured["wall"][phase] = wall
            measured["cpu"][phase] = wall if cpu0 is None or cpu1 is None else cpu1 - cpu0
            cpu0 = cpu1
            if phase == "fetch":
                output = value.get("leaves") if type(value) is dict else None
        return measured, output if type(output) is list else []

    def _seeds(self, target: str, attempt: int, variant: Variant) -> tuple[int, int]:
        digest = hashlib.sha256(f"{self._secret}\0timing\0{target}\0{attempt}".encode()).digest()
        seed = int.from_bytes(digest[:7], "little")
        low, high = variant.warmups
        return seed, low + digest[14] % (high - low + 1)

    # ------------------------------------------------------------------------ outcome

    def _result(self, function, workload, device, variant, verdicts) -> TimingResult:
        last = verdicts[-1]
        passed = next((v for v in verdicts if v.kind == PASS), None)
        final = passed or last
        result = TimingResult(status=Status.PASSED, device=device, message="", ratio=final.ratio,
                              threshold=variant.threshold, student_ms=final.student_ms,
                              baseline_ms=final.baseline_ms, best_ms=final.best_ms,
                              timed_reps=final.timed_reps, attempts=[v.kind for v in verdicts],
                              reasons=[v.message for v in verdicts if v.message], measure=final.measure,
                              moved_ms=final.moved_ms)
        need = _requirement(function, variant.threshold, workload.name)
        if passed is not None:
            return result
        if last.kind == FLAG:
            result.status, result.review, result.message = Status.FAILED, True, last.message
        elif last.kind == NOISY:
            result.status, result.inconclusive = Status.ERROR, True
            result.message = (f"timing inconclusive: the machine was too busy to time {function} "
                              f"reliably ({len(verdicts)} attempts); it is measured again later. "
                              f"This says nothing about your code.")
        elif last.kind == TIMEOUT:
            baseline = last.baseline_ms
            result.status = Status.FAILED
            result.message = (f"{function} is far too slow: a timed call did not finish within "
                              f"{last.details.get('deadline', 0):.3g} s. {need}"
                              + (f" ({workload.name} takes about {baseline:.3g} ms per call here)"
                                 if math.isfinite(baseline) else ""))
        elif last.kind == WRONG:
            result.status, result.message = Status.FAILED, last.message
        else:
            result.status = Status.FAILED
            again = f", measured {len(verdicts)} times" if len(verdicts) > 1 else ""
            times = _times(last.student_ms, last.moved_ms, last.baseline_ms, last.measure, last.timed_reps)
            result.message = (f"{function} took {last.ratio:.3g}x the time of {workload.name} "
                              f"({times} on fresh random inputs{again}). {need}")
        return result

    def _report(self, target: str, workload: Workload, result: TimingResult) -> None:
        if self._feedback is None or result.status == Status.SKIPPED:
            return  # a skip's message is the check's output
        function = target.rpartition(".")[2]
        parts = [f"timed on {result.device}"]
        if math.isfinite(result.ratio):
            times = _times(result.student_ms, result.moved_ms, result.baseline_ms, result.measure,
                           result.timed_reps)
            parts.append(f"your time / {workload.name} = {result.ratio:.3g} (threshold {result.threshold:g}; "
                         f"{times})")
            values = {f"{function} (yours)": result.ratio}
            if math.isfinite(result.best_ms) and result.baseline_ms > 0:
                values[workload.best_name] = result.best_ms / result.baseline_ms
            self._feedback.bars(f"{function}: time relative to {workload.name} [{result.device}]",
                                values, threshold=result.threshold, ylabel=f"time / {workload.name}")
        if len(result.attempts) > 1:
            parts.append(f"attempts: {', '.join(result.attempts)}")
        self._feedback.note("; ".join(parts))


_MEASURES = {"cpu": "CPU time", "wall": "wall time"}


def _times(student_ms: float, moved_ms: float, baseline_ms: float, measure: str, reps: int) -> str:
    """The two medians a ratio came from, as a failure message and the check's note both say them;
    with how much of the student's time was spent receiving the inputs or returning the output
    beyond what the trusted child spent (counted as call time), where there was any."""
    moved = (f", of which {moved_ms:.3g} ms receiving the inputs or returning the output beyond the "
             f"baseline's" if moved_ms > 0 else "")
    return (f"{student_ms:.3g} ms{moved} against {baseline_ms:.3g} ms of {_MEASURES[measure]}, medians "
            f"of {reps} interleaved calls")


def trusted_child(empty: Path, preload: tuple[str, ...] = ()) -> SandboxedProcess:
    """A child for the grader's own code (baselines), confined like a student's but on an empty
    folder, with uids of its own: the same conditions (the same ``preload``: with warm starts, the
    same template), and no student code ever in it."""
    return SandboxedProcess(empty, trusted=True, preload=preload)


def _limits(variant: Variant, workload: Workload, baseline_leaves: list, warmups: int, device: str,
            exact_cpu: bool) -> Limits:
    dtype = str(baseline_leaves[0].get("dtype")) if baseline_leaves else "float64"
    return Limits(threshold=variant.threshold, band=variant.band, min_reps=variant.min_reps,
                  max_speedup=variant.max_speedup, atol=variant.atol, output=workload.output,
                  rtol=variant.rtol if variant.rtol is not None else _DEFAULT_RTOL.get(dtype, 1e-2),
                  device=device, warmups=warmups, exact_cpu=exact_cpu)


def _pair(workload: Workload, leaves: list, inputs: tuple, expected: list) -> tuple[list, list]:
    """The student's values to compare (the workload's ``result`` of its output) and the expected."""
    return workload.compared(leaves, inputs), expected


def _clear(verdict: Verdict) -> bool:
    """Whether more repetitions cannot change the verdict in practice: a pass or a fail decided with
    the ratio's uncertainty margin to spare (``judge``). Repetitions stop there, after ``min_reps``;
    a close call still gets every repetition (up to ``reps``, within ``budget_s``)."""
    return verdict.kind in (PASS, SLOW) and bool(verdict.details.get("clear"))


def _call_deadline(baseline_walls: list[int], variant: Variant, call_timeout: float) -> float:
    """Generous for code near the threshold, short for code far over it (a Python loop where a
    vectorized call was asked for): from the baseline's calls so far."""
    if not baseline_walls:
        return call_timeout
    baseline_s = float(np.median(baseline_walls)) / 1e9
    allowance = 20 * max(variant.threshold, 1.0) * variant.band * baseline_s
    return float(min(call_timeout, max(2.0, 1.0 + allowance)))


def _parent_has_cuda() -> bool:
    """Expected values of a GPU variant are computed on the grader's GPU where it has one."""
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001 - no torch, no driver: compute on the CPU
        return False


def _requirement(function: str, threshold: float, baseline: str) -> str:
    if threshold < 1:
        return f"It must be at least {1 / threshold:.3g}x faster than {baseline}."
    return f"It may take at most {threshold:g}x as long as {baseline}."


def _validate(target: str, policy: str, cpu: Variant | None, gpu: Variant | None) -> None:
    if "." not in target:
        raise ValueError(f"timing target {target!r} must be 'module.name'")
    if policy not in POLICIES:
        raise ValueError(f"device_policy must be one of {POLICIES}, not {policy!r}")
    for device, variant in (("cpu", cpu), ("gpu", gpu)):
        if device in POLICY_DEVICES[policy] and variant is None:
            raise ValueError(f"device_policy={policy!r} needs a {device}=Variant(...)")
