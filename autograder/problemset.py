"""The problem-set manifest (``problemset.toml``): loading, validating and locating problem sets.

Owns the model every verb shares (problems, points, modules, where the checks are). It reads files;
it does not run checks or write anything.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from autograder.deadline_policy import Deadline, DeadlineError, parse_deadline
from autograder.errors import UserError

MANIFEST = "problemset.toml"
RELEASED_CHECKS = "tests"  # where public checks live in the released student folder
DRIVERS = "drivers"  # per problem set: harnesses that exercise stateful student objects


class ProblemSetError(UserError):
    """The manifest is missing or wrong; the message says what to fix."""


@dataclass(frozen=True)
class Problem:
    id: str
    title: str
    module: str
    points: float
    bonus: bool = False  # earns points on top of the maximum
    banned: tuple[str, ...] = ()  # dotted names the module must not use (prefixes)
    allowed: tuple[str, ...] = ()  # exceptions to ``banned`` (e.g. torch.optim.Optimizer)


# A timing check's device policy -> the variants (cpu/gpu tables) it can use.
POLICY_DEVICES = {"cpu": ("cpu",), "gpu-or-cpu": ("cpu", "gpu"), "gpu-or-skip": ("gpu",)}
TIMING_POLICIES = tuple(POLICY_DEVICES)


@dataclass(frozen=True)
class TimingCheck:
    """A ``[[timing]]`` entry: a hidden check that times ``target`` against a trusted baseline.

    ``workload`` names a ``Workload`` (inputs, baseline, best) as ``"file.py:NAME"`` relative to the
    hidden checks; ``cpu``/``gpu`` hold the variant per device (``sizes``, ``threshold`` and any other
    field of ``autograder.timing.Variant``); a size written ``{ between = [lo, hi] }`` is drawn per
    submission from the check's secret seed.
    """

    id: str
    problem: str
    target: str  # "module.function" or "module.Class" in the student's submission
    workload: str
    weight: float = 1.0
    device_policy: str = "cpu"
    cpu: dict | None = None
    gpu: dict | None = None

    @property
    def function(self) -> str:
        return self.target.rpartition(".")[2]

    @property
    def devices(self) -> tuple[str, ...]:
        """The variants the policy can use: cpu, gpu or both."""
        return POLICY_DEVICES.get(self.device_policy, ())


@dataclass(frozen=True)
class ProblemSet:
    id: str
    title: str
    root: Path  # the folder holding problemset.toml
    problems: tuple[Problem, ...]
    statement: str = "statement.md"
    public_checks: str = "checks/public"
    hidden_checks: str | None = "checks/hidden"
    given: tuple[str, ...] = ()
    call_timeout: float = 10.0
    preload: tuple[str, ...] = ()  # modules the child imports at start-up, not in a timed call
    released: bool = False  # True for the student copy in assignments/<pset>
    worker_resources: dict = field(default_factory=dict)  # Dask resources a grading task needs
    budget_s: float = 1800.0  # wall time one submission's grading may take; then it is stopped
    timing: tuple[TimingCheck, ...] = ()  # hidden timing checks declared in the manifest
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def max_score(self) -> float:
        return sum(p.points for p in self.problems if not p.bonus)

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.module for p in self.problems))

    def problem(self, problem_id: str) -> Problem:
        for p in self.problems:
            if p.id == problem_id:
                return p
        raise ProblemSetError(f"{self.id} has no problem {problem_id!r}; "
                              f"known: {', '.join(p.id for p in self.problems)}")

    @property
    def public_checks_dir(self) -> Path:
        return self.root / (RELEASED_CHECKS if self.released else self.public_checks)

    @property
    def drivers_dir(self) -> Path:
        """Trusted harness code run next to the student's code; released, as it holds no secrets."""
        return self.root / DRIVERS

    @property
    def hidden_checks_dir(self) -> Path | None:
        if self.released or not self.hidden_checks:
            return None
        return self.root / self.hidden_checks


@dataclass(frozen=True)
class Variant:
    """Sizes and threshold of a timing check on one kind of device: a ``cpu``/``gpu`` table of a
    ``[[timing]]`` entry, with the timing engine's defaults (``timing.runner``)."""

    sizes: dict  # keyword arguments of the workload's inputs()
    threshold: float  # pass when median(yours) <= threshold * median(baseline)
    reps: int = 15  # timed repetitions at most (after the warm-ups); a clear verdict stops sooner
    warmups: tuple[int, int] = (2, 4)  # drawn secretly in this range; identical to timed calls
    min_reps: int = 7  # fewest timed repetitions that decide (a clear verdict, or the budget spent)
    budget_s: float = 5.0  # repetitions stop after this long once there are min_reps
    band: float = 1.5  # ratios in (threshold, threshold * band] are measured again ...
    retries: int = 2  # ... at most this many times
    max_speedup: float = 10.0  # faster than the best known implementation by more: manual review
    rtol: float | None = None  # elementwise, relative to max|expected|; default by dtype
    atol: float = 0.0



