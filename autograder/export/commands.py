"""``autograder export FORMAT RESULTS``: a graded folder in another system's format. The CLI edge of
the exporters in this package (``lms``, ``grade_table``, ``gradescope``, ``classroom``) and of
nbgrader's gradebook: it reads RESULTS (``grading.results_folder``), calls a pure mapper, writes
atomically and prints. Scores are read from each ``Result``; nothing is re-judged or recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from autograder.errors import UserError, user_errors
from autograder.export.classroom import to_classroom
from autograder.export.grade_table import to_grade_table
from autograder.export.gradescope import VISIBILITIES, to_gradescope
from autograder.export.lms import Export, ExportError, csv_text, parse_roster, to_canvas, to_moodle
from autograder.files import read_user_text, write_atomically
from autograder.grading.grade import RESULTS_FILE
from autograder.grading.result import Result
from autograder.grading.results_folder import read_results
from autograder.nbgrader.commands import record_to_gradebook
from autograder.nbgrader.gradebook import export_csv, resolve_gradebook

CLASSROOM_FILE = "classroom.json"

_RESULTS = click.argument("results_dir", metavar="RESULTS", type=click.Path(path_type=Path))
_ROSTER = click.option("--roster", required=True, type=click.Path(dir_okay=False, path_type=Path),
                       help="CSV mapping each student (their folder name under RESULTS) to the LMS's "
                            "identity columns; the LMS's own gradebook export works.")
_MATCH = click.option("--match", default="student", show_default=True, metavar="COLUMN",
                      help="The roster column holding the students' folder names under RESULTS.")
_GRADEBOOK_HELP = "sqlite:///path/gradebook.db, or the nbgrader course folder."


@click.group("export")
def export_group() -> None:
    """Grades out of RESULTS (the folder `autograder grade` wrote: RESULTS/<submission>/results.json)
    in another system's format. Scores are read from the results, never recomputed.

    \b
    csv RESULTS [-o grades.csv]          a row per submission, a column per problem
    canvas RESULTS --roster R.csv        Canvas's gradebook import CSV
    moodle RESULTS --roster R.csv        Moodle's grade import CSV
    gradescope RESULTS [-o gradescope]   Gradescope's results.json per submission
    classroom RESULTS [-o classroom]     GitHub Classroom's points payload per submission
    gradebook RESULTS --gradebook DIR    into nbgrader's gradebook (docs/nbgrader.md)
    csv --gradebook DIR [-o grades.csv]  nbgrader's grade table, manual grades too
    """


@export_group.command("csv")
@click.argument("results_dir", metavar="[RESULTS]", required=False, type=click.Path(path_type=Path))
@click.option("--gradebook", metavar="URL|NBGRADER_DIR", default=None,
              help="Instead of RESULTS: nbgrader's gradebook (" + _GRADEBOOK_HELP + ")")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("grades.csv"), show_default=True, help="The CSV file to write.")
@click.option("--assignment", "assignments", multiple=True, metavar="PSET",
              help="With --gradebook: only this assignment (repeatable).")
@click.option("--student", "students", multiple=True, metavar="ID",
              help="With --gradebook: only this student (repeatable).")
@user_errors
def csv_command(results_dir: Path | None, gradebook: str | None, out: Path, assignments: tuple[str, ...],
                students: tuple[str, ...]) -> None:
    """Write a grade table as CSV: from RESULTS, or from nbgrader's gradebook.

    From RESULTS: one row per submission (status, score after any late penalty, maximum, each
    problem's score, the score before the penalty, the late status). With --gradebook: nbgrader's
    own grade table (assignment, student, timestamp, raw score, late penalty, score, max score),
    autograded and manual grades together, as `nbgrader export` writes it.
    """
    if (results_dir is None) == (gradebook is None):
        raise UserError("give RESULTS (the folder `autograder grade` wrote) or --gradebook NBGRADER_DIR "
                        "(nbgrader's grade table), one of the two")
    if gradebook is not None:
        rows = export_csv(resolve_gradebook(gradebook), out, assignments=assignments, students=students)
        click.echo(f"wrote {rows} row(s) to {out}")
        return
    if assignments or students:
        raise UserError("--assignment and --student select from a gradebook; with RESULTS, export the "
                        "folder of one problem set")
    results = _results(results_dir)
    write_atomically(out, csv_text(to_grade_table(results)))
    click.echo(f"wrote {len(results)} submission(s) to {out}")


@export_group.command("canvas")
@_RESULTS
@_ROSTER
@_MATCH
@click.option("--assignment", "column", default=None, metavar="'TITLE (ID)'",
              help="The assignment column: 'Problem set 1 (12345)' updates Canvas assignment 12345 "
                   "(copy the header from Canvas's export); a plain title creates an assignment. "
                   "Default: the problem set's id.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("canvas.csv"),
              show_default=True, help="The CSV to write (import it in Grades > Import).")
@user_errors
def canvas_command(results_dir: Path, roster: Path, match: str, column: str | None, out: Path) -> None:
    """Write Canvas's gradebook import CSV from RESULTS (what `autograder grade` wrote).

    Columns Student, ID, SIS User ID, SIS Login ID, Section (from the roster) and the assignment;
    scores after any late penalty; a submission that could not be graded is left blank.
    """
    results = _results(results_dir)
    _write_lms(to_canvas(results, _roster(roster, match), column or results[0].pset), out)


@export_group.command("moodle")
@_RESULTS
@_ROSTER
@_MATCH
@click.option("--id-column", default="Email address", show_default=True, metavar="COLUMN",
              help="The roster column Moodle identifies users by; on import, map it to the user "
                   "field it holds (email address, ID number, username or id).")
@click.option("--item", default=None, metavar="NAME",
              help="The grade column's name (on import, map it to the grade item). Default: the "
                   "problem set's id.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("moodle.csv"),
              show_default=True, help="The CSV to write (Grades > Import > CSV file).")
@user_errors
def moodle_command(results_dir: Path, roster: Path, match: str, id_column: str, item: str | None,
                   out: Path) -> None:
    """Write Moodle's grade import CSV from RESULTS (what `autograder grade` wrote).

    Two columns: the user identifier from the roster and the grade (after any late penalty);
    a submission that could not be graded is left blank (no grade).
    """
    results = _results(results_dir)
    _write_lms(to_moodle(results, _roster(roster, match), id_column, item or results[0].pset), out)


@export_group.command("gradescope")
@_RESULTS
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("gradescope"),
              show_default=True, help="Folder for OUT/<submission>/results.json.")
@click.option("--hidden-visibility", type=click.Choice(VISIBILITIES), default="visible", show_default=True,
              help="What Gradescope shows of hidden checks.")
@click.option("--visibility", type=click.Choice(VISIBILITIES), default=None,
              help="Gradescope's default visibility for the whole result (e.g. after_due_date).")
@click.option("--leaderboard", is_flag=True, help="Add a leaderboard: score and grading time.")
@user_errors
def gradescope_command(results_dir: Path, out: Path, hidden_visibility: str, visibility: str | None,
                       leaderboard: bool) -> None:
    """Write each result in Gradescope's results.json format: OUT/<submission>/results.json.

    The same file the Gradescope bundle (`autograder gradescope build`) writes inside Gradescope's
    container: checks numbered problem by problem, our finer statuses and the maximum in
    extra_data. For tools that read Gradescope's format, or to see what students would see there.
    """
    results = _results(results_dir)
    for result in results:
        data = to_gradescope(result, hidden_visibility=hidden_visibility, visibility=visibility,
                             leaderboard=leaderboard)
        write_atomically(out / result.submission / RESULTS_FILE, json.dumps(data, indent=2))
    click.echo(f"wrote {len(results)} submission(s) to {out}/<submission>/{RESULTS_FILE}")


@export_group.command("classroom")
@_RESULTS
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("classroom"),
              show_default=True, help=f"Folder for OUT/<submission>/{CLASSROOM_FILE}.")
@click.option("--show-all", is_flag=True,
              help="Also name the checks shown only after the due date, with their messages.")
@user_errors
def classroom_command(results_dir: Path, out: Path, show_all: bool) -> None:
    """Write each result as GitHub Classroom's points payload: OUT/<submission>/classroom.json.

    The payload Classroom's grading reporter reads (`autograder ci publish` hands it over, base64,
    in a student repository's CI): per check its name, pass/fail/error, score and message; the
    points are the sum of the scores.
    """
    results = _results(results_dir)
    for result in results:
        payload = to_classroom(result, show_all=show_all)
        write_atomically(out / result.submission / CLASSROOM_FILE, json.dumps(payload, indent=2) + "\n")
    click.echo(f"wrote {len(results)} submission(s) to {out}/<submission>/{CLASSROOM_FILE}")


@export_group.command("gradebook")
@_RESULTS
@click.option("--gradebook", required=True, metavar="URL|NBGRADER_DIR", help=_GRADEBOOK_HELP)
@user_errors
def gradebook_command(results_dir: Path, gradebook: str) -> None:
    """Record RESULTS in nbgrader's gradebook: each autograded cell's score as the results give it
    (hidden check cells too); manual grades stay. What `autograder grade --gradebook` does after
    grading, for a folder graded earlier. See docs/nbgrader.md."""
    results = _results(results_dir)
    record_to_gradebook(results[0].pset, results, gradebook)


def _results(folder: Path) -> list[Result]:
    """RESULTS read whole (one problem set, every file a result of `autograder grade`), or a one-line
    error before anything is written."""
    results = read_results(folder)
    for result in results:
        if result.submission in ("", ".", "..") or Path(result.submission).name != result.submission:
            raise ExportError(f"{folder}: a result names its submission {result.submission!r}, not a "
                              f"folder name; grade that submission again")
    return results


def _roster(path: Path, match: str):
    return parse_roster(read_user_text(path, "--roster", ExportError), str(path), match)


def _write_lms(export: Export, out: Path) -> None:
    write_atomically(out, csv_text(export.rows))
    for note in export.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {export.students} student(s) to {out}")
