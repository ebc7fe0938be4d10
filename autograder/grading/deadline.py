"""Deadlines applied: the instructor's extensions file, and the rule that turns a score and a
lateness into a late score, stored in ``Result.deadline``.

It reads no clock of its own (``now`` is passed in) and never a file's modification time; the only
file it reads is the extensions file (``plan_deadline``, for a batch). Nothing of the result but
``score`` and ``deadline`` changes (per-check and per-problem scores stay as graded). The
``[deadline]`` block itself is ``deadline_policy``; where submission times come from,
``grading.submission_time``; the line a report shows, ``report.display.describe_deadline``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from autograder.deadline_policy import (
    DOCS,
    INTERVALS,
    Deadline,
    DeadlineError,
    parse_time,
    read_csv,
    shown,
)
from autograder.files import read_user_text
from autograder.grading.result import Result
from autograder.grading.submission_time import submission_times
from autograder.problemset import ProblemSet, load_deadline

EXTENSION_COLUMNS = ("student", "due", "extra_hours", "pset", "note")


@dataclass(frozen=True)
class Extension:
    """One student's extension: a new due time, or hours added to the problem set's."""

    student: str
    due: datetime | None = None
    extra_hours: float | None = None
    note: str = ""

    def shift(self, deadline: Deadline) -> timedelta:
        if self.due is not None:
            return self.due - deadline.due
        return timedelta(hours=self.extra_hours or 0.0)

    def describe(self, deadline: Deadline) -> str:
        text = (f"new due time {shown(self.due, deadline.zone)}" if self.due is not None
                else f"+{self.extra_hours:g} h")
        return f"{text} ({self.note})" if self.note else text


# ---------------------------------------------------------------------------- the extensions file


def parse_extensions(text: str, deadline: Deadline, pset_id: str, where: str) -> dict[str, Extension]:
    """The extensions CSV (``student,due,extra_hours[,pset][,note]``), rows for this problem set
    (a row with an empty ``pset`` is for every problem set), by student."""
    zone = ZoneInfo(deadline.zone)
    rows = iter(read_csv(text, where))
    header = [h.strip() for h in next(rows, [])]
    if "student" not in header or not ({"due", "extra_hours"} & set(header)):
        raise DeadlineError(f"{where}: the first line must name the columns, e.g. "
                            f"student,due,extra_hours,note; {DOCS}")
    unknown = [h for h in header if h not in EXTENSION_COLUMNS]
    if unknown:
        raise DeadlineError(f"{where}: unknown columns {unknown}; known: {', '.join(EXTENSION_COLUMNS)}")
    extensions: dict[str, Extension] = {}
    for number, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DeadlineError(f"{where} line {number}: {len(row)} cells for {len(header)} columns "
                                f"(a comma inside a note needs quotes)")
        cells = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        if cells.get("pset") not in (None, "", pset_id):
            continue
        at = f"{where} line {number}"
        student = cells["student"]
        if not student:
            raise DeadlineError(f"{at}: the student is empty")
        due, extra = cells.get("due", ""), cells.get("extra_hours", "")
        if bool(due) == bool(extra):
            raise DeadlineError(f"{at}: give either a new due time or extra_hours for {student}, "
                                f"not {'both' if due else 'neither'}")
        if student in extensions:
            raise DeadlineError(f"{at}: {student} has a second extension; keep one row per student")
        if due:
            extension = Extension(student, due=parse_time(due, zone, at), note=cells.get("note", ""))
        else:
            try:
                hours = float(extra)
            except ValueError:
                hours = math.nan
            if not math.isfinite(hours) or hours <= 0:
                raise DeadlineError(f"{at}: extra_hours must be a positive number of hours, got {extra!r}")
            extension = Extension(student, extra_hours=hours, note=cells.get("note", ""))
        if extension.shift(deadline) < timedelta(0):
            raise DeadlineError(f"{at}: {student}'s new due time is before the problem set's "
                                f"({shown(deadline.due, deadline.zone)}); an extension moves it later")
        extensions[student] = extension
    return extensions


# ---------------------------------------------------------------------------- the late score


def late_outcome(deadline: Deadline, *, score: float, max_score: float, submitted_at: datetime,
                 submitted_from: str, extension: Extension | None, now: datetime) -> dict:
    """What the deadline makes of ``score``: the record ``Result.deadline`` holds. Lateness is
    real elapsed time (UTC), so a DST change neither adds nor removes an hour."""
    shift = extension.shift(deadline) if extension else timedelta(0)
    due = deadline.due + shift
    cutoff = deadline.cutoff + shift if deadline.cutoff is not None else None
    late_seconds = max(0.0, (submitted_at.astimezone(UTC) - due.astimezone(UTC)).total_seconds())
    deduction, status = 0.0, "on_time" if late_seconds <= 0 else "late"
    if cutoff is not None and submitted_at.astimezone(UTC) > cutoff.astimezone(UTC):
        status, deduction = "past_cutoff", max(score, 0.0)
    elif status == "late" and deadline.policy == "penalty" and max_score > 0:
        intervals = math.ceil(late_seconds / INTERVALS[deadline.interval])
        keep_above = max(100.0 * score / max_score - deadline.floor_percent, 0.0)
        deduction = max_score * min(deadline.percent * intervals, keep_above) / 100.0
    return {
        "submitted_at": submitted_at.astimezone(ZoneInfo(deadline.zone)).isoformat(),
        "submitted_from": submitted_from,
        "due": due.astimezone(ZoneInfo(deadline.zone)).isoformat(),
        "cutoff": cutoff.astimezone(ZoneInfo(deadline.zone)).isoformat() if cutoff else "",
        "timezone": deadline.zone,
        "extension": extension.describe(deadline) if extension else "",
        "status": status,
        "late_seconds": round(late_seconds),
        "policy": deadline.describe(),
        "deduction": round(deduction, 6),
        "score_before": round(score, 6),
        "score_after": round(score - deduction, 6),
        "due_passed": now.astimezone(UTC) >= due.astimezone(UTC),  # after_due_date checks show
    }


def apply_deadline(result: Result, deadline: Deadline, *, submitted_at: datetime, submitted_from: str,
                   extension: Extension | None, now: datetime) -> bool:
    """Set ``result.deadline`` and ``result.score`` (from the score as graded, so applying it again,
    e.g. after the extensions file changed, gives the same as applying it once). Returns whether
    anything a report shows changed."""
    before = result.deadline.get("score_before", result.score) if result.deadline else result.score
    outcome = late_outcome(deadline, score=before, max_score=result.max_score,
                           submitted_at=submitted_at, submitted_from=submitted_from,
                           extension=extension, now=now)
    changed = outcome != result.deadline
    result.deadline = outcome
    result.score = outcome["score_after"]
    return changed


# ---------------------------------------------------------------------------- one batch


@dataclass
class LatePlan:
    """A batch's deadline: each submission's time and each student's extension, resolved before
    anything is graded (a missing time stops the batch before it starts, not halfway)."""

    deadline: Deadline
    times: dict[Path, tuple[datetime, str]]  # source -> (submitted at, where that came from)
    extensions: dict[str, Extension]
    now: datetime

    def apply(self, source: Path, result: Result) -> bool:
        """Apply the deadline to ``source``'s result; whether its files need writing again."""
        submitted_at, submitted_from = self.times[source]
        return apply_deadline(result, self.deadline, submitted_at=submitted_at,
                              submitted_from=submitted_from,
                              extension=self.extensions.get(result.submission), now=self.now)

    def unknown_students(self, names) -> list[str]:
        """Extensions for students not among ``names`` (a typo leaves someone without theirs)."""
        return sorted(set(self.extensions) - set(names))


