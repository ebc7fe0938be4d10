"""The course repository's workflow: its structure, and its own steps run on a copy of the toy course
(drift, reference = full marks, stubs = zero), as GitHub would run them."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from autograder.cli import main

from .conftest import TOY_COURSE

BIN = Path(sys.executable).parent


def generate(out: Path, *extra: str) -> dict:
    run = CliRunner().invoke(main, ["ci", "course", "-o", str(out), *extra], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    return yaml.safe_load((out / ".github" / "workflows" / "autograder-course.yml").read_text())


@pytest.fixture
def course(tmp_path):
    """The course repository as the workflow's checkout sees it."""
    shutil.copytree(TOY_COURSE, tmp_path / "course")
    generate(tmp_path / "course")
    return tmp_path / "course"


def run_step(workflow: dict, name: str, course: Path):
    """Run the invariants job's step called ``name`` as GitHub does; return (process, summary)."""
    the_step = next(s for s in workflow["jobs"]["invariants"]["steps"] if s.get("name") == name)
    summary = course.parent / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "GITHUB_"))}
    env.update(PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", GITHUB_WORKSPACE=str(course),
               RUNNER_TEMP=str(course.parent), GITHUB_STEP_SUMMARY=str(summary))
    process = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", the_step["run"]],
                             cwd=course, env=env, text=True, capture_output=True, timeout=300)
    return process, summary.read_text() if summary.exists() else ""


DRIFT = "assignments/ is what release writes"
INVARIANTS = "Reference = full marks, stubs = zero"


def test_the_workflow_checks_every_push_and_pull_request_with_read_only_permissions(tmp_path):
    workflow = generate(tmp_path)
    assert {"push", "pull_request", "workflow_dispatch"} <= set(workflow.get("on", workflow.get(True)))
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["invariants"]
    assert job["runs-on"] == "ubuntu-latest"
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs == [f"bash .github/autograder-course.sh {verb}"
                    for verb in ("install", "drift", "invariants")]
    assert "secrets." not in (tmp_path / ".github" / "workflows" / "autograder-course.yml").read_text()


def test_gpu_timing_checks_run_in_their_own_job_only_on_a_gpu_runner(tmp_path):
    job = generate(tmp_path)["jobs"]["gpu-timing"]
    assert job["runs-on"] == ["self-hosted", "gpu"]
    assert job["env"] == {"AUTOGRADER_REQUIRE_GPU": "1"}
    assert "head.repo.full_name == github.repository" in job["if"]  # never a fork's code on our machine
    assert [s.get("run") for s in job["steps"] if "run" in s] == ["nvidia-smi", "make test"]
    assert all(set(s) <= {"name", "uses", "with", "run"} for s in job["steps"])  # declarative steps only
    custom = generate(tmp_path / "custom", "--gpu-labels", "self-hosted,linux,a100", "--gpu-command",
                      "make test-gpu")["jobs"]["gpu-timing"]
    assert custom["runs-on"] == ["self-hosted", "linux", "a100"]
    assert custom["steps"][-1]["run"] == "make test-gpu"
    assert "gpu-timing" not in generate(tmp_path / "cpu", "--no-gpu")["jobs"]


def test_the_steps_pass_on_a_course_whose_invariants_hold_and_write_a_score_table(course):
    workflow = yaml.safe_load((course / ".github" / "workflows" / "autograder-course.yml").read_text())
    drift, _ = run_step(workflow, DRIFT, course)
    assert drift.returncode == 0, drift.stdout + drift.stderr
    process, summary = run_step(workflow, INVARIANTS, course)
    assert process.returncode == 0, process.stdout + process.stderr
    assert "toy: reference 10/10, stubs 0/10: ok" in process.stdout
    assert "| toy | 10 / 10 | 0 / 10 |" in summary


def test_drift_between_solutions_and_assignments_fails_the_job(course):
    workflow = yaml.safe_load((course / ".github" / "workflows" / "autograder-course.yml").read_text())
    (course / "assignments" / "toy" / "arith.py").write_text("# edited by hand\n")
    drift, _ = run_step(workflow, DRIFT, course)
    assert drift.returncode == 1 and "changed arith.py" in drift.stdout


def test_a_reference_short_of_full_marks_or_stubs_that_earn_points_fail_the_job(course):
    workflow = yaml.safe_load((course / ".github" / "workflows" / "autograder-course.yml").read_text())
    shutil.copyfile(course / "solutions" / "toy" / "arith.py", course / "assignments" / "toy" / "arith.py")
    arrays = course / "solutions" / "toy" / "arrays.py"
    arrays.write_text(re.sub(r"return 2 \* x", "return 3 * x", arrays.read_text()))
    process, summary = run_step(workflow, INVARIANTS, course)
    assert process.returncode == 1
    assert "toy: reference scores 6/10, not full marks" in process.stdout
    assert re.search(r"toy: released stubs score [1-9][\d.]*/10, not zero", process.stdout)
    assert "| toy | 6 / 10 |" in summary
