"""The decision, in the trusted parent: raw data from the child in, one verdict out. Pure functions.

Everything the child reports is treated as a claim. It is checked against what the parent knows by
itself: the expected outputs (recomputed here from the same seeds), the parent's wall clock around
the request, the CPU time the child's processes used (read from /proc), and the clean control run
taken before the student's module was imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# Verdict kinds, and what the runner does with each.
PASS = "pass"  # done: passed
WRONG = "wrong"  # done: failed (an output, type or dtype is wrong; deterministic, no retry)
SLOW = "slow"  # done: failed (clearly over the threshold)
BORDERLINE = "borderline"  # over the threshold but within the band: measure again (bounded)
FLAG = "flag"  # implausible data: measure again from a fresh process once, then manual review
THREADS = "threads"  # more CPU than the pinned threads allow: fresh process once, then failed
TIMEOUT = "timeout"  # done: failed (far slower than the threshold; the deadline stopped it)

_PRECISION = {"float16": 1, "bfloat16": 1, "float32": 2, "float64": 3, "longdouble": 4, "float128": 4}


@dataclass(frozen=True)
class Limits:
    """The numbers a verdict depends on (from the check's Variant and the engine's defaults)."""

    threshold: float  # pass when median(student) <= threshold * median(baseline)
    band: float = 1.5  # (threshold, threshold * band]: borderline, measured again
    warmups: int = 3  # the first repetitions are warm-ups (timed and checked like the others)
    min_reps: int = 7  # timed repetitions needed for a decision
    max_speedup: float = 10.0  # faster than best / max_speedup is implausible
    rtol: float = 1e-9  # |yours - expected| <= rtol * max|expected| + atol, elementwise
    atol: float = 0.0
    output: str = "array"
    threads: int = 1
    device: str = "cpu"
    consistency: float = 3.0  # a harness segment may take this factor longer than in the control ...
    consistency_ns: float = 3e6  # ... plus this much
    wall_slack_s: float = 0.05  # parent wall - child's own total: at most this ...
    wall_slack_rel: float = 0.05  # ... plus this fraction of the wall time
    clean_slack: float = 1.5  # a trusted side counts at most this factor above its clean-control time
    gap_slack_s: float = 0.01  # the child's loop - its measured segments (gaps between them) ...
    gap_slack_rel: float = 0.02  # ... plus this fraction of the loop


@dataclass
class Verdict:
    kind: str
    message: str
    ratio: float = math.nan  # median(student) / median(baseline) over the timed repetitions
    best_ratio: float = math.nan  # median(best) / median(baseline)
    student_ms: float = math.nan
    baseline_ms: float = math.nan
    best_ms: float = math.nan
    timed_reps: int = 0
    details: dict = field(default_factory=dict)


class Malformed(Exception):
    pass


def _num(value) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise Malformed("not a number")
    return float(value)


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan


def judge(reply: dict, control: dict, expected: list[dict], *, wall_s: float, cpu_s: float | None,
          limits: Limits, baseline_name: str) -> Verdict:
    """One attempt's verdict (see the kinds above)."""
    try:
        return _judge(reply, control, expected, wall_s, cpu_s, limits, baseline_name)
    except (Malformed, KeyError, TypeError, ValueError, IndexError, AttributeError):
        return Verdict(FLAG, "the timing data sent back by your process is malformed (was the grader's "
                             "harness tampered with?)")


def _segments(rep: dict, side: str) -> dict:
    s = rep["sides"][side]
    if type(s) is not dict:
        raise Malformed("side")
    return s