def plan_deadline(pset: ProblemSet, sources: dict[Path, str], *, timestamps: str | None,
                  submitted_at: str | None, extensions: Path | None, now: datetime) -> LatePlan | None:
    """The batch's ``LatePlan``; None when the problem set has no deadline or no submission times
    were given (``sources``: path -> submission name; ``extensions``: the CSV's path or None)."""
    deadline = load_deadline(pset)
    asked = timestamps is not None or submitted_at is not None or extensions is not None
    if deadline is None:
        if asked:
            raise DeadlineError(f"{pset.id} has no [deadline] in its problemset.toml; add one or "
                                f"drop --timestamps/--submitted-at/--extensions ({DOCS})")
        return None
    if timestamps is None and submitted_at is None:
        if extensions is not None:
            raise DeadlineError("--extensions needs the submission times too: --timestamps "
                                "nbgrader|gradescope|FILE.csv or --submitted-at TIME")
        return None
    zone = ZoneInfo(deadline.zone)
    times = submission_times(sources, zone, timestamps=timestamps, submitted_at=submitted_at)
    granted: dict[str, Extension] = {}
    if extensions is not None:
        text = read_user_text(Path(extensions), "--extensions", DeadlineError)
        granted = parse_extensions(text, deadline, pset.id, str(extensions))
    return LatePlan(deadline, times, granted, now)
