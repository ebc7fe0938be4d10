"""``autograder report RESULTS``: the batch report of a graded folder. The CLI edge of
``report.batch`` (it prints; ``batch`` and ``item_statistics`` return data)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.errors import user_errors
from autograder.report.batch import write_batch_report


@click.command("report")
@click.argument("results_dir", metavar="RESULTS", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for report.html and the CSVs (default: RESULTS itself).")
@user_errors
def report_command(results_dir: Path, out: Path | None) -> None:
    """Item statistics of a graded batch: RESULTS is the folder `autograder grade` wrote (results/PSET).

    \b
    Writes, into RESULTS (or --out):
      report.html       score distribution per problem; per check: pass rate, difficulty,
                        point-biserial discrimination, most common failure; checks that every
                        submission passes or fails; flagged, not-graded and slowest submissions
      scores.csv        submission x problem
      checks.csv        one row of statistics per check
      check_scores.csv  submission x check points
    Reads results only: it changes no score.
    """
    report = write_batch_report(results_dir, out)
    s = report.statistics
    where = out or results_dir
    click.echo(f"{s.pset}: {len(s.graded)} graded, {len(s.not_graded)} not graded, {len(s.flags)} flagged; "
               f"{len(s.all_pass)} checks all pass, {len(s.all_fail)} all fail")
    click.echo(f"wrote {where / 'report.html'} and scores.csv, checks.csv, check_scores.csv beside it")
