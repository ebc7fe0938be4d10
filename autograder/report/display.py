"""How a result's numbers and titles read to people: points rounded to two decimals, the bonus said
where it counts, one title per result, the deadline's line.

Every report (the CLI, feedback.md, feedback.html, Gradescope's text) shows points through these
functions; the data (``results.json``, ``--json``) keeps the engine's full precision. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime

from autograder.deadline_policy import shown
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


def describe_deadline(outcome: dict) -> str:
    """One line for every report on ``Result.deadline`` (``grading.deadline``): when it came in,
    against which due time, and what it cost."""
    if not outcome:
        return ""
    zone = outcome["timezone"]
    submitted = shown(datetime.fromisoformat(outcome["submitted_at"]), zone)
    due = f"due {shown(datetime.fromisoformat(outcome['due']), zone)}"
    if outcome.get("extension"):
        due += f", extension: {outcome['extension']}"
    if outcome["status"] == "on_time":
        return f"Submitted {submitted}, on time ({due})."
    late = f"Submitted {submitted}, {lateness(outcome['late_seconds'])} late ({due})"
    before, after = outcome["score_before"], outcome["score_after"]
    if outcome["status"] == "past_cutoff":
        cutoff = shown(datetime.fromisoformat(outcome["cutoff"]), zone)
        return f"{late}: after the cutoff {cutoff}, so it scores 0 (graded {points(before)})."
    if not outcome["deduction"]:
        return f"{late}: {outcome['policy']}, score {points(after)}."
    return (f"{late}: late penalty {outcome['policy']}: −{points(outcome['deduction'])}, "
            f"{points(before)} → {points(after)}.")


def lateness(seconds: float) -> str:
    """``2 d 3 h``, ``5 h 12 min``, ``40 min``, ``30 s``."""
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{secs} s"
