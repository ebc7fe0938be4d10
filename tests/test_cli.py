"""The command line as users run it: real processes, exit codes CI can rely on, one-line errors."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import TOY_COURSE


def autograder(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture
def course(tmp_path):
    shutil.copytree(TOY_COURSE, tmp_path / "course")
    return tmp_path / "course"


def test_grade_prints_a_table_writes_results_and_exits_zero_whatever_the_score(course):
    run = autograder("grade", "toy", "solutions/toy", "assignments/toy", "-o", "out", cwd=course)
    assert run.returncode == 0, run.stderr
    assert "10/10" in run.stdout and "0/10" in run.stdout
    full = json.loads((course / "out" / "solutions-toy" / "results.json").read_text())
    zero = json.loads((course / "out" / "assignments-toy" / "results.json").read_text())
    assert (full["score"], zero["score"]) == (10, 0)


def test_grade_fail_under_exits_one_when_a_score_is_too_low(course):
    run = autograder("grade", "toy", "assignments/toy", "--fail-under", "10", "-o", "out",
                     cwd=course)
    assert run.returncode == 1


def test_grade_json_prints_machine_readable_results(course):
    run = autograder("grade", "toy", "solutions/toy", "--json", "-o", "out", cwd=course)
    assert run.returncode == 0 and json.loads(run.stdout)[0]["score"] == 10


def test_check_exits_one_on_the_stubs_and_zero_on_a_correct_folder(course):
    stubs = autograder("check", "toy", cwd=course)
    assert stubs.returncode == 1 and "0/3 public checks pass" in stubs.stdout
    assert "add: not implemented yet" in stubs.stdout
    solved = autograder("check", "toy", "solutions/toy", cwd=course)
    assert solved.returncode == 0 and "3/3 public checks pass" in solved.stdout


def test_check_works_from_inside_the_released_folder(course):
    for name in ("arith.py", "arrays.py"):
        shutil.copyfile(course / "solutions" / "toy" / name, course / "assignments" / "toy" / name)
    run = autograder("check", "toy", cwd=course / "assignments" / "toy")
    assert run.returncode == 0, run.stdout + run.stderr


def test_plain_pytest_in_the_released_folder_runs_the_public_checks(course):
    folder = course / "assignments" / "toy"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=folder, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "3 failed" in run.stdout
    for name in ("arith.py", "arrays.py"):
        shutil.copyfile(course / "solutions" / "toy" / name, folder / name)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=folder, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "3 passed" in run.stdout


def test_release_check_exits_one_on_drift_and_release_repairs_it(course):
    assert autograder("release", "--check", "toy", cwd=course).returncode == 0
    (course / "assignments" / "toy" / "arith.py").write_text("# edited by hand\n")
    drift = autograder("release", "--check", "toy", cwd=course)
    assert drift.returncode == 1 and "changed arith.py" in drift.stdout
    assert autograder("release", "toy", cwd=course).returncode == 0
    assert autograder("release", "--check", "--all", cwd=course).returncode == 0


def test_an_unknown_problem_set_is_one_line_with_exit_two(course):
    run = autograder("grade", "nope", "x", cwd=course)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "solutions/nope" in run.stderr


def test_a_bug_in_the_checks_exits_three(course):
    (course / "solutions" / "toy" / "checks" / "hidden" / "test_bug.py").write_text(
        "import pytest\npytestmark = pytest.mark.problem('arith')\n"
        "def test_bug(student):\n    1 / 0\n")
    run = autograder("grade", "toy", "solutions/toy", "-o", "out", cwd=course)
    assert run.returncode == 3 and "grader error" in run.stderr and "ZeroDivisionError" in run.stderr
