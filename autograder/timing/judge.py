"""The decision, in the trusted parent: the parent's own measurements in, one verdict out. Pure.

Every number here was measured by the parent from outside the children (its clock around each
request, each child's CPU time from its cgroup or /proc); the only data from the student's child are
its outputs, which are checked against the trusted child's baseline outputs on the same inputs.

The time of one call of a side is its ``go`` phase, plus, for the student, whatever that repetition's
``stage`` and ``fetch`` phases took beyond 1.5 times the trusted child's (medians): work moved out of
the call is counted, not flagged, and a staging that is noisy widens the margin like a noisy call.
On CPU the decisive measure is CPU time (a busy machine stretches wall time, hardly CPU time).
Where the CPU count could miss work (no cgroup: a process started and reaped between two readings
loses its last tick), the parent's wall clock takes over when the student's calls wait far longer
than the baseline's. On CUDA it is the wall time of a call that ends with a device-wide synchronize.
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
NOISY = "noisy"  # too noisy to decide near the threshold: measure again, then "inconclusive"
FLAG = "flag"  # implausibly fast: measure again from fresh processes; twice in a row: manual review
TIMEOUT = "timeout"  # done: failed (far slower than the threshold; the deadline stopped it)

PHASES = ("stage", "go", "fetch")
_PRECISION = {"float16": 1, "bfloat16": 1, "float32": 2, "float64": 3, "longdouble": 4, "float128": 4}


@dataclass(frozen=True)
class Limits:
    """The numbers a verdict depends on (from the check's Variant and the engine's defaults)."""

    threshold: float  # pass when median(student) <= threshold * median(baseline)
    band: float = 1.5  # (threshold, threshold * band]: borderline, measured again
    warmups: int = 3  # the first repetitions are warm-ups (checked like the others, not timed)
    min_reps: int = 7  # timed repetitions needed for a decision
    max_speedup: float = 10.0  # faster than best / max_speedup is implausible
    rtol: float = 1e-9  # |yours - expected| <= rtol * max|expected| + atol, elementwise
    atol: float = 0.0
    output: str = "array"
    device: str = "cpu"
    noise: float = 0.25  # the ratio's relative uncertainty above which a close call is not decided
    data_slack: float = 0.5  # staging/fetching may cost the student this much more than the trusted
    exact_cpu: bool = False  # CPU time counts every process the child ever started (a cgroup)
    waiting: float = 3.0  # student waits more than this times the baseline's wall: time on the wall


@dataclass
class Verdict:
    kind: str
    message: str
    ratio: float = math.nan  # time(student) / time(baseline), medians over the timed repetitions
    best_ratio: float = math.nan  # time(best) / time(baseline)
    student_ms: float = math.nan
    baseline_ms: float = math.nan
    best_ms: float = math.nan
    timed_reps: int = 0
    measure: str = "cpu"  # cpu | wall: what the ratio was computed from
    moved_ms: float = 0.0  # of student_ms: staging and fetching beyond the trusted child's (median)
    details: dict = field(default_factory=dict)  # "clear": decided with the uncertainty's margin to spare


def _median(values) -> float:
    return float(np.median(values)) if len(values) else math.nan


def _spread(values) -> float:
    """Interquartile range over median (0 for fewer than 4 values)."""
    if len(values) < 4:
        return 0.0
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return float((q3 - q1) / q2) if q2 > 0 else math.inf


def judge(reps: list[dict], limits: Limits, baseline_name: str) -> Verdict:
    """One attempt's verdict. ``reps``: per repetition, per side (``S``, ``B``, ``F``) the parent's
    measurements ``{"wall": {phase: ns}, "cpu": {phase: ns}}`` and ``problem`` (what was wrong with
    that side's output, or "")."""
    for r, rep in enumerate(reps):
        if rep["S"]["problem"]:
            return Verdict(WRONG, f"on timed call {r + 1} of {len(reps)} (fresh random inputs) your "
                                  f"code {rep['S']['problem']}")
    timed = reps[limits.warmups:]
    sides = sorted(reps[0]) if reps else []
    measure = "wall" if limits.device == "cuda" else "cpu"
    if measure == "cpu" and timed and not limits.exact_cpu and _waits(timed, limits):
        measure = "wall"
    times = {side: [rep[side][measure]["go"] for rep in timed] for side in sides}
    moved = _moved(timed, measure, limits.data_slack)
    if "S" in times:
        times["S"] = [go + extra for go, extra in zip(times["S"], moved, strict=True)]
    student = _median(times.get("S", []))
    baseline = _median(times.get("B", []))
    best = _median(times["F"]) if "F" in times else math.nan
    if not timed or not baseline > 0:
        return Verdict(NOISY, "too few calls could be timed", timed_reps=len(timed), measure=measure)
    ratio = student / baseline
    stats = dict(ratio=ratio, best_ratio=best / baseline, student_ms=student / 1e6,
                 baseline_ms=baseline / 1e6, best_ms=best / 1e6, timed_reps=len(timed), measure=measure,
                 moved_ms=_median(moved) / 1e6 if moved else 0.0)
    # Implausible only against a best known implementation: beating a slow baseline by far is the
    # point of many checks, and says nothing against the student.
    yardstick = best if "F" in times else math.inf
    if math.isfinite(yardstick) and student * limits.max_speedup < yardstick:
        return Verdict(FLAG, f"your code took {student / 1e6:.3g} ms where the best known implementation "
                             f"takes {yardstick / 1e6:.3g} ms: {yardstick / max(student, 1):.0f}x faster is "
                             f"not plausible; an instructor will review it", **stats)
    # How uncertain the ratio is: the two sides' spreads, shrinking with the number of calls.
    uncertainty = math.hypot(_spread(times["S"]), _spread(times["B"])) / math.sqrt(len(timed))
    margin = 1.0 + 2.0 * uncertainty
    enough = len(timed) >= limits.min_reps
    if ratio * margin <= limits.threshold and enough:
        return Verdict(PASS, "", **stats, details={"clear": True})
    if ratio / margin > limits.threshold * limits.band:
        return Verdict(SLOW, "", **stats, details={"clear": True})
    if uncertainty > limits.noise:  # neither side of the threshold is clear, and noise is why
        return Verdict(NOISY, "the machine was too busy to time your code reliably", **stats)
    if ratio <= limits.threshold and enough:
        return Verdict(PASS, "", **stats)
    if ratio > limits.threshold * limits.band:
        return Verdict(SLOW, "", **stats)
    return Verdict(BORDERLINE, "", **stats)


def _moved(timed: list[dict], measure: str, slack: float) -> list[float]:
    """Per repetition, the time the student's side spent staging and fetching beyond the trusted
    child's (its medians), less ``slack`` of the trusted child's (moving the same data costs each
    process a little more or less from one moment to the next): work moved out of the call, counted as
    call time. Each phase on its own: a cheap fetch does not pay for an expensive staging."""
    allowed = {phase: (1.0 + slack) * _median([rep["B"][measure][phase] for rep in timed])
               for phase in ("stage", "fetch")}
    return [sum(max(0.0, rep["S"][measure][phase] - allowance) for phase, allowance in allowed.items())
            for rep in timed]


def _waits(timed: list[dict], limits: Limits) -> bool:
    """Whether the student's calls wait (wall time beyond CPU time) far longer than the baseline's
    under the same load: work done where its CPU time is not counted. A busy machine makes every
    call wait for a core, so the margin grows with the baseline's wall time."""
    def waiting(side):
        return _median([max(0, rep[side]["wall"]["go"] - rep[side]["cpu"]["go"]) for rep in timed])

    baseline_wall = _median([rep["B"]["wall"]["go"] for rep in timed])
    return waiting("S") > limits.waiting * (waiting("B") + baseline_wall) + 5e6


# ---------------------------------------------------------------------------- outputs


def check_output(got: list[dict], want: list[dict], limits: Limits, compared=None) -> str:
    """What is wrong with one output (a phrase after "your code"), or "". ``got``: the student's
    leaves as fetched; ``want``: the baseline's, from the trusted child on the same inputs;
    ``compared``: a function giving the pair of values to compare (the workload's ``result`` of
    each), called once the output's structure is right; default the leaves'. Never quotes what the
    student returned (hidden checks echo no student-controlled text)."""
    if len(got) != len(want):
        return "returned a result with a different number of arrays than expected"
    allowed = {"array": ("ndarray", "tensor"), "params": ("tensor",),
               "scalar": ("float", "numpy scalar", "ndarray", "tensor")}[limits.output]
    for g, w in zip(got, want, strict=True):
        values = g.get("values")
        if g.get("kind") not in allowed or type(values) is not np.ndarray:
            return f"returned something else than {_allowed(limits.output)}"
        if limits.output == "scalar":
            if values.ndim != 0 and values.shape != (1,):
                return "returned an array where a scalar was expected"
            if _PRECISION.get(str(g.get("dtype")), 0) < _PRECISION.get(str(w["dtype"]), 3):
                return "returned a lower-precision value than the inputs"
        else:
            if g.get("kind") != w["kind"] or g.get("dtype") != w["dtype"]:
                return (f"returned a result of another type or dtype than expected (a {w['dtype']} "
                        f"{w['kind']}): keep the inputs' type and dtype, no lower precision")
            if values.shape != w["values"].shape:
                return "returned a result of the wrong shape"
            if g.get("device") != w["device"]:
                return f"returned a result on another device than the inputs' ({w['device']})"
    if compared is None:
        pair = ([g["values"] for g in got], [w["values"] for w in want])
    else:
        try:
            pair = compared()
        except Exception:  # noqa: BLE001 - the student's output does not fit the workload's result
            return "returned a result that cannot be compared with the expected one (its structure differs)"
    return _compare_values(*pair, limits)


def _compare_values(got: list[np.ndarray], want: list[np.ndarray], limits: Limits) -> str:
    flat_got, flat_want = _flat(got), _flat(want)
    if flat_got.size != flat_want.size:
        return "returned a result of the wrong size"
    if not np.isfinite(flat_got).all():
        return "returned NaN or infinite values"
    scale = float(np.max(np.abs(flat_want))) if flat_want.size else 0.0
    diff = float(np.max(np.abs(flat_got - flat_want))) if flat_got.size else 0.0
    if not diff <= limits.rtol * scale + limits.atol:
        relative = diff / scale if scale else math.inf
        return (f"returned a wrong result: off by up to {relative:.2g} relative to the largest entry "
                f"(tolerance {limits.rtol:g}); every timed call is checked, warm-ups included")
    return ""


def _flat(values: list) -> np.ndarray:
    if not values:
        return np.zeros(0)
    return np.concatenate([np.asarray(v, dtype=np.float64).reshape(-1) for v in values])


def _allowed(output: str) -> str:
    return {
        "array": "exactly a numpy.ndarray or torch.Tensor like the inputs (no subclass, no lazy or "
                 "wrapped object)",
        "scalar": "a float, a numpy float scalar, or a 0-d numpy array or torch tensor",
        "params": "the parameters as plain torch tensors",
    }[output]
