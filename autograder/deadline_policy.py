"""The ``[deadline]`` block of a problem set's manifest: when it is due, in which time zone, and
what lateness costs; and how times are read (TOML, text, Unix seconds; DST gaps refused).

Part of the manifest model (``problemset.load_deadline`` reads the block through it, and refuses a
bad one when the manifest is read); it imports nothing above the base layer.
Applying a deadline to a result is ``grading.deadline``; describing it, ``report.display``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.errors import UserError

POLICIES = ("none", "penalty", "cutoff")
INTERVALS = {"day": 86400.0, "hour": 3600.0}  # a day is 24 h of real time, as Canvas counts it
DOCS = "see docs/authoring.md#deadlines"


class DeadlineError(UserError):
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


def read_csv(text: str, where: str) -> list[list[str]]:
    """A CSV file's rows (a byte-order mark, as Excel writes, is fine), or one line saying why not."""
    try:
        return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:
        raise DeadlineError(f"{where} is not a readable CSV ({exc}); save it again as CSV") from None


# ---------------------------------------------------------------------------- the manifest block


def parse_deadline(block: object, where: str) -> Deadline:
    """A manifest's ``[deadline]`` table (``where``: the manifest and table, for messages)."""
    if not isinstance(block, dict):
        raise DeadlineError(f"{where} must be a table; {DOCS}")
    known = {"due", "timezone", "late_policy", "penalty_percent", "per", "floor_percent", "cutoff"}
    unknown = sorted(set(block) - known)
    if unknown:
        raise DeadlineError(f"{where}: unknown keys {unknown} (known: {sorted(known)}); {DOCS}")
    if "due" not in block or "timezone" not in block:
        raise DeadlineError(f"{where} needs due and timezone, e.g. due = \"2026-03-14 23:59\", "
                            f"timezone = \"Europe/Berlin\"; {DOCS}")
    zone = zone_named(block["timezone"], where)
    policy = block.get("late_policy", "none")
    if policy not in POLICIES:
        raise DeadlineError(f"{where}: late_policy must be one of {', '.join(POLICIES)}; {DOCS}")
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
