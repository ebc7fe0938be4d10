"""The problem-set manifest (``problemset.toml``): loading, validating and locating problem sets.

Owns the model every verb shares (problems, points, modules, where the checks are). It reads files;
it does not run checks or write anything.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "problemset.toml"
RELEASED_CHECKS = "tests"  # where public checks live in the released student folder
DRIVERS = "drivers"  # per problem set: harnesses that exercise stateful student objects


class ProblemSetError(Exception):
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
    return pset


def find_problem_set(pset_id: str, *, kind: str, start: Path | None = None) -> ProblemSet:
    """Locate ``<kind>/<pset_id>`` (kind is ``solutions`` or ``assignments``) in ``start`` or above."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / kind / pset_id
        if (candidate / MANIFEST).is_file():
            return load_problem_set(candidate)
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
