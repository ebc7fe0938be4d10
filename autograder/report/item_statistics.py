"""Item statistics of a graded batch: per problem, per check and per submission, from ``Result``s only.

Owns the numbers the batch report shows (score distributions, pass rates, difficulty, point-biserial
discrimination, the most common failure, flagged and slow submissions). Pure functions over data: it
reads no files, re-judges nothing and writes nothing.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from autograder.grading.result import CheckResult, Result

FAILING = ("failed", "error", "timeout")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class ProblemStatistics:
    id: str
    title: str
    max_score: float
    scores: list[float]  # one per graded submission, in the batch's order
    histogram: list[int]  # counts of score / max_score in ``bins`` equal bins, full marks in the last
    mean: float | None
    median: float | None
    stdev: float | None  # population standard deviation
    full_marks: int
    zero: int


@dataclass
class CheckStatistics:
    nodeid: str
    name: str
    problem: str
    visibility: str
    max_score: float
    counts: dict[str, int]  # status -> submissions, over graded submissions that ran this check
    attempted: int  # graded submissions where the check counted (status other than skipped)
    pass_rate: float | None  # share of ``attempted`` that passed
    difficulty: float | None  # mean share of the check's points earned (the pass rate if all-or-nothing)
    discrimination: float | None  # point-biserial: passing vs the rest of the score (None if undefined)
    common_failure: str = ""  # the most frequent failure message (numbers masked when counting)
    common_failure_count: int = 0
    failures: int = 0
    mean_seconds: float = 0.0

    @property
    def verdict(self) -> str:
        """``all pass`` / ``all fail`` when every attempt agrees (a useless or a broken check)."""
        if self.attempted < 2:
            return ""
        passed = self.counts.get("passed", 0)
        return "all pass" if passed == self.attempted else "all fail" if passed == 0 else ""


@dataclass
class Flag:
    submission: str
    what: str  # the check or finding
    reason: str


@dataclass
class BatchStatistics:
    pset: str
    submissions: int
    graded: list[Result]
    not_graded: list[Result]
    max_score: float
    totals: ProblemStatistics
    problems: list[ProblemStatistics]
    checks: list[CheckStatistics]
    flags: list[Flag] = field(default_factory=list)
    slowest: list[Result] = field(default_factory=list)
    late: list[Result] = field(default_factory=list)

    @property
    def all_pass(self) -> list[CheckStatistics]:
        return [c for c in self.checks if c.verdict == "all pass"]

    @property
    def all_fail(self) -> list[CheckStatistics]:
        return [c for c in self.checks if c.verdict == "all fail"]


def batch_statistics(results: list[Result], *, bins: int = 10, slowest: int = 10) -> BatchStatistics:
    """Every statistic of the batch report. Only graded submissions enter the statistics, with their
    scores as graded (before any late penalty)."""
    graded = [r for r in results if r.status == "graded"]
    not_graded = [r for r in results if r.status != "graded"]
    max_score = max((r.max_score for r in results), default=0.0)
    totals = _distribution("total", "Total", max_score, [as_graded(r) for r in graded], bins)
    problems = []
    for pid, title in _problem_order(results):
        scores, tops = [], []
        for r in graded:
            mine = [p for p in r.problems if p.id == pid]
            scores.append(mine[0].score if mine else 0.0)
            tops.append(mine[0].max_score if mine else 0.0)
        problems.append(_distribution(pid, title, max(tops, default=0.0), scores, bins))
    runs: dict[str, list[tuple[Result, CheckResult]]] = {}
    for r in graded:
        for t in r.tests:
            runs.setdefault(t.nodeid, []).append((r, t))
    checks = [_check_statistics(nodeid, runs[nodeid]) for nodeid in _check_order(graded)]
    flags = [Flag(r.submission, t.name, "flagged for review (not awarded): " + _first_line(t.output))
             for r in graded for t in r.tests if t.review]
    flags += [Flag(r.submission, f.get("problem", "") or "banned API", str(f.get("message", "")))
              for r in graded for f in r.findings]
    flags += [Flag(r.submission, t.name, "grader error (a bug in the check, not the submission)")
              for r in graded for t in r.tests if t.grader_error]
    by_time = sorted(graded, key=lambda r: r.execution_time, reverse=True)
    return BatchStatistics(pset=results[0].pset if results else "", submissions=len(results),
                           graded=graded, not_graded=not_graded, max_score=max_score, totals=totals,
                           problems=problems, checks=checks, flags=flags, slowest=by_time[:slowest],
                           late=late(graded))


def as_graded(result: Result) -> float:
    """The score the checks gave, before any late penalty: lateness says nothing about a check."""
    return float(result.deadline.get("score_before", result.score)) if result.deadline else result.score


def late(results: list[Result]) -> list[Result]:
    """Graded submissions that came in after their due time (with or without a deduction)."""
    return [r for r in results if r.deadline.get("status", "on_time") != "on_time"]


def point_biserial(passed: list[bool], scores: list[float]) -> float | None:
    """Pearson's correlation of a 0/1 item with a score; None when either does not vary."""
    n = len(passed)
    if n < 2 or n != len(scores):
        return None
    ones = [s for p, s in zip(passed, scores, strict=True) if p]
    zeros = [s for p, s in zip(passed, scores, strict=True) if not p]
    sd = statistics.pstdev(scores)
    if not ones or not zeros or sd == 0:
        return None
    share = len(ones) / n
    return (statistics.fmean(ones) - statistics.fmean(zeros)) / sd * math.sqrt(share * (1 - share))


