"""The ``autograder`` command: verbs named for what the user wants. The only module that prints.

Exit codes: 0 done; 1 the outcome asked about is negative (a public check fails, a released tree
drifted, a score is under ``--fail-under``); 2 a usage or input error (one line says what to do);
3 the grader itself failed on a check (a bug for the instructor, never the student's fault);
4 the system refused a file operation (no such file, permission denied, disk full: one line names
the file and the reason). 4 is apart from 2 because its cause is the machine, not the call: the same
command may work once a disk is freed or a permission fixed, and CI can tell a broken invocation from
a broken runner. Every verb reports errors through ``autograder.errors.user_errors``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.markup import escape as escape_markup
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from autograder.errors import UserError, course_root, user_errors
from autograder.grading.batch import grade_batch
from autograder.grading.deadline import plan_deadline
from autograder.grading.grade import grade_submission, unique_names
from autograder.grading.result import Result
from autograder.problemset import (
    MANIFEST,
    ProblemSet,
    find_problem_set,
    list_problem_sets,
    load_deadline,
    load_problem_set,
)
from autograder.release.pipeline import release_drift, render_release, write_release
from autograder.report import display, write_reports
from autograder.report.display import describe_deadline
from autograder.sandbox.confine import host_confinement
from autograder.terminal_text import escape_controls

EXIT_NEGATIVE, EXIT_GRADER_ERROR = 1, 3

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option("--course", type=click.Path(file_okay=False, path_type=Path), envvar="AUTOGRADER_COURSE",
              help="The course repository (holding solutions/ and assignments/); default: the current "
                   "folder or the nearest parent that has them. Env: AUTOGRADER_COURSE.")
@click.version_option(package_name="optim-autograder")
def main(debug: bool, course: Path | None) -> None:
    """Autograded problem sets for optimization and numerical linear algebra.

    \b
    Students:     autograder check PSET            run the public checks on your files
    Instructors:  autograder release PSET          write the student version to assignments/
                  autograder grade PSET SUB...     grade submissions (folders, .zip, .py, .ipynb)
                  autograder report RESULTS        item statistics of a graded batch
                  autograder similarity PSET SUB...  pairs of unusually alike submissions
                  autograder export FORMAT RESULTS   grades out of a graded folder: csv, canvas,
                                                     moodle, gradescope, classroom, gradebook
    """
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s: %(message)s")


@main.command("list")
@user_errors
def list_command() -> None:
    """List the problem sets of this course repository."""
    for kind in ("solutions", "assignments"):
        ids = list_problem_sets(kind, course_root())
        if ids:
            console.print(f"{kind}: {', '.join(ids)}")


@main.command()
@click.argument("psets", nargs=-1)
@click.option("--all", "all_psets", is_flag=True, help="Release every problem set in solutions/.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if assignments/ differs from what release would write.")
@user_errors
def release(psets: tuple[str, ...], all_psets: bool, check_only: bool) -> None:
    """Write the student version of PSETS: solutions/PSET -> assignments/PSET.

    Stubs replace the solution regions, the statement becomes README.md, public checks go to
    tests/. Hidden checks and reference code never leave solutions/.
    """
    ids = list(psets) or (list_problem_sets("solutions", course_root()) if all_psets else [])
    if not ids:
        raise click.UsageError("name a problem set (see `autograder list`) or pass --all")
    drifted = False
    for pset_id in ids:
        pset = find_problem_set(pset_id, kind="solutions", start=course_root())
        dest = pset.root.parent.parent / "assignments" / pset.id
        if check_only:
            drift = release_drift(pset, dest)
            drifted |= bool(drift)
            for line in drift:
                console.print(f"[red]{pset.id}: {line}[/red]")
            if not drift:
                console.print(f"{pset.id}: assignments/{pset.id} is up to date")
            continue
        changed = write_release(render_release(pset), dest)
        if changed:
            console.print(f"{pset.id}: {len(changed)} file{'s' * (len(changed) != 1)} changed in "
                          f"{_show(dest)}: {', '.join(changed[:5])}{', ...' * (len(changed) > 5)}")
        else:
            console.print(f"{pset.id}: {_show(dest)} is up to date")
    if drifted:
        console.print("run `autograder release --all` and commit assignments/")
        sys.exit(EXIT_NEGATIVE)


@main.command()
@click.argument("pset_id", metavar="PSET")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@user_errors
def check(pset_id: str, path: Path | None, as_json: bool) -> None:
    """Run the public checks of PSET on your files (PATH: your folder; default: the released one).

    Exit status 0 when every public check passes, 1 otherwise. Hidden checks run only at grading.
    """
    pset = _released_problem_set(pset_id, path)
    if path is not None:
        _refuse_missing([path])
        if path.is_dir() and not any(p.is_file() for p in path.rglob("*")):
            _refuse(f"{path} holds no files; put your .py files there (or name the folder that has "
                    f"them)")
        wanted = {f"{m}.py" for m in pset.modules}
        if path.is_dir() and not any(p.name in wanted or p.suffix == ".ipynb" for p in path.rglob("*")):
            _refuse(f"{path} holds none of {pset.id}'s files ({', '.join(sorted(wanted))}); name the "
                    f"folder that has them")
    result = grade_submission(pset, path or pset.root, public_only=True)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print_checks(result)
    _exit_for([result], require_all_pass=True)


@main.command()
@click.argument("pset_id", metavar="PSET")
@click.argument("submissions", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="Folder for OUT/<submission>/results.json (default: results/PSET).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once (default: one per CPU core).")
@click.option("--regrade", is_flag=True,
              help="Grade again what OUT already holds (default: keep results whose submission, "
                   "checks and engine are unchanged).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Grade on a Dask cluster, e.g. tcp://10.0.0.5:8786 (default: local processes).")
@click.option("--json", "as_json", is_flag=True, help="Print all results as JSON.")
@click.option("--details", is_flag=True, help="Also print every check of every submission.")
@click.option("--fail-under", type=float, default=None, metavar="SCORE",
              help="Exit 1 if any submission scores below SCORE.")
@click.option("--gradebook", metavar="URL|NBGRADER_DIR", default=None,
              help="Also record the scores in nbgrader's gradebook (sqlite:///path/gradebook.db or the "
                   "nbgrader course folder; see docs/nbgrader.md).")
@click.option("--timestamps", metavar="nbgrader|gradescope|FILE.csv", default=None,
              help="When each submission came in, for PSET's [deadline]: nbgrader's timestamp.txt, "
                   "Gradescope's submission_metadata.json, or a CSV student,submitted_at.")
@click.option("--submitted-at", metavar="TIME", default=None,
              help="One submission time for all SUBMISSIONS (CI: the push time), e.g. "
                   "2026-03-14T23:59:00+01:00.")
@click.option("--extensions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The extensions CSV: student,due,extra_hours[,pset][,note] (docs/authoring.md).")
@user_errors
def grade(pset_id: str, submissions: tuple[Path, ...], out: Path | None, jobs: int | None,
          regrade: bool, scheduler: str | None, as_json: bool, details: bool,
          fail_under: float | None, gradebook: str | None, timestamps: str | None,
          submitted_at: str | None, extensions: Path | None) -> None:
    """Grade SUBMISSIONS (folders, .zip, .py or .ipynb files) with the public and hidden checks of PSET.

    Writes OUT/<submission>/results.json (Gradescope's format plus problems, timing and environment)
    as each submission is graded; run it again after an interruption and it picks up where it
    stopped. A broken submission scores what it earns; the batch goes on. With a [deadline] and
    --timestamps or --submitted-at, late penalties apply (read before anything is graded).
    """
    pset = find_problem_set(pset_id, kind="solutions", start=course_root())
    _refuse_missing(submissions)
    out = out or Path("results") / pset.id
    shown = Console(stderr=True, highlight=False) if as_json else console
    late = plan_deadline(pset, unique_names(list(submissions)), timestamps=timestamps,
                         submitted_at=submitted_at, extensions=extensions, now=datetime.now(UTC))
    if late is None and load_deadline(pset) is not None:
        shown.print(f"note: {pset.id} has a deadline, but no submission times were given "
                    f"(--timestamps or --submitted-at): no late policy applied", markup=False)
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"),
                  TimeRemainingColumn(), console=shown, transient=True) as progress:
        task = progress.add_task("grading", total=len(submissions))

        def landed(source: Path, result: Result, reused: bool) -> None:
            note = "  (unchanged, kept)" if reused else ""
            if result.deadline.get("deduction"):
                note += f"  (late: −{display.points(result.deadline['deduction'])})"
            progress.console.print(f"{escape_controls(result.submission)}: "
                                   f"{display.fraction(result.score, result.max_score)}{note}",
                                   markup=False)
            progress.advance(task)

        outcome = grade_batch(pset, submissions, out, jobs=jobs, scheduler=scheduler,
                              regrade=regrade, on_result=landed, sinks=[write_reports],
                              amend=late.apply if late is not None else None)
    results = outcome.results
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], indent=2))
    else:
        if details:
            for result in results:
                _print_checks(result)
        _print_scores(results)
        _print_histogram(results)
        console.print(f"graded {outcome.graded}, kept {outcome.reused} unchanged; "
                      f"sandbox layers: {', '.join(host_confinement().layers)}")
        console.print(f"results written to {_show(out)}/<submission>/results.json")
        for r in results:
            if r.deadline and r.deadline["status"] != "on_time":
                console.print(escape_controls(f"late: {r.submission}: {describe_deadline(r.deadline)}"),
                              markup=False)
    earlier = sum(bool(r.deadline) for r in results) if late is None else 0
    if earlier:  # kept results carry what the last run given submission times applied
        shown.print(f"note: {earlier} result{' keeps' if earlier == 1 else 's keep'} the late penalty of an "
                    f"earlier run; give --timestamps or --submitted-at to apply {pset.id}'s [deadline] "
                    f"as it is now", markup=False)
    for student in late.unknown_students(r.submission for r in results) if late else ():
        shown.print(escape_controls(f"note: {student} has an extension but no submission here (a "
                                    f"typo in the extensions file?)"), markup=False)
    flagged = [(r.submission, t.name) for r in results for t in r.tests if t.review]
    for submission, check in flagged:  # not awarded; a person decides
        shown.print(escape_controls(f"review: {submission}: {check} (flagged, not awarded; see its "
                                    f"output)"), markup=False)
    if gradebook:
        record_to_gradebook(pset.id, results, gradebook, err=as_json)
    _exit_for(results, fail_under=fail_under)


# ---------------------------------------------------------------------------- helpers


def _released_problem_set(pset_id: str, path: Path | None) -> ProblemSet:
    """The student's copy of the problem set: in PATH, the current folder, or assignments/PSET."""
    for folder in (path, Path.cwd()):
        if folder is not None and (folder / MANIFEST).is_file():
            pset = load_problem_set(folder)
            if pset.id == pset_id and pset.released:
                return pset
    return find_problem_set(pset_id, kind="assignments", start=course_root())


def _refuse(message: str) -> None:
    """A usage or input error: one line on stderr, exit status 2, nothing written (the verb's
    ``user_errors`` reports it)."""
    raise UserError(message)


def _refuse_missing(paths: tuple[Path, ...] | list[Path]) -> None:
    """Refuse paths that do not exist (a typo, or a shell pattern that matched nothing and was
    passed on as it is) before anything is graded or written. A dangling symbolic link exists here:
    the batch reports it for that submission."""
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if not missing:
        return
    patterns = [p for p in missing if any(c in str(p) for c in "*?[")]
    if patterns:
        _refuse(f"no file or folder matches {patterns[0]} (the shell passed the pattern on as it is); "
                f"check the path, e.g. with ls; nothing was graded")
    names = ", ".join(map(str, missing[:3])) + (f" and {len(missing) - 3} more" if len(missing) > 3
                                                 else "")
    _refuse(f"{names} {'does' if len(missing) == 1 else 'do'} not exist; check the path; nothing was "
            f"graded")


def _exit_for(results: list[Result], *, require_all_pass: bool = False,
              fail_under: float | None = None) -> None:
    broken = [e for r in results for e in r.grader_errors]
    if broken:
        debug = click.get_current_context().find_root().params.get("debug")
        for text in broken:
            lines = text.strip().splitlines()
            shown = text if debug else f"{lines[0]} {lines[-1] if len(lines) > 1 else ''}"
            errors.print(escape_controls(f"grader error: {shown}"), markup=False)
        if not debug:
            errors.print("(a bug in the checks, not in the submission; --debug shows the traceback)")
        sys.exit(EXIT_GRADER_ERROR)
    if any(r.status != "graded" for r in results):
        sys.exit(EXIT_NEGATIVE if require_all_pass else 0)
    if require_all_pass and any(t.status != "passed" for r in results for t in r.tests):
        sys.exit(EXIT_NEGATIVE)
    if fail_under is not None and any(r.score < fail_under for r in results):
        sys.exit(EXIT_NEGATIVE)


def _print_checks(result: Result) -> None:
    console.rule(Text(escape_controls(display.title(result))))
    if result.status != "graded":
        console.print(f"[red]not graded:[/red] {_shown(result.output)}")
        return
    for problem in result.problems:
        mine = [t for t in result.tests if t.problem == problem.id]
        passed = sum(t.status == "passed" for t in mine)
        points = "" if result.scope == "public" else \
            f", {display.fraction(problem.score, problem.max_score)} points"
        console.print(f"\n[bold]{_shown(display.problem_title(problem))}[/bold]  {passed}/{len(mine)} "
                      f"checks pass{points}")
        shown: dict[tuple[str, str], int] = {}  # (status, message) -> checks that share it
        for test in mine:
            if test.status != "passed" and test.output:
                shown[test.status, test.output] = shown.get((test.status, test.output), 0) + 1
        said: set[tuple[str, str]] = set()
        for test in mine:
            key = (test.status, test.output)
            if key in said:  # e.g. a missing module: the same message for every check, said once
                continue
            style = test.status.colour
            same = shown.get(key, 0)
            more = f"{same - 1} more check{'s' * (same > 2)}"
            name = f"{test.name} (and {more} with the same message)" if same > 1 else test.name
            console.print(f"  [{style}]{test.status.mark} {test.status:<7}[/{style}] "
                          f"{_shown(name)}", markup=True)
            if test.output and test.status != "passed":
                said.add(key)
                for line in escape_controls(test.output).splitlines():
                    console.print(f"      {line}", markup=False)
    if result.scope == "public":
        passed = sum(t.status == "passed" for t in result.tests)
        console.print(f"\n[bold]{passed}/{len(result.tests)} public checks pass.[/bold] Hidden "
                      f"checks run when your submission is graded; points are shared among all.")
    else:
        console.print(f"\n[bold]total: {display.fraction(result.score, result.max_score)}[/bold]")
        if display.bonus_note(result):
            console.print(f"{display.bonus_note(result)}.", markup=False)
        if result.deadline:
            console.print(escape_controls(describe_deadline(result.deadline)), markup=False)


def _print_scores(results: list[Result]) -> None:
    """One row per submission, one column per problem (its maximum in the header), made to fit the
    terminal: long names fold onto a second line rather than lose their end."""
    table = Table(title="scores", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("submission", overflow="fold", min_width=10)
    table.add_column("score", justify="right", no_wrap=True)
    problems = next((r.problems for r in results if r.problems), [])
    cells = [{p.id: display.points(p.score) for p in r.problems} for r in results]
    for p in problems:
        bonus = f" ({display.BONUS})" if p.bonus else ""
        header = f"{p.id.replace('_', ' ')}{bonus} /{display.points(p.max_score)}"
        width = max([len(word) for word in header.split()] + [len(c.get(p.id, "-")) for c in cells])
        table.add_column(header, justify="right", width=width)
    table.add_column("checks", overflow="fold", min_width=10)
    for r, by_problem in zip(results, cells, strict=True):
        counts: dict[str, int] = {}
        for t in r.tests:
            counts[t.status] = counts.get(t.status, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or r.output
        table.add_row(Text(escape_controls(r.submission)), display.fraction(r.score, r.max_score),
                      *[by_problem.get(p.id, "-") for p in problems], Text(escape_controls(summary)))
    console.print(table)


def _print_histogram(results: list[Result], bins: int = 10) -> None:
    graded = [r for r in results if r.status == "graded" and r.max_score > 0]
    if len(graded) < 2:
        return
    counts = [0] * bins
    for r in graded:
        counts[min(bins - 1, int(bins * r.score / r.max_score))] += 1
    widest = max(counts)
    console.print("score distribution (% of the maximum):")
    for i, count in enumerate(counts):
        bar = "█" * round(30 * count / widest) if count else ""
        console.print(f"  {100 * i // bins:>3}–{100 * (i + 1) // bins:<3} {bar} {count or ''}")


def _shown(text: object) -> str:
    """Text a submission may control, for a string with rich markup: control characters escaped
    (``terminal_text``), square brackets inert."""
    return escape_markup(escape_controls(str(text)))


def _show(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# Verbs that live in their own packages register here, one line each.
from autograder.ci.commands import ci  # noqa: E402
from autograder.export.commands import export_group  # noqa: E402
from autograder.gradescope.commands import gradescope  # noqa: E402
from autograder.nbgrader.commands import nbgrader_group, record_to_gradebook  # noqa: E402
from autograder.report.commands import report_command  # noqa: E402
from autograder.similarity.commands import similarity_command  # noqa: E402

main.add_command(ci)
main.add_command(gradescope)
main.add_command(nbgrader_group)
main.add_command(export_group)
main.add_command(report_command)
main.add_command(similarity_command)


if __name__ == "__main__":
    main()
