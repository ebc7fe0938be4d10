"""``autograder export canvas|moodle``: a results folder as the LMS's grade-import CSV, checked
against the rules the importers apply (Canvas's ``GradebookImporter``, Moodle's
``gradeimport_csv``), from rosters shaped like those systems' own gradebook exports."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.export.lms import ExportError, csv_text, parse_roster, to_canvas, to_moodle
from autograder.grading.result import Result

DATA = Path(__file__).resolve().parent / "data" / "lms"
CANVAS_ROSTER = DATA / "canvas_gradebook_export.csv"
MOODLE_ROSTER = DATA / "moodle_grades_export.csv"


def graded(name: str, score: float, *, status: str = "graded", late: dict | None = None) -> Result:
    return Result(pset="ps1_linalg", submission=name, source=f"subs/{name}", status=status,
                  score=score, max_score=10.0, output="" if status == "graded" else "damaged zip",
                  deadline=late or {})


RESULTS = [graded("alice", 9.5),
           graded("bob", 6.0, late={"status": "late", "score_before": 8.0, "score_after": 6.0}),
           graded("carol", 0.0, status="not_graded")]


def results_folder(root: Path, results: list[Result]) -> Path:
    for result in results:
        result.write(root / result.submission / "results.json")
    return root


def canvas_reads(text: str) -> dict:
    """What Canvas's importer makes of the file: its header rule (Student, ID, then SIS User ID and
    SIS Login ID, with Section as the last student column), assignment ids from 'Title (id)',
    the Points Possible row, and each student's key and grade."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    assert re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3])
    assert "Section" in header[4]  # the last student column: Canvas refuses the header otherwise
    assignments = header[5:]
    points = {}
    body = rows[1:]
    if body and "Points Possible" in body[0][0]:
        points = dict(zip(assignments, body[0][5:], strict=True))
        body = body[1:]
    students = {}
    for row in body:
        assert len(row) == len(header)
        key = row[1] or row[2] or row[3]  # ID, else SIS User ID, else SIS Login ID
        students[key] = dict(zip(assignments, row[5:], strict=True))
    return {"assignments": assignments, "points": points, "students": students}


def moodle_reads(text: str, id_column: str, roster: Path) -> dict:
    """Moodle's importer: the mapped identifier column must name a known user (else the whole
    import stops); a grade is a number, or blank for no grade."""
    rows = list(csv.DictReader(io.StringIO(text)))
    known = {row[id_column] for row in csv.DictReader(roster.open(encoding="utf-8"))}
    grades = {}
    for row in rows:
        assert row[id_column] in known
        value = row["ps1_linalg"]
        assert value == "" or float(value) >= 0
        grades[row[id_column]] = value
    return grades


def test_canvas_csv_updates_an_existing_assignment_by_its_id():
    roster = parse_roster(CANVAS_ROSTER.read_text(), "roster.csv", match="SIS Login ID")
    export = to_canvas(RESULTS, roster, "Problem set 1 (4711)")
    text = csv_text(export.rows)
    read = canvas_reads(text)
    assert read["assignments"] == ["Problem set 1 (4711)"]
    assert read["points"] == {}  # an existing assignment keeps its points
    assert read["students"] == {"1001": {"Problem set 1 (4711)": "9.5"},
                                "1002": {"Problem set 1 (4711)": "6"},  # after the late penalty
                                "1003": {"Problem set 1 (4711)": ""}}  # not graded: blank
    assert text.splitlines()[1] == '"Lovelace, Ada",1001,S-2026-001,alice,Optimization (Mon),9.5'
    assert any("carol: not graded" in note for note in export.notes)
    assert any("1 student(s) of the roster have no result" in note and "dave" in note
               for note in export.notes)


def test_canvas_csv_for_a_new_assignment_has_a_points_possible_row():
    roster = parse_roster(CANVAS_ROSTER.read_text(), "roster.csv", match="SIS Login ID")
    read = canvas_reads(csv_text(to_canvas(RESULTS[:2], roster, "ps1_linalg").rows))
    assert read["points"] == {"ps1_linalg": "10"}


def test_moodle_csv_has_the_identifier_and_the_grade_item():
    roster = parse_roster(MOODLE_ROSTER.read_text(), "roster.csv")
    export = to_moodle(RESULTS, roster, "Email address", "ps1_linalg")
    text = csv_text(export.rows)
    assert text.splitlines()[0] == "Email address,ps1_linalg"
    assert moodle_reads(text, "Email address", MOODLE_ROSTER) == {
        "ada@uni.example": "9.5", "carl@uni.example": "6", "emmy@uni.example": ""}


def test_a_bonus_above_the_maximum_is_pointed_out_for_moodle():
    roster = parse_roster(MOODLE_ROSTER.read_text(), "roster.csv")
    export = to_moodle([graded("alice", 11.0)], roster, "ID number", "ps1_linalg")
    assert export.rows[1] == ["S-2026-001", "11"]
    assert any("above the maximum 10" in note for note in export.notes)


@pytest.mark.parametrize("make, message", [
    (lambda r: to_canvas([*RESULTS, graded("eve", 5)], r, "x"),
     "eve is not in roster.csv; add a row for each (or fix the --match column); nothing was written"),
    (lambda r: to_moodle(RESULTS, r, "Matrikel", "x"), "has no column 'Matrikel' for --id-column"),
])
def test_an_unknown_student_or_column_is_one_line(make, message):
    roster = parse_roster(CANVAS_ROSTER.read_text().replace("SIS Login ID", "student"), "roster.csv")
    with pytest.raises(ExportError) as caught:
        make(roster)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_roster_without_the_match_column_says_which_columns_it_has():
    with pytest.raises(ExportError, match=r"has no column 'student'; name the column that holds the "
                                          r"submission names with --match \(its columns: Student, ID"):
        parse_roster(CANVAS_ROSTER.read_text(), "roster.csv")


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, text=True,
                          capture_output=True, env=dict(os.environ), timeout=120)


def test_export_canvas_and_moodle_from_a_results_folder(tmp_path):
    results_folder(tmp_path / "results" / "ps1_linalg", RESULTS)
    run = run_cli("export", "canvas", "results/ps1_linalg", "--roster", str(CANVAS_ROSTER),
                  "--match", "SIS Login ID", "--assignment", "Problem set 1 (4711)", "-o", "canvas.csv",
                  cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "wrote 3 student(s) to canvas.csv" in run.stdout and "note: carol: not graded" in run.stderr
    assert canvas_reads((tmp_path / "canvas.csv").read_text())["students"]["1001"] == \
        {"Problem set 1 (4711)": "9.5"}
    run = run_cli("export", "moodle", "results/ps1_linalg", "--roster", str(MOODLE_ROSTER), "-o",
                  "moodle.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert moodle_reads((tmp_path / "moodle.csv").read_text(), "Email address", MOODLE_ROSTER)[
        "carl@uni.example"] == "6"


def test_an_unknown_student_exits_two_and_writes_nothing(tmp_path):
    results_folder(tmp_path / "results", [*RESULTS, graded("mallory", 3.0)])
    (tmp_path / "moodle.csv").write_text("the previous export\n")
    run = run_cli("export", "moodle", "results", "--roster", str(MOODLE_ROSTER), "-o", "moodle.csv",
                  cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"error: mallory is not in {MOODLE_ROSTER}; add a row for each (or fix the --match column); "
        f"nothing was written"]
    assert (tmp_path / "moodle.csv").read_text() == "the previous export\n"
    assert not list(tmp_path.glob(".results-*"))