def _judge(reply, control, expected, wall_s, cpu_s, limits: Limits, baseline_name: str) -> Verdict:
    reps = reply["reps"]
    if type(reps) is not list or not reps or len(reps) > len(expected):
        raise Malformed("reps")
    sides = sorted(reps[0]["sides"])

    # 1. Every output of every call, warm-ups included: exact type, dtype, shape, values.
    for r, rep in enumerate(reps):
        problem = _check_output(_segments(rep, "S"), expected[r], limits)
        if problem:
            return Verdict(WRONG, f"on timed call {r + 1} of {len(reps)} (fresh random inputs) your "
                                  f"code {problem}")
        if _segments(rep, "S").get("threads_changed") is True:
            return Verdict(WRONG, "your code changed torch's number of threads; timed code must run "
                                  "with the threads it is given (the baseline gets the same)")
    for side in (s for s in sides if s != "S"):
        for r, rep in enumerate(reps):
            if _check_output(_segments(rep, side), expected[r], limits):
                return Verdict(FLAG, f"the trusted {baseline_name if side == 'B' else 'reference'} "
                                     f"computed wrong values in your process: code that changes numpy "
                                     f"or torch for others is not allowed")

    # 2. The child's clock against the parent's wall clock.
    elapsed = _num(reply["elapsed"]) / 1e9
    segments = 0.0
    for rep in reps:
        segments += _num(rep["gen"])
        for side in sides:
            s = _segments(rep, side)
            segments += _num(s["prep"]) + _num(s["wall"]) + _num(s["post"])
    segments /= 1e9
    loop = _num(reply["loop"]) / 1e9
    if elapsed > wall_s + 0.01 or loop > elapsed + 0.001 or segments > loop + 0.001 or \
            wall_s - elapsed > limits.wall_slack_s + limits.wall_slack_rel * wall_s or \
            loop - segments > limits.gap_slack_s + limits.gap_slack_rel * loop:
        return Verdict(FLAG, f"the times your process reported ({segments:.3f} s of measured work in "
                             f"{elapsed:.3f} s) do not add up to the {wall_s:.3f} s the grader measured "
                             f"from outside: the clock seems to have been tampered with")

    # 3. CPU time: no more than the pinned threads can use, over the whole request (read by the
    #    parent from /proc) and during each side's calls (the child's own count: a thread the
    #    student's code leaves running shows up during the baseline's calls too).
    threads_message = ("your code used {cpu:.3g} s of CPU time in {wall:.3g} s{where}: more than "
                       f"{limits.threads} thread(s) can. Timed code must not start threads or processes "
                       f"(the baseline runs on {limits.threads})")
    if limits.device == "cpu":
        if cpu_s is not None and cpu_s > (limits.threads + 0.5) * wall_s + 0.1:
            return Verdict(THREADS, threads_message.format(cpu=cpu_s, wall=wall_s, where=""))
        for side in sides:
            cpu = sum(_num(_segments(rep, side)["cpu"]) for rep in reps) / 1e9
            wall = sum(_num(_segments(rep, side)["wall"]) for rep in reps) / 1e9
            if cpu > (limits.threads + 0.5) * wall + 0.002 * len(reps):
                where = " during your calls" if side == "S" else " during the baseline's calls"
                return Verdict(THREADS, threads_message.format(cpu=cpu, wall=wall, where=where))

    timed = reps[limits.warmups:]
    calls = {side: [_num(_segments(rep, side)["call"]) for rep in timed] for side in sides}
    walls = {side: [_num(_segments(rep, side)["wall"]) for rep in timed] for side in sides}

    # 4. Consistency with the clean control (the same process before the student's module was
    #    loaded): the segments that are neither the student's calls nor used in the decision (making
    #    inputs, copying them, inspecting outputs) must not have become much slower: time moved out of
    #    the student's calls would show there. (Time moved into the trusted calls does not help: they
    #    count with their clean time, see 6.)
    ctrl = control["reps"][1:] or control["reps"]
    pairs = [
        ("gen", [_num(r["gen"]) for r in timed], [_num(r["gen"]) for r in ctrl], "making inputs"),
        ("S prep", [_num(_segments(r, "S")["prep"]) for r in timed],
         [_num(r["sides"]["B"]["prep"]) for r in ctrl], "copying your inputs"),
        ("S post", [_num(_segments(r, "S")["post"]) for r in timed],
         [_num(r["sides"]["B"]["post"]) for r in ctrl], "inspecting your output"),
    ]
    for key, main, clean, what in pairs:
        if not main or not clean:
            continue
        m, c = _median(main), _median(clean)
        if m > limits.consistency * c + limits.consistency_ns:
            return Verdict(FLAG, f"{what} took {m / 1e6:.2f} ms per call with your code loaded, against "
                                 f"{c / 1e6:.2f} ms in the same process before it was loaded: time seems "
                                 f"to have been moved out of your calls", details={"segment": key})

    # 5. CUDA: events against host wall time (events that see less than the host waited: tampering).
    if limits.device == "cuda":
        for side in sides:
            if sum(calls[side]) < 0.5 * sum(walls[side]) - 1e6:
                return Verdict(FLAG, "the CUDA event times of your calls are far below the host's wall "
                                     "time around them: the events seem to have been tampered with")

    # 6. The ratio of medians against the threshold. A trusted side counts with its median
    #    interleaved with the student's code, but at most clean_slack times its median in the clean
    #    control: making it slower (or moving time into it) gains at most that factor, far less than
    #    the margin between a threshold and the wrong algorithm, while honest code keeps a margin for
    #    a machine whose load changes between the control and the measurement.
    clean = {side: _median([_num(r["sides"][side]["call"]) for r in ctrl]) for side in sides if side != "S"}
    student = _median(calls["S"])
    baseline = min(_median(calls["B"]), limits.clean_slack * clean["B"])
    best = min(_median(calls["F"]), limits.clean_slack * clean["F"]) if "F" in calls else math.nan
    stats = dict(student_ms=student / 1e6, baseline_ms=baseline / 1e6, best_ms=best / 1e6,
                 timed_reps=len(timed))
    if baseline <= 0:
        raise Malformed("baseline")
    ratio = student / baseline
    stats.update(ratio=ratio, best_ratio=best / baseline if "F" in calls else math.nan)
    yardstick = best if "F" in calls else baseline
    if student * limits.max_speedup < yardstick:
        return Verdict(FLAG, f"your code was {yardstick / max(student, 1):.0f}x faster than the best known "
                             f"implementation, which is not plausible; an instructor will review it",
                       **stats)
    if ratio <= limits.threshold and len(timed) >= limits.min_reps:
        return Verdict(PASS, "", **stats)
    if ratio > limits.threshold * limits.band:
        return Verdict(SLOW, "", **stats)
    return Verdict(BORDERLINE, "", **stats)


