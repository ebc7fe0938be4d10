"""``autograder nbgrader export`` and the gradebook's printed side (``record_to_gradebook``, which
``autograder grade --gradebook`` and ``autograder export gradebook`` call): the CLI edge of this
package (it prints; ``course`` and ``gradebook`` return data)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.errors import UserError, course_root, user_errors
from autograder.grading.result import Result
from autograder.nbgrader.course import export_course
from autograder.nbgrader.gradebook import Recorded, record_results, resolve_gradebook
from autograder.problemset import find_problem_set
from autograder.report.display import fraction


@click.group("nbgrader")
def nbgrader_group() -> None:
    """nbgrader: release a problem set as an nbgrader course, record grades in its gradebook.

    \b
    autograder nbgrader export PSET --course NBGRADER_DIR    solutions/PSET -> an nbgrader course
    autograder grade PSET NBGRADER_DIR/submitted/*/PSET --gradebook NBGRADER_DIR
    autograder export gradebook RESULTS --gradebook NBGRADER_DIR    a folder graded earlier
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


@nbgrader_group.command("record", hidden=True,
                        context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("ignored", nargs=-1, type=click.UNPROCESSED)
@user_errors
def record_command(ignored: tuple[str, ...]) -> None:
    """Replaced by `autograder export gradebook RESULTS --gradebook NBGRADER_DIR`."""
    raise UserError("`autograder nbgrader record PSET RESULTS` is now `autograder export gradebook RESULTS "
                    "--gradebook NBGRADER_DIR` (RESULTS: the folder `autograder grade` wrote)")


def record_to_gradebook(pset_id: str, results: list[Result], gradebook: str, *,
                        err: bool = False) -> list[Recorded]:
    """Record and say what was recorded (on stderr with ``err``, e.g. under ``grade --json``).
    What ``autograder grade --gradebook`` and ``autograder export gradebook`` call."""
    recorded = record_results(pset_id, results, resolve_gradebook(gradebook))
    for entry in recorded:
        note = f"; wrote {entry.autograded_notebook}" if entry.autograded_notebook else ""
        click.echo(f"gradebook: {entry.student} autograded {fraction(entry.score, entry.max_score)}{note}",
                   err=err)
    return recorded
