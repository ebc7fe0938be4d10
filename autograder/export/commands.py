"""``autograder export canvas|moodle``: a results folder as an LMS grade-import CSV. The CLI edge of
``lms`` (it reads the results and the roster, writes the CSV atomically, prints)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.errors import user_errors
from autograder.export.lms import Export, ExportError, csv_text, parse_roster, to_canvas, to_moodle
from autograder.files import write_atomically
from autograder.grading.result import Result

_RESULTS = click.argument("results_dir", metavar="RESULTS",
                          type=click.Path(file_okay=False, exists=True, path_type=Path))
_ROSTER = click.option("--roster", required=True, type=click.Path(dir_okay=False, path_type=Path),
                       help="CSV mapping each student (their folder name under RESULTS) to the LMS's "
                            "identity columns; the LMS's own gradebook export works.")
_MATCH = click.option("--match", default="student", show_default=True, metavar="COLUMN",
                      help="The roster column holding the students' folder names under RESULTS.")


@click.command("canvas")
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
    results, pset_id = _results(results_dir)
    _write(to_canvas(results, _roster(roster, match), column or pset_id), out)


@click.command("moodle")
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
    results, pset_id = _results(results_dir)
    _write(to_moodle(results, _roster(roster, match), id_column, item or pset_id), out)


def _results(folder: Path) -> tuple[list[Result], str]:
    from autograder.nbgrader.gradebook import results_from_folder

    results = results_from_folder(folder)
    if not results:
        raise ExportError(f"no results in {folder} (<submission>/results.json); run `autograder grade` "
                          f"first")
    psets = sorted({r.pset for r in results})
    if len(psets) > 1:
        raise ExportError(f"{folder} holds results of {', '.join(psets)}; export one problem set's "
                          f"folder at a time")
    return results, psets[0]


def _roster(path: Path, match: str):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExportError(f"--roster {path}: no such file") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path} is not UTF-8 text; save it as CSV UTF-8") from None
    return parse_roster(text, str(path), match)


def _write(export: Export, out: Path) -> None:
    write_atomically(out, csv_text(export.rows))
    for note in export.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {export.students} student(s) to {out}")
