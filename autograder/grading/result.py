"""The one result model every output reads: per check, per problem, per submission.

Its JSON form is a superset of Gradescope's ``results.json`` (``score``, ``max_score``, ``tests[]``
with ``name``, ``score``, ``max_score``, ``status``, ``output``, ``visibility``), plus problem,
timing and environment fields. Exporters read it; they never re-judge.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.checks.plugin import CheckRecord
from autograder.files import write_atomically
from autograder.problemset import ProblemSet

SCHEMA_VERSION = 1


@dataclass
class CheckResult:
    name: str
    nodeid: str
    problem: str
    status: str  # passed | failed | error | timeout | skipped
    score: float
    max_score: float
    output: str
    visibility: str
    execution_time: float
    grader_error: bool = False
    review: bool = False  # failed, and flagged for an instructor to look at (e.g. implausibly fast)
    figures: list[dict] = field(default_factory=list)  # data for pictures; reports draw them
    inconclusive: bool = False  # could not be decided (a timing on a machine too busy): measured again


@dataclass
class ProblemResult:
    id: str
    title: str
    score: float
    max_score: float
    bonus: bool = False  # its points come on top of the result's max_score


@dataclass
class Result:
    pset: str
    submission: str
    source: str
    status: str  # graded | not_graded (the submission could not be read at all)
    score: float
    max_score: float
    output: str = ""
    tests: list[CheckResult] = field(default_factory=list)
    problems: list[ProblemResult] = field(default_factory=list)
    grader_errors: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)  # banned-API uses, per problem
    environment: dict = field(default_factory=dict)
    graded_at: str = ""
    execution_time: float = 0.0
    visibility: str = "visible"
    scope: str = "all"  # all: public and hidden checks; public: a student's `autograder check`
    fingerprint: str = ""  # of the engine, the problem set and the submission: a batch resumes on it
    deadline: dict = field(default_factory=dict)  # submission time, lateness, penalty (grading.deadline)
    schema_version: int = SCHEMA_VERSION

    @property
    def full_marks(self) -> bool:
        """Every point of the maximum earned (bonus problems may add more on top)."""
        return self.status == "graded" and self.score >= self.max_score - 1e-9

    @property
    def bonus_score(self) -> float:
        """Points earned on bonus problems (part of ``score``, not of ``max_score``)."""
        return round(sum(p.score for p in self.problems if p.bonus), 6)

    @property
    def bonus_max_score(self) -> float:
        """Points the bonus problems offer on top of ``max_score``."""
        return round(sum(p.max_score for p in self.problems if p.bonus), 6)

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def inconclusive(self) -> bool:
        """Some check could not be decided (a busy machine): the batch grades it again."""
        return any(t.inconclusive for t in self.tests)

    @classmethod
    def from_json(cls, data: dict) -> Result:
        data = dict(data)
        data["tests"] = [CheckResult(**t) for t in data.get("tests", [])]
        data["problems"] = [ProblemResult(**p) for p in data.get("problems", [])]
        return cls(**data)

    def write(self, path: Path) -> None:
        write_atomically(path, json.dumps(self.to_json(), indent=2))


def distinct_names(records: list[CheckRecord]) -> dict[str, str]:
    """Each check's name (by node id), with where it is written added to a name that several
    checks share (e.g. the same docstring in a test class per method: ``(TestAdam.test_closure)``)."""
    def where(nodeid: str, whole: bool) -> str:
        return nodeid if whole else nodeid.partition("::")[2].replace("::", ".")

    names = {r.nodeid: r.name for r in records}
    for whole in (False, True):  # the same function in two files: the whole node id (unique)
        counts = Counter(names.values())
        names = {r.nodeid: (f"{r.name} ({where(r.nodeid, whole)})"
                            if counts[names[r.nodeid]] > 1 else names[r.nodeid]) for r in records}
    return names


def score_records(pset: ProblemSet, records: list[CheckRecord]) -> tuple[list[CheckResult],
                                                                           list[ProblemResult]]:
    """Share each problem's points among its checks that ran, in proportion to their weights."""
    counted = [r for r in records if r.status != "skipped"]
    total_weight = {p.id: 0.0 for p in pset.problems}
    for r in counted:
        if r.problem in total_weight:
            total_weight[r.problem] += r.weight
    tests, exact = [], []
    names = distinct_names(records)
    for r in records:
        weight_sum = total_weight.get(r.problem, 0.0)
        points = pset.problem(r.problem).points if r.problem in total_weight else 0.0
        max_score = points * r.weight / weight_sum if weight_sum and r.status != "skipped" else 0.0
        exact.append((r.problem, max_score * r.fraction, max_score))
        tests.append(CheckResult(
            name=names[r.nodeid], nodeid=r.nodeid, problem=r.problem, status=r.status,
            score=round(max_score * r.fraction, 6), max_score=round(max_score, 6),
            output=r.message, visibility=r.visibility, execution_time=round(r.duration, 4),
            grader_error=bool(r.grader_error), review=r.review, figures=r.figures,
            inconclusive=r.inconclusive,
        ))
    problems = []
    for p in pset.problems:  # sums of exact shares, rounded once
        mine = [(score, top) for problem, score, top in exact if problem == p.id]
        problems.append(ProblemResult(id=p.id, title=p.title,
                                      score=round(sum(s for s, _ in mine), 6),
                                      max_score=round(sum(t for _, t in mine), 6), bonus=p.bonus))
    return tests, problems
