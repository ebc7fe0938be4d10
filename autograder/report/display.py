"""How a result's numbers and titles read to people: points rounded to two decimals, the bonus said
where it counts, one title per result.

Every report (the CLI, feedback.md, feedback.html, Gradescope's text) shows points through these
functions; the data (``results.json``, ``--json``) keeps the engine's full precision. Pure: no I/O.
"""

from __future__ import annotations

from autograder.grading.result import ProblemResult, Result

BONUS = "bonus"


def points(value: float) -> str:
    """Points for people: at most two decimals, no trailing zeros (7.567567 -> 7.57, 10.0 -> 10)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fraction(score: float, max_score: float) -> str:
    """``score/max`` in points, e.g. ``7.57/10``."""
    return f"{points(score)}/{points(max_score)}"


def problem_title(problem: ProblemResult) -> str:
    """The problem's title, marked when its points are a bonus."""
    return f"{problem.title} ({BONUS})" if problem.bonus else problem.title


def bonus_note(result: Result) -> str:
    """A sentence on what the bonus problems add ('' without bonus problems), e.g. '5 of these points
    come from the bonus problem LoRA, worth up to 10 points on top of the maximum of 50'."""
    bonus = [p for p in result.problems if p.bonus]
    if not bonus:
        return ""
    kind = "problem" if len(bonus) == 1 else "problems"
    return (f"{points(result.bonus_score)} of these points come from the {BONUS} {kind} "
            f"{', '.join(p.title for p in bonus)}, worth up to {points(result.bonus_max_score)} points "
            f"on top of the maximum of {points(result.max_score)}")


def title(result: Result) -> str:
    """The problem set and the submission, once each (``ps1_linalg`` rather than
    ``ps1_linalg — ps1_linalg`` when the submission is the released folder itself)."""
    if result.submission in ("", result.pset):
        return result.pset
    return f"{result.pset} — {result.submission}"
