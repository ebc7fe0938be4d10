"""Deadlines: the ``[deadline]`` block of problemset.toml, the instructor's extensions file, and the
rule that turns a score and a lateness into a late score, stored in ``Result.deadline``.

It reads no clock of its own (``now`` is passed in) and never a file's modification time; the only
file it reads is the extensions file (``plan_deadline``, for a batch). Nothing of the result but
``score`` and ``deadline`` changes (per-check and per-problem scores stay as graded). Where
submission times come from is ``grading.submission_time``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.grading.result import Result
from autograder.problemset import ProblemSet, ProblemSetError
from autograder.report.display import points

POLICIES = ("none", "penalty", "cutoff")
INTERVALS = {"day": 86400.0, "hour": 3600.0}  # a day is 24 h of real time, as Canvas counts it
EXTENSION_COLUMNS = ("student", "due", "extra_hours", "pset", "note")
_DOCS = "see docs/authoring.md#deadlines"


class DeadlineError(ProblemSetError):
    """A deadline, an extension or a submission time cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Deadline:
    """When a problem set is due and what lateness costs.

    ``penalty``: ``percent`` of the maximum per ``interval`` started (Canvas's rule), never taking
    the score below ``floor_percent`` of the maximum (a score already below it keeps what it has);
    ``cutoff``: nothing counts after ``cutoff`` (default: the due time). A ``cutoff`` given with
    ``penalty`` ends the penalty period: after it the score is 0.
    """

    due: datetime  # aware
    zone: str  # IANA time zone the due time is written and shown in
    policy: str = "none"
    percent: float = 0.0
    interval: str = "day"
    floor_percent: float = 0.0
    cutoff: datetime | None = None  # aware

    def describe(self) -> str:
        if self.policy == "penalty":
            text = f"−{self.percent:g}% of the maximum per {self.interval} started"
            if self.floor_percent:
                text += f", never below {self.floor_percent:g}% of the maximum"
            return text
        if self.policy == "cutoff":
            return "no late submissions"
        return "no late penalty"


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


# ---------------------------------------------------------------------------- reading times


