"""``autograder similarity PSET SUBMISSIONS...``: the CLI edge of ``similarity`` (it prints and writes;
``compare`` and ``html`` return data)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.errors import course_root, user_errors
from autograder.files import write_atomically
from autograder.problemset import find_problem_set
from autograder.similarity.compare import find_similar, starter_files
from autograder.similarity.html import SIMILARITY_REPORT, similarity_files
from autograder.terminal_text import escape_controls


@click.command("similarity")
@click.argument("pset_id", metavar="PSET")
@click.argument("submissions", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for similarity.html and similarity.csv (default: results/PSET).")
@click.option("--min-similarity", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="List pairs sharing at least this share of their own code.")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True,
              help="Pairs drawn side by side in the HTML (the CSV has them all).")
@click.option("--common", "common_fraction", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Code found in more than this share of submissions (and more than 3) is common "
                   "code, not evidence.")
@user_errors
def similarity_command(pset_id: str, submissions: tuple[Path, ...], out: Path | None,
                       min_similarity: float, top: int, common_fraction: float) -> None:
    """Pairs of SUBMISSIONS whose code is unusually alike, module by module, for a person to read.

    Renaming and reformatting do not hide a match (names, literals, comments and layout are
    ignored); code in the released stubs and given files (assignments/PSET) is not evidence.
    Writes similarity.html (ranked pairs, matching regions side by side) and similarity.csv.
    Changes no score.
    """
    released = find_problem_set(pset_id, kind="assignments", start=course_root())
    report = find_similar(released, submissions, starter=starter_files(released),
                          min_similarity=min_similarity, common_fraction=common_fraction)
    files = similarity_files(report, top=top)
    out = out or Path("results") / released.id
    for name, text in files.items():
        write_atomically(out / name, text)
    for name, why in report.unreadable:
        click.echo(escape_controls(f"not compared: {name}: {why}"), err=True)
    for p in report.pairs[:10]:
        click.echo(escape_controls(f"{100 * p.similarity:3.0f}%  {p.module}: {p.a} · {p.b} "
                                   f"(longest match {p.longest} tokens)"))
    click.echo(f"{len(report.pairs)} pairs at or above {100 * min_similarity:.0f}% among "
               f"{len(report.submissions)} submissions; wrote {out / SIMILARITY_REPORT} and similarity.csv")
