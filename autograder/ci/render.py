"""The files ``autograder ci`` writes: workflows and the scripts they run, from package templates.

Pure: options in, ``{relative path: GeneratedFile}`` out. Values are validated here and quoted for
the language they land in (YAML or bash), so that no option can inject a step or a command.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from importlib import resources

import jinja2

from autograder.errors import UserError

_SECRET = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_PYTHON = re.compile(r"^3\.\d+$")
_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_PSET = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
PLACEHOLDER_REPO = "OWNER/COURSE-REPO"
STUDENT_WORKFLOW = ".github/workflows/autograde.yml"
STUDENT_SCRIPT = ".github/autograde.sh"
COURSE_WORKFLOW = ".github/workflows/autograder-course.yml"
COURSE_SCRIPT = ".github/autograder-course.sh"


class CIOptionError(UserError):
    """An option cannot be written into a workflow; the message says which and why."""


@dataclass(frozen=True)
class GeneratedFile:
    text: str
    executable: bool = False


def _environment() -> jinja2.Environment:
    # Workflows are full of GitHub's own ${{ ... }}: our placeholders are {= ... =} instead.
    env = jinja2.Environment(
        variable_start_string="{=", variable_end_string="=}",
        comment_start_string="{##", comment_end_string="##}",
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
    )
    env.filters["sh"] = shlex.quote
    env.filters["yq"] = lambda value: json.dumps(value)  # a JSON string or list is valid YAML
    return env


def _render(template: str, **values) -> str:
    text = resources.files("autograder.ci").joinpath("templates", template).read_text()
    return _environment().from_string(text).render(**values)


def _check(name: str, value: str, pattern: re.Pattern, what: str) -> None:
    if not pattern.match(value):
        raise CIOptionError(f"{name} {value!r} is not {what}")


def render_student(pset: str, *, course_repo: str = PLACEHOLDER_REPO, course_ref: str = "main",
                   token_secret: str = "AUTOGRADER_COURSE_TOKEN", hidden_url: str | None = None,
                   install: str = "", python: str = "3.12", timeout_minutes: int = 30,
                   student_path: str = "submission", course_path: str = "course",
                   ) -> dict[str, GeneratedFile]:
    """A student repository's workflow and the script its steps run."""
    _check("problem set", pset, _PSET, "a problem set id")
    _check("--course-repo", course_repo, _REPO, "OWNER/NAME")
    _check("--token-secret", token_secret, _SECRET, "a secret name (letters, digits, _)")
    _check("--python", python, _PYTHON, "a Python version such as 3.12")
    for name, value in (("student path", student_path), ("course path", course_path)):
        _check(name, value, _PATH, "a plain folder name")
    if student_path == course_path:
        raise CIOptionError("the student's checkout and the course's must be different folders")
    if not course_ref or any(c.isspace() for c in course_ref):
        raise CIOptionError(f"--course-ref {course_ref!r} is not a branch, tag or commit")
    if hidden_url is not None and not re.match(r"^(https?|file)://\S+$|^\$\{\{ *secrets\.\w+ *\}\}$",
                                               hidden_url):
        raise CIOptionError(f"--hidden-url {hidden_url!r} is not an http(s) URL or "
                            "${{ secrets.NAME }}")
    if "\n" in install:
        raise CIOptionError("--install must be one line")
    values = dict(pset=pset, course_repo=course_repo, course_ref=course_ref,
                  token_secret=token_secret, hidden_url=hidden_url, install=install, python=python,
                  timeout=int(timeout_minutes), student_path=student_path, course_path=course_path)
    return {
        STUDENT_WORKFLOW: GeneratedFile(_render("student-workflow.yml", **values)),
        STUDENT_SCRIPT: GeneratedFile(_render("student-autograde.sh", **values), executable=True),
    }


def render_course(*, python: str = "3.12", gpu: bool = True,
                  gpu_labels: tuple[str, ...] = ("self-hosted", "gpu"),
                  gpu_command: str = "make test", timeout_minutes: int = 30,
                  gpu_timeout_minutes: int = 60) -> dict[str, GeneratedFile]:
    """The course repository's workflow and the script its steps run."""
    _check("--python", python, _PYTHON, "a Python version such as 3.12")
    if gpu and (not gpu_labels or not all(re.match(r"^[A-Za-z0-9_.-]+$", x) for x in gpu_labels)):
        raise CIOptionError(f"--gpu-labels {','.join(gpu_labels)!r} are not runner labels")
    if "\n" in gpu_command:
        raise CIOptionError("--gpu-command must be one line")
    values = dict(python=python, gpu=gpu, gpu_labels=list(gpu_labels), gpu_command=gpu_command,
                  timeout=int(timeout_minutes), gpu_timeout=int(gpu_timeout_minutes))
    return {
        COURSE_WORKFLOW: GeneratedFile(_render("course-workflow.yml", **values)),
        COURSE_SCRIPT: GeneratedFile(_render("course-ci.sh", **values), executable=True),
    }
