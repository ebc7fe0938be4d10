"""``autograder nbgrader export|record`` and ``autograder export csv``: the CLI edge of this package
(it prints; ``course``, ``gradebook`` and ``notebook`` return data)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.errors import course_root, user_errors
from autograder.grading.result import Result
from autograder.nbgrader.course import export_course
from autograder.nbgrader.gradebook import (
    Recorded,
    export_csv,
    record_results,
    resolve_gradebook,
    results_from_folder,
)
from autograder.problemset import ProblemSetError, find_problem_set
from autograder.report.display import fraction


@click.group("nbgrader")
def nbgrader_group() -> None:
    """nbgrader: release a problem set as an nbgrader course, record grades in its gradebook.

    \b
    autograder nbgrader export PSET --course NBGRADER_DIR    solutions/PSET -> an nbgrader course
    autograder grade PSET NBGRADER_DIR/submitted/*/PSET --gradebook NBGRADER_DIR
    autograder nbgrader record PSET RESULTS_DIR --gradebook NBGRADER_DIR
    autograder export csv --gradebook NBGRADER_DIR -o grades.csv

    See docs/nbgrader.md for the whole workflow.
    """


@nbgrader_group.command("export")
@click.argument("pset_id", metavar="PSET")
@click.option("--course", "nbgrader_course", required=True, metavar="NBGRADER_DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="The nbgrader course folder to write into (created if missing); not the global "
                   "--course, which names the course repository holding solutions/.")
@user_errors
def export_command(pset_id: str, nbgrader_course: Path) -> None:
    """Write PSET as an nbgrader assignment: NBGRADER_DIR/source/PSET/PSET.ipynb.

    Answer cells with nbgrader's solution markers, written answers graded by hand
    (solutions/PSET/nbgrader.toml), public check cells, and a placeholder for each hidden check
    cell: hidden checks never go into a notebook, where the student's kernel could read them;
    `autograder grade --gradebook` grades them in its sandbox and fills those cells. Also writes
    nbgrader_config.py when the folder has none. Then, in NBGRADER_DIR: nbgrader generate_assignment PSET.
    """
    pset = find_problem_set(pset_id, kind="solutions", start=course_root())
    done = export_course(pset, nbgrader_course)
    click.echo(f"{pset.id}: wrote {done.notebook} ({done.autograded_points:g} autograded points"
               f"{f' + {done.written_points:g} written' if done.written_points else ''})")
    if done.config_written:
        click.echo(f"wrote {nbgrader_course / 'nbgrader_config.py'}")
    click.echo(f"next, in {nbgrader_course}: nbgrader generate_assignment {pset.id}")
    if done.hidden_cells:
        click.secho(
            f"IMPORTANT: the hidden checks ({done.hidden_points:g} points, {done.hidden_cells} cells) "
            f"are not in the notebook. Only `autograder grade {pset.id} "
            f"{nbgrader_course}/submitted/*/{pset.id} --gradebook {nbgrader_course}` grades them, in "
            f"its sandbox; after `nbgrader autograde` alone they score 0.",
            fg="yellow", bold=True)


@nbgrader_group.command("record")
@click.argument("pset_id", metavar="PSET")
@click.argument("results_dir", metavar="RESULTS", required=False,
                type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--gradebook", required=True, metavar="URL|NBGRADER_DIR",
              help="sqlite:///path/gradebook.db, or the nbgrader course folder.")
@user_errors
def record_command(pset_id: str, results_dir: Path | None, gradebook: str) -> None:
    """Store the results `autograder grade` wrote (RESULTS/<submission>/results.json, default
    results/PSET) in nbgrader's gradebook: autograded cells' scores; manual grades stay."""
    results = results_from_folder(results_dir or Path("results") / pset_id)
    results = [r for r in results if r.pset == pset_id]
    if not results:
        raise ProblemSetError(f"no results of {pset_id} in {results_dir or Path('results') / pset_id}; "
                              f"run `autograder grade {pset_id} ...` first")
    record_to_gradebook(pset_id, results, gradebook)


def record_to_gradebook(pset_id: str, results: list[Result], gradebook: str, *,
                        err: bool = False) -> list[Recorded]:
    """Record and say what was recorded (on stderr with ``err``, e.g. under ``grade --json``).
    What ``autograder grade --gradebook`` calls after grading."""
    recorded = record_results(pset_id, results, resolve_gradebook(gradebook))
    for entry in recorded:
        note = f"; wrote {entry.autograded_notebook}" if entry.autograded_notebook else ""
        click.echo(f"gradebook: {entry.student} autograded {fraction(entry.score, entry.max_score)}{note}",
                   err=err)
    return recorded


@click.group("export")
def export_group() -> None:
    """Export grades: nbgrader's grade table (csv), or a results folder as Canvas's or Moodle's
    grade-import CSV (canvas, moodle)."""


@export_group.command("csv")
@click.option("--gradebook", required=True, metavar="URL|NBGRADER_DIR",
              help="sqlite:///path/gradebook.db, or the nbgrader course folder.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("grades.csv"), show_default=True, help="The CSV file to write.")
@click.option("--assignment", "assignments", multiple=True, metavar="PSET",
              help="Only this assignment (repeatable).")
@click.option("--student", "students", multiple=True, metavar="ID", help="Only this student (repeatable).")
@user_errors
def csv_command(gradebook: str, out: Path, assignments: tuple[str, ...], students: tuple[str, ...]) -> None:
    """Write the grade table (assignment, student, timestamp, raw score, late penalty, score, max
    score: nbgrader's own CSV format), autograded and manual grades together."""
    rows = export_csv(resolve_gradebook(gradebook), out, assignments=assignments, students=students)
    click.echo(f"wrote {rows} row(s) to {out}")
