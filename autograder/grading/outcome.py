"""What one check did, and how a problem's points are shared among its checks.

``CheckOutcome`` is the one shape of a check's outcome before points: the grading run's recorder
(``grading.recorder``) and the nbgrader kernel make it, ``grading.integrity`` may zero it, and
``share_points`` turns a list of them into the ``Result``'s rows (``grading.result.CheckResult``).
Every path that scores goes through ``share_points``; exporters and the gradebook read the scores
from the ``Result`` and never recompute them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from autograder.grading.result import CheckResult, ProblemResult
from autograder.problemset import ProblemSet
from autograder.status import Status


@dataclass
class CheckOutcome:
    """One check's outcome before points are assigned."""

    nodeid: str
    name: str
    problem: str
    weight: float
    visibility: str
    status: Status = Status.SKIPPED
    fraction: float = 0.0  # of the check's points earned (partial credit)
    message: str = ""
    duration: float = 0.0
    grader_error: str = ""  # a bug in the check itself, for the instructor
    review: bool = False  # not awarded, but an instructor should look (e.g. an implausible timing)
    inconclusive: bool = False  # not decided (a timing on a machine too busy): graded again later
    figures: list = field(default_factory=list)  # data for pictures (checks.feedback)

    @property
    def counted(self) -> bool:
        """Whether the check takes a share of its problem's points (a skipped one does not)."""
        return self.status != Status.SKIPPED


def distinct_names(outcomes: list[CheckOutcome]) -> dict[str, str]:
    """Each check's name (by node id), with where it is written added to a name that several
    checks share (e.g. the same docstring in a test class per method: ``(TestAdam.test_closure)``)."""
    def where(nodeid: str, whole: bool) -> str:
        return nodeid if whole else nodeid.partition("::")[2].replace("::", ".")

    names = {o.nodeid: o.name for o in outcomes}
    for whole in (False, True):  # the same function in two files: the whole node id (unique)
        counts = Counter(names.values())
        names = {o.nodeid: (f"{o.name} ({where(o.nodeid, whole)})"
                            if counts[names[o.nodeid]] > 1 else names[o.nodeid]) for o in outcomes}
    return names


def share_points(pset: ProblemSet, outcomes: list[CheckOutcome]) -> tuple[list[CheckResult],
                                                                          list[ProblemResult]]:
    """Share each problem's points among its checks that count, in proportion to their weights; a
    problem's score is the sum of its checks' exact shares, rounded once."""
    total_weight = {p.id: 0.0 for p in pset.problems}
    for o in outcomes:
        if o.counted and o.problem in total_weight:
            total_weight[o.problem] += o.weight
    tests, exact = [], []
    names = distinct_names(outcomes)
    for o in outcomes:
        weight_sum = total_weight.get(o.problem, 0.0)
        points = pset.problem(o.problem).points if o.problem in total_weight else 0.0
        max_score = points * o.weight / weight_sum if weight_sum and o.counted else 0.0
        exact.append((o.problem, max_score * o.fraction, max_score))
        tests.append(CheckResult(
            name=names[o.nodeid], nodeid=o.nodeid, problem=o.problem, status=o.status,
            score=round(max_score * o.fraction, 6), max_score=round(max_score, 6),
            output=o.message, visibility=o.visibility, execution_time=round(o.duration, 4),
            grader_error=bool(o.grader_error), review=o.review, figures=o.figures,
            inconclusive=o.inconclusive,
        ))
    problems = []
    for p in pset.problems:
        mine = [(score, top) for problem, score, top in exact if problem == p.id]
        problems.append(ProblemResult(id=p.id, title=p.title,
                                      score=round(sum(s for s, _ in mine), 6),
                                      max_score=round(sum(t for _, t in mine), 6), bonus=p.bonus))
    return tests, problems


def total_score(problems: list[ProblemResult]) -> float:
    """A submission's score: every problem's points, bonus ones included."""
    return round(sum(p.score for p in problems), 6)


def total_max_score(problems: list[ProblemResult]) -> float:
    """A submission's maximum: the points of the problems that are not bonus."""
    return round(sum(p.max_score for p in problems if not p.bonus), 6)