def _check_output(s: dict, want: dict, limits: Limits) -> str | None:
    """What is wrong with one output (a phrase after "your code"), or None."""
    types = s["types"]
    if s["type_ok"] is not True:
        shown = ", ".join(map(str, types[:3])) + (", ..." if len(types) > 3 else "")
        return f"returned {shown}; {_allowed(limits.output)}"
    dtypes = [str(d) for d in s["dtypes"]]
    if limits.output in ("array", "params"):
        if dtypes != want["dtypes"]:
            got, wanted = ", ".join(sorted(set(dtypes))), ", ".join(sorted(set(want["dtypes"])))
            return (f"returned dtype {got} where {wanted} was expected: keep the inputs' dtype "
                    f"(no lower precision)")
        if [list(x) for x in s["shapes"]] != want["shapes"]:
            return "returned a result of the wrong shape"
        if not all(str(d).split(":")[0] == limits.device for d in s["devices"]):
            return f"returned a result on another device than the inputs' ({limits.device})"
    else:
        rank = _PRECISION.get(dtypes[0] if dtypes else "", 0)
        if rank < _PRECISION.get(want["dtypes"][0], 3):
            return f"returned a {dtypes[0] if dtypes else '?'} value: that is lower precision than the inputs"
    if s["size"] != want["size"]:
        return "returned a result of the wrong size"
    if s["finite"] is not True:
        return "returned NaN or infinite values"
    values = s["values"]
    if type(values) is not np.ndarray or values.shape != want["values"].shape:
        raise Malformed("values")
    diff = float(np.max(np.abs(values - want["values"]))) if values.size else 0.0
    tolerance = limits.rtol * want["scale"] + limits.atol
    if not diff <= tolerance:
        relative = diff / want["scale"] if want["scale"] else math.inf
        return (f"returned a wrong result: off by up to {relative:.2g} relative to the largest entry "
                f"(tolerance {limits.rtol:g}); every timed call is checked, warm-ups included")
    return None


def _allowed(output: str) -> str:
    return {
        "array": "expected exactly a numpy.ndarray or torch.Tensor like the inputs (no subclass, no "
                 "lazy or wrapped object)",
        "scalar": "expected a float, a numpy float scalar, or a 0-d numpy array or torch tensor",
        "params": "the parameters must stay plain torch tensors",
    }[output]
