"""The one result model every output reads: per check, per problem, per submission.

Its JSON form is a superset of Gradescope's ``results.json`` (``score``, ``max_score``, ``tests[]``
with ``name``, ``score``, ``max_score``, ``status``, ``output``, ``visibility``), plus problem,
timing and environment fields. Exporters read it; they never re-judge.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.files import write_atomically
from autograder.status import Status

SCHEMA_VERSION = 1


@dataclass
class CheckResult:
    name: str
    nodeid: str
    problem: str
    status: Status
    score: float
    max_score: float
    output: str
    visibility: str
    execution_time: float
    grader_error: bool = False
    review: bool = False  # failed, and flagged for an instructor to look at (e.g. implausibly fast)
    figures: list[dict] = field(default_factory=list)  # data for pictures; reports draw them
    inconclusive: bool = False  # could not be decided (a timing on a machine too busy): measured again

    def __post_init__(self) -> None:
        self.status = Status(self.status)  # read from JSON as a plain word


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