def failure_pattern(message: str) -> str:
    """The first line of a failure message with its numbers masked: messages that differ only in the
    measured values (an error of 3e-4 or 2e-2) count as the same failure."""
    return _NUMBER.sub("#", _first_line(message))


def _check_statistics(nodeid: str, runs: list[tuple[Result, CheckResult]]) -> CheckStatistics:
    first = runs[0][1]
    counts = Counter(t.status for _, t in runs)
    counted = [(r, t) for r, t in runs if t.status != "skipped"]
    attempted = len(counted)
    passed = [t.status == "passed" for _, t in counted]
    shares = [t.score / t.max_score if t.max_score else float(t.status == "passed") for _, t in counted]
    rest = [as_graded(r) - t.score for r, t in counted]  # its own points left out (corrected r_pb)
    failing = [t.output for _, t in counted if t.status in FAILING]
    patterns = Counter(failure_pattern(m) for m in failing if m.strip())
    common, count = patterns.most_common(1)[0] if patterns else ("", 0)
    example = next((_first_line(m) for m in failing if m.strip() and failure_pattern(m) == common), "")
    return CheckStatistics(
        nodeid=nodeid, name=first.name, problem=first.problem, visibility=first.visibility,
        max_score=max((t.max_score for _, t in runs), default=0.0), counts=dict(counts),
        attempted=attempted,
        pass_rate=sum(passed) / attempted if attempted else None,
        difficulty=statistics.fmean(shares) if attempted else None,
        discrimination=point_biserial(passed, rest),
        common_failure=example, common_failure_count=count, failures=len(failing),
        mean_seconds=statistics.fmean(t.execution_time for _, t in runs),
    )


def _distribution(pid: str, title: str, top: float, scores: list[float], bins: int) -> ProblemStatistics:
    histogram = [0] * bins
    for s in scores:
        share = s / top if top > 0 else 0.0
        histogram[min(bins - 1, max(0, int(bins * share + 1e-9)))] += 1
    return ProblemStatistics(
        id=pid, title=title, max_score=top, scores=scores, histogram=histogram,
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        stdev=statistics.pstdev(scores) if scores else None,
        full_marks=sum(s >= top - 1e-9 for s in scores) if top > 0 else 0,
        zero=sum(s <= 1e-9 for s in scores),
    )


def _problem_order(results: list[Result]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for r in results:
        for p in r.problems:
            seen.setdefault(p.id, p.title)
    return list(seen.items())


def _check_order(graded: list[Result]) -> list[str]:
    """Checks in the order they ran, grouped by problem in the problem set's order."""
    problems = list(dict.fromkeys(p.id for r in graded for p in r.problems))
    nodeids: dict[str, str] = {}
    for r in graded:
        for t in r.tests:
            nodeids.setdefault(t.nodeid, t.problem)
    rank = {pid: i for i, pid in enumerate(problems)}
    order = list(nodeids)
    return sorted(order, key=lambda n: (rank.get(nodeids[n], len(rank)), order.index(n)))


def _first_line(text: str) -> str:
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")