def load_problem_set(root: Path) -> ProblemSet:
    """Read ``root/problemset.toml``."""
    path = Path(root) / MANIFEST
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ProblemSetError(f"{path} not found: a problem set folder needs a {MANIFEST}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProblemSetError(f"{path} is not valid TOML: {exc}") from None
    try:
        head = raw["problemset"]
        problems = tuple(
            Problem(id=p["id"], title=p["title"], module=p["module"], points=float(p["points"]),
                    bonus=bool(p.get("bonus", False)), banned=tuple(p.get("banned", ())),
                    allowed=tuple(p.get("allowed", ())))
            for p in raw["problems"]
        )
        checks = raw.get("checks", {})
        pset = ProblemSet(
            id=head["id"],
            title=head["title"],
            root=Path(root).resolve(),
            problems=problems,
            statement=head.get("statement", "statement.md"),
            public_checks=checks.get("public", "checks/public"),
            hidden_checks=checks.get("hidden", "checks/hidden"),
            given=tuple(g["path"] for g in raw.get("given", [])),
            call_timeout=float(raw.get("sandbox", {}).get("call_timeout", 10.0)),
            preload=tuple(raw.get("sandbox", {}).get("preload", ())),
            released=bool(head.get("released", False)),
            worker_resources=dict(raw.get("grading", {}).get("worker_resources", {})),
            budget_s=float(raw.get("grading", {}).get("budget_s", 1800.0)),
            timing=tuple(_timing_check(t) for t in raw.get("timing", ())),
            raw=raw,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProblemSetError(f"{path}: missing or malformed field {exc}; see docs/authoring.md") \
            from None
    ids = [p.id for p in problems]
    if len(set(ids)) != len(ids):
        raise ProblemSetError(f"{path}: problem ids must be unique")
    if not problems:
        raise ProblemSetError(f"{path}: a problem set needs at least one [[problems]] entry")
    _validate_timing(pset, path)
    try:  # a wrong [deadline] fails when the manifest is read, not on grading day
        load_deadline(pset)
    except DeadlineError as exc:
        raise ProblemSetError(str(exc)) from None
    return pset


def load_deadline(pset: ProblemSet) -> Deadline | None:
    """The problem set's ``[deadline]`` (``deadline_policy``), or None when it has none."""
    block = pset.raw.get("deadline")
    return None if block is None else parse_deadline(block, f"{pset.root / MANIFEST}: [deadline]")


def _timing_check(entry: dict) -> TimingCheck:
    return TimingCheck(id=entry["id"], problem=entry["problem"], target=entry["target"],
                       workload=entry["workload"], weight=float(entry.get("weight", 1.0)),
                       device_policy=entry.get("device_policy", "cpu"), cpu=entry.get("cpu"),
                       gpu=entry.get("gpu"))


def _validate_timing(pset: ProblemSet, path: Path) -> None:
    """Mistakes in [[timing]] entries, found when the manifest is read rather than on grading day."""
    if not pset.timing:
        return
    known = {f.name for f in fields(Variant)}
    problems = {p.id for p in pset.problems}
    ids = [t.id for t in pset.timing]
    if len(set(ids)) != len(ids):
        raise ProblemSetError(f"{path}: [[timing]] ids must be unique")
    for t in pset.timing:
        where = f"{path}: [[timing]] {t.id!r}"
        if t.problem not in problems:
            raise ProblemSetError(f"{where}: unknown problem {t.problem!r}; known: {sorted(problems)}")
        if "." not in t.target or ":" not in t.workload:
            raise ProblemSetError(f"{where}: target must be 'module.name' and workload 'file.py:NAME'")
        if t.device_policy not in TIMING_POLICIES:
            raise ProblemSetError(f"{where}: device_policy must be one of {TIMING_POLICIES}")
        for device in ("cpu", "gpu"):
            variant = getattr(t, device)
            if variant is None:
                if device in t.devices:
                    raise ProblemSetError(f"{where}: device_policy {t.device_policy!r} needs a {device} "
                                          f"table (sizes, threshold)")
                continue
            unknown = set(variant) - known
            if unknown or "sizes" not in variant or "threshold" not in variant:
                raise ProblemSetError(f"{where}: {device} needs sizes and threshold; unknown keys "
                                      f"{sorted(unknown)} (known: {sorted(known)})")
            if not float(variant["threshold"]) > 0:
                raise ProblemSetError(f"{where}: {device} threshold must be positive")


def find_problem_set(pset_id: str, *, kind: str, start: Path | None = None) -> ProblemSet:
    """Locate ``<kind>/<pset_id>`` (kind is ``solutions`` or ``assignments``) in ``start`` or above."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / kind / pset_id
        if (candidate / MANIFEST).is_file():
            return load_problem_set(candidate)
    known = list_problem_sets(kind, start)
    if known:  # inside a course repository: most likely a typo
        raise ProblemSetError(f"no problem set {pset_id!r} ({kind}/{pset_id}/{MANIFEST}); {kind}/ "
                              f"holds {', '.join(known)}")
    raise ProblemSetError(
        f"no {kind}/{pset_id}/{MANIFEST} in {start} or its parents; run this inside the course "
        f"repository or pass the folder explicitly")


def list_problem_sets(kind: str = "solutions", start: Path | None = None) -> list[str]:
    """The ids of all problem sets under ``<kind>/`` of the course repository around ``start``."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        base = folder / kind
        if base.is_dir():
            return sorted(p.parent.name for p in base.glob(f"*/{MANIFEST}"))
    return []
