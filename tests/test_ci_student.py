"""A student repository's workflow (GitHub Classroom): its structure, and its own steps run here.

The workflow's `run:` steps are executed as GitHub would run them (bash -eo pipefail, in the
workspace, with the step's env), with a copy of the toy course standing in for the private course
repository the real workflow checks out, and temporary files for $GITHUB_STEP_SUMMARY and
$GITHUB_OUTPUT. Only the `uses:` steps (checkout, setup-python, the reporter) are not run.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from autograder.cli import main
from autograder.export.classroom import to_classroom
from autograder.grading.grade import grade_submission
from autograder.grading.result import Result

from .conftest import TOY_COURSE

BIN = Path(sys.executable).parent
SOLUTIONS = TOY_COURSE / "solutions" / "toy"
WRONG_ADD = '"""Arithmetic."""\nANSWER = 42\n\n\ndef add(a, b):\n    return a - b\n\n\n' \
            'def safe_div(a, b):\n    return a / b\n'
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def autograder(*args):
    """The command line, in this process (generating files needs no fresh interpreter)."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def generate(out: Path, *extra: str):
    run = autograder("--course", str(TOY_COURSE), "ci", "student", "toy", "-o", str(out),
                     "--course-repo", "example-org/optim-course", *extra)
    assert run.exit_code == 0, run.output
    return run


def load(repo: Path) -> dict:
    return yaml.safe_load((repo / ".github" / "workflows" / "autograde.yml").read_text())


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps(workflow: dict) -> list[dict]:
    return workflow["jobs"]["run-autograding-tests"]["steps"]


def step(workflow: dict, *, id: str | None = None, run: str | None = None) -> dict:
    for s in steps(workflow):
        if (id and s.get("id") == id) or (run and run in s.get("run", "")):
            return s
    raise AssertionError(f"no step {id or run}")


def strings(node, path=()):
    """Every string in the workflow, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, (*path, i))
    elif isinstance(node, str):
        yield path, node


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def workspace(tmp_path):
    """$GITHUB_WORKSPACE after the two checkouts: submission/ (the student's repository: the
    released folder, the student's modules, the generated .github) and course/ (the private course
    repository). The student's modules are the reference: a correct submission."""
    ws = tmp_path / "workspace"
    shutil.copytree(TOY_COURSE / "assignments" / "toy", ws / "submission")
    for name in ("arith.py", "arrays.py"):
        shutil.copyfile(SOLUTIONS / name, ws / "submission" / name)
    generate(ws / "submission")
    shutil.copytree(TOY_COURSE, ws / "course")
    (tmp_path / "runner-temp").mkdir()
    return ws


def run_step(the_step: dict, ws: Path, secrets: dict[str, str] | None = None, **env_extra):
    """Run one `run:` step as GitHub does. Returns (process, summary text, outputs dict)."""
    summary, output = ws.parent / "summary.md", ws.parent / "output.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "GITHUB_"))}
    env.update(PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", GITHUB_WORKSPACE=str(ws),
               RUNNER_TEMP=str(ws.parent / "runner-temp"), GITHUB_STEP_SUMMARY=str(summary),
               GITHUB_OUTPUT=str(output))
    def expand(match):
        name = match.group(1)
        assert name.startswith("secrets."), f"unexpected expression {name} in a step's env"
        return (secrets or {}).get(name.removeprefix("secrets."), "")

    for key, value in the_step.get("env", {}).items():
        env[key] = EXPRESSION.sub(expand, str(value))
    env["AUTOGRADER_SUDO"] = "0"  # the runner's sudo is GitHub's; here we grade as we are
    env.update(env_extra)
    process = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", the_step["run"]],
                             cwd=ws, env=env, text=True, capture_output=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) \
        if output.exists() else {}
    return process, summary.read_text() if summary.exists() else "", outputs


def classroom_payload(outputs: dict) -> dict:
    return json.loads(base64.b64decode(outputs["result"]))


# ---------------------------------------------------------------------------- structure