def zone_named(name: object, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise DeadlineError(f"{where}: unknown time zone {name!r}; use an IANA name such as "
                            f"'Europe/Berlin' or 'America/New_York'") from None


def parse_time(value: object, zone: ZoneInfo, where: str) -> datetime:
    """An aware datetime from a TOML datetime or a text such as ``2026-03-14 23:59``,
    ``2026-03-14T23:59:00+01:00``, ``2026-03-14 22:59:00.123 UTC`` (nbgrader),
    ``2026-03-14 23:59 Europe/Berlin`` or Unix seconds (``1773529140``). A time without an offset
    is read in ``zone``; one that does not exist there or exists twice (a DST change) is refused."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        moment = _parse_text(value.strip(), zone, where)
    else:
        raise DeadlineError(f"{where}: expected a date and time such as '2026-03-14 23:59', got "
                            f"{value!r}")
    if moment.tzinfo is None:
        moment = _localize(moment, zone, where)
    return moment


def _parse_text(text: str, zone: ZoneInfo, where: str) -> datetime:
    if text.isdigit() and len(text) >= 9:  # Unix seconds (2001 on); 20260314 is a date
        return datetime.fromtimestamp(int(text), UTC)
    head, _, tail = text.rpartition(" ")
    named = None
    if head and tail in ("UTC", "GMT"):
        text, named = head, ZoneInfo("UTC")
    elif head and "/" in tail:
        text, named = head, zone_named(tail, where)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DeadlineError(f"{where}: {text!r} is not a date and time; write it as "
                            f"'2026-03-14 23:59' (optionally with an offset: +01:00)") from None
    if named is not None:
        if moment.tzinfo is not None:
            raise DeadlineError(f"{where}: {text!r} has both an offset and a zone name; keep one")
        moment = _localize(moment, named, where)
    return moment


def _localize(naive: datetime, zone: ZoneInfo, where: str) -> datetime:
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    back = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise DeadlineError(f"{where}: {naive:%Y-%m-%d %H:%M} does not exist in {zone.key} (the "
                            f"clocks go forward then); pick another time or write its UTC offset")
    if early.utcoffset() != late.utcoffset():
        raise DeadlineError(f"{where}: {naive:%Y-%m-%d %H:%M} happens twice in {zone.key} (the clocks "
                            f"go back then); write it with its UTC offset, e.g. "
                            f"{early.isoformat(timespec='minutes')}")
    return early


def shown(moment: datetime, zone: str) -> str:
    """A moment as people in the problem set's time zone read it: ``2026-03-14 23:59 CET``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


# ---------------------------------------------------------------------------- the manifest block


def load_deadline(pset: ProblemSet) -> Deadline | None:
    """The problem set's ``[deadline]``, or None when it has none."""
    block = pset.raw.get("deadline")
    if block is None:
        return None
    where = f"{pset.root / 'problemset.toml'}: [deadline]"
    if not isinstance(block, dict):
        raise DeadlineError(f"{where} must be a table; {_DOCS}")
    known = {"due", "timezone", "late_policy", "penalty_percent", "per", "floor_percent", "cutoff"}
    unknown = sorted(set(block) - known)
    if unknown:
        raise DeadlineError(f"{where}: unknown keys {unknown} (known: {sorted(known)}); {_DOCS}")
    if "due" not in block or "timezone" not in block:
        raise DeadlineError(f"{where} needs due and timezone, e.g. due = \"2026-03-14 23:59\", "
                            f"timezone = \"Europe/Berlin\"; {_DOCS}")
    zone = zone_named(block["timezone"], where)
    policy = block.get("late_policy", "none")
    if policy not in POLICIES:
        raise DeadlineError(f"{where}: late_policy must be one of {', '.join(POLICIES)}; {_DOCS}")
    interval = block.get("per", "day")
    if interval not in INTERVALS:
        raise DeadlineError(f"{where}: per must be 'day' or 'hour'")
    numbers = {}
    for key in ("penalty_percent", "floor_percent"):
        value = block.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise DeadlineError(f"{where}: {key} must be a number from 0 to 100")
        numbers[key] = float(value)
    if policy == "penalty" and not numbers["penalty_percent"]:
        raise DeadlineError(f"{where}: late_policy = \"penalty\" needs penalty_percent (per {interval})")
    due = parse_time(block["due"], zone, f"{where} due")
    cutoff = parse_time(block["cutoff"], zone, f"{where} cutoff") if "cutoff" in block else None
    if policy == "cutoff" and cutoff is None:
        cutoff = due
    if cutoff is not None and cutoff < due:
        raise DeadlineError(f"{where}: cutoff is before due")
    return Deadline(due=due, zone=zone.key, policy=policy, percent=numbers["penalty_percent"],
                    interval=interval, floor_percent=numbers["floor_percent"], cutoff=cutoff)


# ---------------------------------------------------------------------------- the extensions file


def parse_extensions(text: str, deadline: Deadline, pset_id: str, where: str) -> dict[str, Extension]:
    """The extensions CSV (``student,due,extra_hours[,pset][,note]``), rows for this problem set
    (a row with an empty ``pset`` is for every problem set), by student."""
    zone = ZoneInfo(deadline.zone)
    rows = iter(read_csv(text, where))
    header = [h.strip() for h in next(rows, [])]
    if "student" not in header or not ({"due", "extra_hours"} & set(header)):
        raise DeadlineError(f"{where}: the first line must name the columns, e.g. "
                            f"student,due,extra_hours,note; {_DOCS}")
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


def read_csv(text: str, where: str) -> list[list[str]]:
    """A CSV file's rows (a byte-order mark, as Excel writes, is fine), or one line saying why not."""
    try:
        return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:
        raise DeadlineError(f"{where} is not a readable CSV ({exc}); save it again as CSV") from None


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


def describe(outcome: dict) -> str:
    """One line for every report: when it came in, against which due time, and what it cost."""
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
    from autograder.grading.submission_time import submission_times  # it imports this module

    deadline = load_deadline(pset)
    asked = timestamps is not None or submitted_at is not None or extensions is not None
    if deadline is None:
        if asked:
            raise DeadlineError(f"{pset.id} has no [deadline] in its problemset.toml; add one or "
                                f"drop --timestamps/--submitted-at/--extensions ({_DOCS})")
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
        path = Path(extensions)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DeadlineError(f"--extensions {path}: no such file") from None
        except UnicodeDecodeError:
            raise DeadlineError(f"{path} is not UTF-8 text; save it as CSV (UTF-8)") from None
        granted = parse_extensions(text, deadline, pset.id, str(path))
    return LatePlan(deadline, times, granted, now)
