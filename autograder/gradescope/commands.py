"""``autograder gradescope build``: write a problem set's Gradescope autograder bundle (a zip).
The CLI edge of ``bundle``: it prints."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.errors import course_root, user_errors
from autograder.export.gradescope import VISIBILITIES
from autograder.gradescope.bundle import CPU_TORCH_INDEX, BundleOptions, bundle_files, write_zip
from autograder.problemset import find_problem_set


@click.group()
def gradescope() -> None:
    """Gradescope: build the autograder bundle you upload (see docs/ci.md)."""


@gradescope.command()
@click.argument("pset_id", metavar="PSET")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("autograder.zip"), show_default=True, help="The zip to write.")
@click.option("--hidden-visibility", type=click.Choice(VISIBILITIES), default="visible",
              show_default=True,
              help="What students see of hidden checks on Gradescope (their names and messages never "
                   "reveal inputs or expected values).")
@click.option("--visibility", type=click.Choice(VISIBILITIES), default=None,
              help="Gradescope's default visibility for the whole result (e.g. after_due_date).")
@click.option("--leaderboard", is_flag=True, help="Add a leaderboard: score and grading time.")
@click.option("--torch-index", default=CPU_TORCH_INDEX, show_default=True,
              help="The pip index PyTorch comes from.")
@user_errors
def build(pset_id: str, out: Path, hidden_visibility: str, visibility: str | None, leaderboard: bool,
          torch_index: str) -> None:
    """Write PSET's Gradescope autograder bundle: upload OUT as the assignment's autograder.

    \b
    setup.sh          installs bubblewrap, Python packages pinned to this environment's versions
                      (CPU PyTorch) and the bundled engine; locks the bundle to root
    run_autograder    grades /autograder/submission, writes /autograder/results/results.json
    engine/           the autograder package source     course/   solutions/PSET (hidden checks)
    """
    pset = find_problem_set(pset_id, kind="solutions", start=course_root())
    options = BundleOptions(hidden_visibility=hidden_visibility, visibility=visibility,
                            leaderboard=leaderboard, torch_index=torch_index)
    files = bundle_files(pset, options)
    size = write_zip(files, out)
    click.echo(f"{pset.id}: wrote {out} ({len(files)} files, {size / 1024:.0f} KiB)")
    click.echo(f"next: on Gradescope, create a Programming Assignment worth {pset.max_score:g} autograder "
               f"points, choose the Ubuntu 24.04 base image, upload this zip as its autograder, and "
               f"submit the reference to test it (docs/ci.md)")
