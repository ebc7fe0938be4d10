"""Results as one plain grade table: a row per submission, a column per problem.

For a spreadsheet or an LMS without its own importer here. The scores are the results' own (after
any late penalty, with the score before it beside); nothing is recomputed. Pure: no I/O.
"""

from __future__ import annotations

from autograder.grading.result import Result


def to_grade_table(results: list[Result]) -> list[list[str]]:
    """Header first: submission, status, score, max_score, each problem's score (its id), then
    score_before_late_penalty and late_status. A submission that could not be graded has blank
    scores. Rows in submission order."""
    problems = next((r.problems for r in results if r.problems), [])
    rows = [["submission", "status", "score", "max_score", *(p.id for p in problems),
             "score_before_late_penalty", "late_status"]]
    for r in sorted(results, key=lambda r: r.submission):
        graded = r.status == "graded"
        by_problem = {p.id: p.score for p in r.problems}
        before = r.deadline.get("score_before", r.score) if r.deadline else r.score
        rows.append([r.submission, r.status, _number(r.score) if graded else "", _number(r.max_score),
                     *(_number(by_problem[p.id]) if graded and p.id in by_problem else "" for p in problems),
                     _number(before) if graded else "", r.deadline.get("status", "") if r.deadline else ""])
    return rows


def _number(value: float) -> str:
    """As exact as the result holds it (six decimals at most), without trailing zeros."""
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
