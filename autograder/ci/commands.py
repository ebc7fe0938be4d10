"""``autograder ci``: write the GitHub Actions workflows of a student repository (graded on each
push, points to GitHub Classroom) and of the course repository (its invariants), and publish a
CI grading run's feedback and points. The CLI edge of ``render`` and ``publish``: it prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from autograder.ci.publish import publication
from autograder.ci.render import (
    COURSE_WORKFLOW,
    PLACEHOLDER_REPO,
    STUDENT_WORKFLOW,
    GeneratedFile,
    render_course,
    render_student,
)
from autograder.errors import UserError, course_root, user_errors
from autograder.export.classroom import encode
from autograder.problemset import find_problem_set


class _Exists(UserError):
    """A file to write exists and differs; the message says to pass --force."""


@click.group()
def ci() -> None:
    """GitHub Actions workflows: grade student repositories on each push, check the course.

    \b
    autograder ci student PSET -o REPO   workflow for a student (template) repository
    autograder ci course -o COURSE       workflow for the course repository
    See docs/ci.md for the secrets to set and the GitHub Classroom settings.
    """


@ci.command()
@click.argument("pset_id", metavar="PSET")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The student repository (or the assignment's template repository) to write into.")
@click.option("--course-repo", default=PLACEHOLDER_REPO, show_default=True, metavar="OWNER/NAME",
              help="The private course repository holding solutions/PSET (hidden checks).")
@click.option("--course-ref", default="main", show_default=True, help="Its branch, tag or commit.")
@click.option("--token-secret", default="AUTOGRADER_COURSE_TOKEN", show_default=True, metavar="NAME",
              help="The repository or organization secret holding a read-only token for it.")
@click.option("--hidden-url", default=None, metavar="URL",
              help="Fetch a .tar.gz of the course from URL instead (bearer token: --token-secret).")
@click.option("--install", "install", default="", metavar="PIP_SPEC",
              help="What pip installs for the grader, e.g. 'git+https://github.com/ORG/course.git'; "
                   "default: the fetched course itself (same version as its checks).")
@click.option("--python", default="3.12", show_default=True, help="The Python version CI uses.")
@click.option("--force", is_flag=True, help="Overwrite files that exist and differ.")
@user_errors
def student(pset_id: str, out: Path, course_repo: str, course_ref: str, token_secret: str,
            hidden_url: str | None, install: str, python: str, force: bool) -> None:
    """Write a student repository's workflow: grade PSET on each push, report to GitHub Classroom.

    Writes .github/workflows/autograde.yml and .github/autograde.sh into OUT. On each push the
    workflow fetches the course's hidden checks (never into the student's files), grades the
    student's files, shows the feedback on the run's summary page and reports the points to
    GitHub Classroom. A low score never fails the run; a grader error does.
    """
    find_problem_set(pset_id, kind="solutions", start=course_root())  # a typo fails here, not in CI
    files = render_student(pset_id, course_repo=course_repo, course_ref=course_ref,
                           token_secret=token_secret, hidden_url=hidden_url, install=install,
                           python=python)
    _report(_write(files, out, force), out)
    click.echo(f"\nnext: add the secret {token_secret} to the student repositories (an organization "
               f"secret works for all of them): a read-only token for "
               f"{'the archive URL' if hidden_url else course_repo}. See docs/ci.md.")
    if course_repo == PLACEHOLDER_REPO and not hidden_url:
        click.echo(f"warning: --course-repo was not given; edit {STUDENT_WORKFLOW} or run again "
                   f"with --course-repo OWNER/NAME", err=True)


@ci.command()
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The course repository to write into.")
@click.option("--python", default="3.12", show_default=True, help="The Python version CI uses.")
@click.option("--gpu/--no-gpu", default=True, show_default=True,
              help="Add the GPU timing job (self-hosted runner).")
@click.option("--gpu-labels", default="self-hosted,gpu", show_default=True,
              help="Comma-separated runner labels of the GPU job.")
@click.option("--gpu-command", default="make test", show_default=True,
              help="What the GPU job runs, with AUTOGRADER_REQUIRE_GPU=1 set.")
@click.option("--force", is_flag=True, help="Overwrite files that exist and differ.")
@user_errors
def course(out: Path, python: str, gpu: bool, gpu_labels: str, gpu_command: str, force: bool) -> None:
    """Write the course repository's workflow: no release drift, reference = full marks and
    stubs = zero for every problem set, and GPU timing checks on a GPU runner.

    Writes .github/workflows/autograder-course.yml and .github/autograder-course.sh into OUT.
    """
    files = render_course(python=python, gpu=gpu, gpu_command=gpu_command,
                          gpu_labels=tuple(x.strip() for x in gpu_labels.split(",") if x.strip()))
    _report(_write(files, out, force), out)
    click.echo(f"\nnext: commit {COURSE_WORKFLOW} and .github/autograder-course.sh"
               + (f"; register a self-hosted runner with the labels {gpu_labels}" if gpu else ""))


@ci.command()
@click.argument("grade_json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--grade-exit", type=int, default=0, show_default=True,
              help="The exit status of `autograder grade` that wrote GRADE_JSON.")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path), envvar="GITHUB_STEP_SUMMARY",
              help="Append the Markdown feedback here (default: $GITHUB_STEP_SUMMARY, else stdout).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), envvar="GITHUB_OUTPUT",
              help="Append result=<base64 points for GitHub Classroom> here (default: $GITHUB_OUTPUT).")
@user_errors
def publish(grade_json: Path, grade_exit: int, summary: Path | None, output: Path | None) -> None:
    """Publish a CI grading run: feedback to the job summary, points for GitHub Classroom.

    GRADE_JSON is what `autograder grade --json` printed. Exit status 0 when the submission was
    graded (whatever its score); the grader's own status (2 or 3) when it failed.
    """
    try:
        text = grade_json.read_text() if grade_json.is_file() else ""
        grade_output = json.loads(text) if text.strip() else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        grade_output = None
    done = publication(grade_output, grade_exit)
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(done.summary + "\n")
    else:
        click.echo(done.summary)
    if output:
        with open(output, "a", encoding="utf-8") as f:
            f.write(f"result={encode(done.payload)}\n")
    points = sum(t["score"] for t in done.payload["tests"])
    click.echo(f"points for GitHub Classroom: {points:g}/{done.payload['max_score']:g} "
               f"(status {done.payload['status']})", err=True)
    sys.exit(done.exit_code)


def _write(files: dict[str, GeneratedFile], out: Path, force: bool) -> list[tuple[str, str]]:
    """Write ``files`` under ``out``; refuse (before writing anything) to overwrite a different file."""
    clashes = [rel for rel, f in files.items()
               if (out / rel).is_file() and (out / rel).read_text() != f.text]
    if clashes and not force:
        raise _Exists(f"{', '.join(clashes)} already exist in {out} and differ; pass --force to "
                      f"overwrite them")
    done = []
    for rel, f in files.items():
        target = out / rel
        state = "unchanged" if target.is_file() and target.read_text() == f.text else \
            ("updated" if target.exists() else "wrote")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f.text)
        target.chmod(0o755 if f.executable else 0o644)
        done.append((state, rel))
    return done


def _report(done: list[tuple[str, str]], out: Path) -> None:
    for state, rel in done:
        click.echo(f"{state} {out / rel}")
