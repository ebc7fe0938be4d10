"""Results as the grade-import CSVs of Canvas and Moodle, with the roster the instructor provides.

The roster is a CSV mapping each student (the submission's name under ``results/``, in the column
``--match`` names) to the LMS's identity columns; the LMS's own gradebook export serves, with a
column added or chosen for our names. The formats are those the importers read:

- Canvas (``GradebookImporter``): a header ``Student, ID, SIS User ID, SIS Login ID, Section``, then
  one column per assignment named ``Title (assignment id)`` to update an existing assignment (a
  title without an id creates one); a ``Points Possible`` row sets a new assignment's points. A
  student is found by ``ID``, else ``SIS User ID``, else ``SIS Login ID``. A blank grade changes
  nothing.
- Moodle (``gradeimport_csv``): any columns; on import the instructor maps one of them to a user
  field (``id``, ``idnumber``, ``email``, ``username``) and one to the grade item. An unknown user
  aborts the whole import, a blank grade (or ``-``) is no grade.

Pure: maps and formats; reads and writes nothing, never re-judges (``export.commands`` does the I/O).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from autograder.errors import UserError
from autograder.grading.result import Result

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_KEYS = ("ID", "SIS User ID", "SIS Login ID")  # what Canvas finds a student by, in its order


class ExportError(UserError):
    """Grades cannot be exported as asked; the message says what to do. Nothing was written."""


@dataclass(frozen=True)
class Roster:
    columns: tuple[str, ...]
    rows: dict[str, dict[str, str]]  # student (submission name) -> the row
    where: str


@dataclass
class Export:
    rows: list[list[str]]  # header first
    notes: list[str]  # one line each: left blank, over the maximum, not in the results
    students: int = 0  # rows that are students


def parse_roster(text: str, where: str, match: str = "student") -> Roster:
    """The roster CSV; ``match`` names the column that holds the submission names. Rows that are
    not students (Canvas's ``Points Possible`` row) and rows with an empty ``match`` are skipped."""
    try:
        table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:
        raise ExportError(f"{where} is not a readable CSV ({exc}); save it again as CSV") from None
    reader = iter(table)
    header = tuple(h.strip() for h in next(reader, []))
    if match not in header:
        raise ExportError(f"{where} has no column {match!r}; name the column that holds the "
                          f"submission names with --match (its columns: {', '.join(header) or 'none'})")
    rows: dict[str, dict[str, str]] = {}
    for number, cells in enumerate(reader, 2):
        if not any(c.strip() for c in cells) or (cells and "Points Possible" in cells[0]):
            continue
        if len(cells) > len(header):
            raise ExportError(f"{where} line {number}: {len(cells)} cells for {len(header)} columns "
                              f"(a comma inside a name needs quotes)")
        row = {h: c.strip() for h, c in zip(header, cells, strict=False)}
        student = row.get(match, "")
        if not student:
            continue
        if student in rows:
            raise ExportError(f"{where} line {number}: {student} appears twice in column {match!r}; "
                              f"keep one row per student")
        rows[student] = row
    return Roster(header, rows, where)


def to_canvas(results: list[Result], roster: Roster, column: str) -> Export:
    """Canvas's gradebook import: the identity columns copied from the roster, one assignment
    ``column`` (``Title (id)`` updates assignment ``id``; a plain title creates an assignment,
    with its points from a ``Points Possible`` row)."""
    missing = [c for c in CANVAS_KEYS if c not in roster.columns]
    if len(missing) == len(CANVAS_KEYS):
        raise ExportError(f"{roster.where} has none of the columns Canvas finds students by "
                          f"({', '.join(CANVAS_KEYS)}); start from Canvas's gradebook export "
                          f"(Grades > Export)")
    mine = _matched(results, roster)
    for result in mine:
        if not any(roster.rows[result.submission].get(c) for c in CANVAS_KEYS):
            raise ExportError(f"{roster.where}: {result.submission} has no {', '.join(CANVAS_KEYS)}; "
                              f"fill one in from Canvas's gradebook export")
    rows = [[*CANVAS_IDENTITY, column]]
    if not _has_canvas_id(column):
        rows.append(["Points Possible", "", "", "", "", _number(_maximum(mine))])
    notes: list[str] = []
    for result in mine:
        who = roster.rows[result.submission]
        rows.append([who.get(c, "") for c in CANVAS_IDENTITY] + [_grade(result, notes)])
    return Export(rows, notes + _unmatched_note(results, roster), len(mine))


def to_moodle(results: list[Result], roster: Roster, id_column: str, item: str) -> Export:
    """Moodle's grade import: ``id_column`` (map it to the user field it holds) and the grade
    ``item`` (map it to the grade item)."""
    if id_column not in roster.columns:
        raise ExportError(f"{roster.where} has no column {id_column!r} for --id-column (its columns: "
                          f"{', '.join(roster.columns)}); Moodle's export has 'Email address' and "
                          f"'ID number'")
    mine = _matched(results, roster)
    empty = [r.submission for r in mine if not roster.rows[r.submission].get(id_column)]
    if empty:
        raise ExportError(f"{roster.where}: {', '.join(empty[:5])} {'has' if len(empty) == 1 else 'have'} "
                          f"no {id_column}; fill it in (Moodle stops the whole import at an unknown user)")
    notes: list[str] = []
    rows = [[id_column, item]]
    for result in mine:
        rows.append([roster.rows[result.submission][id_column], _grade(result, notes)])
    maximum = _maximum(mine)
    over = [r.submission for r in mine if r.status == "graded" and r.score > maximum + 1e-9]
    if over:
        notes.append(f"{', '.join(over[:5])} {'scores' if len(over) == 1 else 'score'} above the maximum "
                     f"{maximum:g} (bonus): Moodle refuses grades above its grade item's maximum; raise "
                     f"that maximum first")
    return Export(rows, notes + _unmatched_note(results, roster), len(mine))


def csv_text(rows: list[list[str]]) -> str:
    """RFC 4180 CSV (CRLF line ends, fields quoted where needed), UTF-8 without a BOM."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _matched(results: list[Result], roster: Roster) -> list[Result]:
    unknown = sorted(r.submission for r in results if r.submission not in roster.rows)
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ExportError(f"{', '.join(unknown[:5])}{more} {'is' if len(unknown) == 1 else 'are'} not in "
                          f"{roster.where}; add a row for each (or fix the --match column); nothing "
                          f"was written")
    return sorted(results, key=lambda r: r.submission)


def _unmatched_note(results: list[Result], roster: Roster) -> list[str]:
    graded = {r.submission for r in results}
    absent = [s for s in roster.rows if s not in graded]
    if not absent:
        return []
    return [f"{len(absent)} student(s) of the roster have no result and are left out (their grades "
            f"stay as they are): {', '.join(absent[:5])}{' ...' if len(absent) > 5 else ''}"]


def _grade(result: Result, notes: list[str]) -> str:
    if result.status != "graded":
        notes.append(f"{result.submission}: not graded ({result.output[:80]}); left blank, so the "
                     f"LMS keeps what it has")
        return ""
    return _number(result.score)


def _maximum(results: list[Result]) -> float:
    return max((r.max_score for r in results), default=0.0)


def _number(value: float) -> str:
    """Points with at most two decimals, as Canvas shows and exports them; a dot as separator."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _has_canvas_id(column: str) -> bool:
    """``Title (12345)``: an existing assignment (Canvas's ``Assignment.title_and_id``)."""
    head, _, tail = column.rstrip().rpartition("(")
    return bool(head) and tail.endswith(")") and tail[:-1].strip().isdigit()