def test_the_workflow_runs_on_each_push_and_on_classroom_requests_with_least_permissions(tmp_path):
    generate(tmp_path)
    workflow = load(tmp_path)
    assert workflow["name"] == "Autograding Tests"
    assert {"push", "workflow_dispatch", "repository_dispatch"} <= set(triggers(workflow))
    assert workflow["permissions"] == {"contents": "read", "checks": "write", "actions": "read"}
    job = workflow["jobs"]["run-autograding-tests"]
    assert "github-classroom[bot]" in job["if"] and job["runs-on"] == "ubuntu-latest"
    reporter = steps(workflow)[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "autograde"
    assert reporter["env"]["AUTOGRADE_RESULTS"] == "${{ steps.autograde.outputs.result }}"
    assert os.access(tmp_path / ".github" / "autograde.sh", os.X_OK)


@pytest.mark.parametrize("mode", ["repository", "url"])
def test_secrets_reach_steps_only_as_whole_secrets_expressions_never_in_scripts(tmp_path, mode):
    generate(tmp_path, *(["--hidden-url", "https://example.org/course.tar.gz"] if mode == "url" else []))
    workflow = load(tmp_path)
    seen = set()
    for path, text in strings(workflow):
        for expression in EXPRESSION.findall(text):
            assert path[-1] != "run", f"an expression inside a script: {path}"
            if "secrets." in expression:
                assert re.fullmatch(r"\$\{\{ secrets\.[A-Z_]+ \}\}", text), (path, text)
                assert path[-2] in ("with", "env"), path
                seen.add(expression)
        assert not re.search(r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_", text), path
    assert "secrets.AUTOGRADER_COURSE_TOKEN" in seen
    for s in steps(workflow):
        if "uses" in s and s["uses"].startswith("actions/checkout@"):
            assert s["with"]["persist-credentials"] is False  # no token left in .git/config


def test_the_hidden_checks_are_fetched_beside_the_student_checkout_never_into_it(tmp_path):
    generate(tmp_path)
    checkouts = [s for s in steps(load(tmp_path)) if s.get("uses", "").startswith("actions/checkout@")]
    student, course = checkouts
    assert "repository" not in student["with"] and course["with"]["repository"] == "example-org/optim-course"
    student_path, course_path = Path(student["with"]["path"]), Path(course["with"]["path"])
    assert student_path != Path(".") and student_path not in (course_path, *course_path.parents)
    assert "solutions/toy" in course["with"]["sparse-checkout"].split()
    script = (tmp_path / ".github" / "autograde.sh").read_text()
    assert 'COURSE_DIR="${AUTOGRADER_COURSE_DIR:-$WORKSPACE/course}"' in script


def test_generation_checks_its_options_and_never_overwrites_a_different_file(tmp_path):
    bad = autograder("--course", str(TOY_COURSE), "ci", "student", "toy", "-o", str(tmp_path),
                     "--course-repo", "evil\n  run: curl")
    assert bad.exit_code == 2 and "--course-repo" in bad.stderr
    unknown = autograder("--course", str(TOY_COURSE), "ci", "student", "nope", "-o", str(tmp_path))
    assert unknown.exit_code == 2 and "nope" in unknown.stderr
    generate(tmp_path)
    again = generate(tmp_path)
    assert "unchanged" in again.stdout
    (tmp_path / ".github" / "autograde.sh").write_text("# mine\n")
    clash = autograder("--course", str(TOY_COURSE), "ci", "student", "toy", "-o", str(tmp_path))
    assert clash.exit_code == 2 and "--force" in clash.stderr
    assert (tmp_path / ".github" / "autograde.sh").read_text() == "# mine\n"


# ---------------------------------------------------------------------------- the steps, run


def test_a_correct_submission_gets_full_points_feedback_and_a_green_job(workspace):
    before = snapshot(workspace / "submission")
    process, summary, outputs = run_step(step(load(workspace / "submission"), id="autograde"), workspace)
    assert process.returncode == 0, process.stderr
    assert "**Score: 10 / 10**" in summary and "*(hidden)*" in summary
    payload = classroom_payload(outputs)
    assert payload["version"] == 1 and payload["status"] == "pass" and payload["max_score"] == 10
    assert sum(t["score"] for t in payload["tests"]) == 10
    assert {t["status"] for t in payload["tests"]} == {"pass"}
    assert snapshot(workspace / "submission") == before  # grading wrote nothing into the student's files
    hidden = {p.read_bytes() for p in (SOLUTIONS / "checks" / "hidden").glob("*.py")}
    assert not hidden & set(before.values())


def test_a_low_score_is_reported_but_never_fails_the_job(workspace):
    (workspace / "submission" / "arith.py").write_text(WRONG_ADD)
    process, summary, outputs = run_step(step(load(workspace / "submission"), id="autograde"), workspace)
    assert process.returncode == 0, process.stderr
    payload = classroom_payload(outputs)
    points = sum(t["score"] for t in payload["tests"])
    assert payload["status"] == "pass" and 0 < points < 10
    assert f"**Score: {points:g} / 10**" in summary
    failing = [t for t in payload["tests"] if t["status"] != "pass"]
    assert failing and any("add(2, 3) returned -1" in t["message"] for t in failing)


def test_a_broken_check_fails_the_job_and_tells_the_student_it_is_not_their_fault(workspace):
    hidden = workspace / "course" / "solutions" / "toy" / "checks" / "hidden" / "test_arrays.py"
    hidden.write_text(hidden.read_text() + '\n\ndef test_broken(student):\n    """broken"""\n'
                      '    {}["missing"]\n')
    process, summary, outputs = run_step(step(load(workspace / "submission"), id="autograde"), workspace)
    assert process.returncode == 3
    assert "not your fault" in summary
    assert classroom_payload(outputs)["status"] == "error"


def test_a_missing_course_checkout_fails_the_job_with_a_usage_error(workspace):
    shutil.rmtree(workspace / "course")
    process, summary, outputs = run_step(step(load(workspace / "submission"), id="autograde"), workspace)
    assert process.returncode == 2
    assert "could not run" in summary and classroom_payload(outputs)["status"] == "error"


def test_url_mode_fetches_the_course_archive_outside_the_workspace_and_grades(workspace, tmp_path):
    archive = tmp_path / "course.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:  # like `git archive --prefix=optim-course/`
        tar.add(TOY_COURSE, arcname="optim-course")
    shutil.rmtree(workspace / "course")
    shutil.rmtree(workspace / "submission" / ".github")
    generate(workspace / "submission", "--hidden-url", archive.as_uri())
    workflow = load(workspace / "submission")
    assert not any(s.get("with", {}).get("repository") for s in steps(workflow))
    fetch = step(workflow, run="autograde.sh fetch")
    assert fetch["env"]["AUTOGRADER_FETCH_TOKEN"] == "${{ secrets.AUTOGRADER_COURSE_TOKEN }}"
    process, _, _ = run_step(fetch, workspace, secrets={"AUTOGRADER_COURSE_TOKEN": "t0ken"})
    assert process.returncode == 0, process.stderr
    fetched = tmp_path / "runner-temp" / "autograder-course"
    assert (fetched / "solutions" / "toy" / "checks" / "hidden").is_dir()
    assert not list(workspace.rglob("checks/hidden"))  # nothing landed in the workspace
    process, summary, outputs = run_step(step(workflow, id="autograde"), workspace)
    assert process.returncode == 0, process.stderr
    assert sum(t["score"] for t in classroom_payload(outputs)["tests"]) == 10


def test_the_install_step_installs_the_fetched_course_with_cpu_pytorch(workspace):
    install = step(load(workspace / "submission"), run="autograde.sh install")
    process, _, _ = run_step(install, workspace, AUTOGRADER_SETUP_DRY="1")
    assert process.returncode == 0, process.stderr
    pip = [line for line in process.stderr.splitlines() if "pip install" in line and "--upgrade" not in line]
    assert pip and pip[0].endswith(f"--extra-index-url https://download.pytorch.org/whl/cpu "
                                   f"{workspace / 'course'}")
    shutil.rmtree(workspace / "submission" / ".github")
    generate(workspace / "submission", "--install", "git+https://example.org/course.git@v1")
    install = step(load(workspace / "submission"), run="autograde.sh install")
    process, _, _ = run_step(install, workspace, AUTOGRADER_SETUP_DRY="1")
    pip = [line for line in process.stderr.splitlines() if "pip install" in line and "--upgrade" not in line]
    assert pip[0].endswith("https://download.pytorch.org/whl/cpu git+https://example.org/course.git@v1")


# ---------------------------------------------------------------------------- the payload


@pytest.fixture(scope="module")
def graded(toy) -> Result:
    return grade_submission(toy, SOLUTIONS)


def test_classroom_points_keep_after_due_date_checks_but_not_their_names(graded):
    data = graded.to_json()
    data["tests"][0]["visibility"] = "after_due_date"
    payload = to_classroom(Result.from_json(data))
    assert sum(t["score"] for t in payload["tests"]) == graded.score
    assert payload["tests"][0]["name"].endswith("a check shown after the due date")
    assert graded.tests[0].name not in json.dumps(payload)
    shown = to_classroom(Result.from_json(data), show_all=True)
    assert graded.tests[0].name in shown["tests"][0]["name"]
