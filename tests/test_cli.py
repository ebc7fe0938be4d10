"""The command line as users run it: real processes, exit codes CI can rely on, one-line errors."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main

from .conftest import REPO, TOY_COURSE

GRADED = Path(__file__).resolve().parent / "data" / "export" / "results" / "toy"  # a graded batch


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
    assert " toy " in run.stdout.splitlines()[0] and "toy — toy" not in run.stdout  # one title


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


def test_plain_pytest_works_after_the_readmes_activate_step(course):
    """README, the student's journey: `make setup` once, `source .venv/bin/activate` in each new
    terminal, then `cd assignments/<pset> && pytest`: a shell whose PATH has no venv finds it so."""
    activate = Path(sys.executable).parent / "activate"
    assert activate.is_file(), "the tests run in the virtualenv `make setup` creates"
    bare = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if Path(p).resolve() != Path(sys.executable).parent.resolve())
    run = subprocess.run(["bash", "-c", f"source {activate} && cd assignments/toy && "
                                        f"pytest -q -p no:cacheprovider"],
                         cwd=course, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PATH": bare, "VIRTUAL_ENV": ""})
    assert run.returncode == 1 and "3 failed" in run.stdout, run.stdout + run.stderr


def test_plain_pytest_without_the_autograder_says_in_one_line_which_environment_to_use(course):
    script = ("import sys; sys.modules['autograder'] = None; import pytest; "
              "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider']))")  # as a Python without it
    run = subprocess.run([sys.executable, "-c", script], cwd=course / "assignments" / "toy",
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and run.stdout == ""
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert "error: these checks need the autograder" in run.stderr
    assert "source .venv/bin/activate" in run.stderr


def test_release_check_exits_one_on_drift_and_release_repairs_it(course):
    assert autograder("release", "--check", "toy", cwd=course).returncode == 0
    (course / "assignments" / "toy" / "arith.py").write_text("# edited by hand\n")
    drift = autograder("release", "--check", "toy", cwd=course)
    assert drift.returncode == 1 and "changed arith.py" in drift.stdout
    repair = autograder("release", "toy", cwd=course)
    assert repair.returncode == 0 and "toy: 1 file changed in assignments/toy: arith.py" in repair.stdout
    again = autograder("release", "toy", cwd=course)  # nothing to do, and it says so
    assert again.returncode == 0 and "toy: assignments/toy is up to date" in again.stdout
    assert autograder("release", "--check", "--all", cwd=course).returncode == 0


def test_the_score_table_fits_80_columns_and_labels_bonus_points_and_repeats_no_message(course):
    manifest = course / "solutions" / "toy" / "problemset.toml"
    manifest.write_text(manifest.read_text().replace('module = "arrays"\n',
                                                     'module = "arrays"\nbonus = true\n')
                        .replace("call_timeout = 2\n", "call_timeout = 30\n"))  # a loaded machine
    name = "rates_confuse_linear_superlinear_with_a_longer_name"
    shutil.copytree(course / "solutions" / "toy", course / name)
    (course / "only_arrays").mkdir()  # arith.py missing: every arith check says so
    shutil.copyfile(course / "solutions" / "toy" / "arrays.py", course / "only_arrays" / "arrays.py")
    run = autograder("grade", "toy", name, "only_arrays", "--details", "-o", "out", cwd=course,
                     env={"COLUMNS": "80"})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(map(len, lines)) <= 80 and "…" not in run.stdout
    table = run.stdout[run.stdout.index("scores"):]
    assert name in "".join(line.split()[0] for line in table.splitlines()[6:8])  # folded, whole
    header = table[:table.index("────")]
    assert "arrays" in header and "(bonus)" in header and "/4" in header
    assert "Arrays (bonus)  2/2 checks pass, 4/4 points" in run.stdout
    assert "4 of these points come from the bonus problem Arrays, worth up to 4 points on top of " \
           "the maximum of 6." in " ".join(run.stdout.split())
    missing = [line for line in lines if "arith.py is not in the submission" in line]
    assert len(missing) == 1  # said once, with how many checks share it
    assert "(and 4 more checks with the same message)" in run.stdout


def test_an_unknown_problem_set_is_one_line_with_exit_two_that_lists_the_known_ones(course):
    run = autograder("grade", "nope", "x", cwd=course)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "solutions/nope" in run.stderr
    assert "solutions/ holds toy" in run.stderr
    check = autograder("check", "toyy", cwd=course)
    assert check.returncode == 2 and "assignments/ holds toy" in check.stderr


@pytest.mark.parametrize("typo, says", [
    (["solutions/toy", "assignments/tooy"], "assignments/tooy does not exist"),
    (["submissions/*"], "no file or folder matches submissions/*"),  # a glob that matched nothing
])
def test_grade_refuses_a_path_that_does_not_exist_before_writing_anything(course, typo, says):
    run = autograder("grade", "toy", *typo, "-o", "out", cwd=course)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().count("\n") == 0 and says in run.stderr, run.stderr
    assert not (course / "out").exists() and not (course / "results").exists()


@pytest.mark.parametrize("folder, says", [
    ("missing", "missing does not exist"),
    ("empty", "empty holds no files"),
    ("notes", "notes holds none of toy's files (arith.py, arrays.py)"),  # the wrong folder
])
def test_check_refuses_a_missing_empty_or_wrong_folder_in_one_line(course, folder, says):
    (course / "empty" / "__pycache__").mkdir(parents=True)
    (course / "notes").mkdir()
    (course / "notes" / "todo.txt").write_text("ask about problem 2\n")
    run = autograder("check", "toy", folder, cwd=course)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().count("\n") == 0 and says in run.stderr, run.stderr


def test_a_bug_in_the_checks_exits_three(course):
    (course / "solutions" / "toy" / "checks" / "hidden" / "test_bug.py").write_text(
        "import pytest\npytestmark = pytest.mark.problem('arith')\n"
        "def test_bug(student):\n    1 / 0\n")
    run = autograder("grade", "toy", "solutions/toy", "-o", "out", cwd=course)
    assert run.returncode == 3 and "grader error" in run.stderr and "ZeroDivisionError" in run.stderr


# ---------------------------------------------------------------------------- the CLI edge
# Every verb reports through autograder.errors.user_errors: a UserError is one line and exit status 2,
# an OSError names the file and the system's reason (exit status 4), --debug shows the traceback.

def invoke(course, *args):
    return CliRunner().invoke(main, ["--course", str(course), *map(str, args)])


@pytest.mark.parametrize("args, says", [
    (["release", "nope"], "no problem set 'nope' (solutions/nope/problemset.toml); solutions/ holds toy"),
    (["check", "nope"], "assignments/ holds toy"),
    (["grade", "nope", "x"], "solutions/ holds toy"),
    (["report", "{tmp}/missing"], "{tmp}/missing is not a folder; pass the folder `autograder grade` wrote"),
    (["similarity", "nope", "a", "b"], "assignments/ holds toy"),
    (["export", "canvas", "{tmp}", "--roster", "roster.csv"], "{tmp} holds no <submission>/results.json"),
    (["export", "csv", "--gradebook", "{tmp}/nothing"], "{tmp}/nothing is neither a database URL"),
    (["nbgrader", "export", "nope", "--course", "{tmp}/nb"], "solutions/ holds toy"),
    (["gradescope", "build", "nope"], "solutions/ holds toy"),
    (["ci", "student", "nope", "-o", "{tmp}/repo"], "solutions/ holds toy"),
    (["ci", "student", "toy", "-o", "{tmp}/repo", "--course-ref", "a b"], "--course-ref 'a b' is not"),
])
def test_a_user_error_from_any_verb_is_one_line_and_exit_two(course, tmp_path, args, says):
    run = invoke(course, *[a.format(tmp=tmp_path) for a in args])
    assert run.exit_code == 2, run.output
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: "), run.stderr
    assert says.format(tmp=tmp_path) in run.stderr


@pytest.mark.parametrize("verb, out", [
    (["report", GRADED], "sub"),  # a folder
    (["export", "moodle", GRADED, "--roster", TOY_COURSE.parent / "lms" / "moodle_grades_export.csv"],
     "sub/moodle.csv"),  # a file in a folder
])
def test_an_os_error_names_the_file_and_the_reason_with_exit_four(course, tmp_path, verb, out):
    (tmp_path / "a_file").write_text("not a folder\n")
    run = invoke(course, *verb, "-o", tmp_path / "a_file" / out)
    assert run.exit_code == 4, run.output
    assert run.stderr == f"error: {tmp_path / 'a_file' / 'sub'}: Not a directory; check the path\n"


def test_a_file_name_in_an_error_cannot_steer_the_terminal(tmp_path):
    results = tmp_path / "results"
    shutil.copytree(GRADED, results)
    data = json.loads((results / "bob" / "results.json").read_text())
    (results / "eve" / "results.json").parent.mkdir()
    (results / "eve" / "results.json").write_text(json.dumps({**data, "submission": "eve\x1b[2J\u202e"}))
    run = invoke(TOY_COURSE.parent / "course", "export", "moodle", results, "--roster",
                 TOY_COURSE.parent / "lms" / "moodle_grades_export.csv")
    assert run.exit_code == 2 and run.stderr.count("\n") == 1
    assert "eve\\x1b[2J\\u202e is not in" in run.stderr and "\x1b" not in run.stderr


def test_debug_shows_the_traceback_instead_of_one_line(course):
    run = autograder("--debug", "release", "nope", cwd=course)
    assert run.returncode == 1 and "Traceback (most recent call last)" in run.stderr
    assert "ProblemSetError: no problem set 'nope'" in run.stderr


# ---------------------------------------------------------------------------- make setup
# The Makefile's own logic, run by real make and sh; only the programs it calls (python, pip,
# nvidia-smi, apt-get, id) are stand-ins that record their arguments: the real ones would need a
# GPU, PyTorch's index or Debian's servers.

def _stand_in(folder, name, body):
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def _make(*args, tmp_path, env):
    return subprocess.run(["make", "--no-print-directory", "-C", str(REPO), *args], text=True,
                          capture_output=True, timeout=120,
                          env={**os.environ, **env, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"})


@pytest.mark.parametrize("gpu, local_wheel, torch_index", [
    (False, False, "https://download.pytorch.org/whl/cpu"),  # an ordinary laptop: the CPU build
    (True, False, None),  # nvidia-smi works: PyPI's torch (the CUDA build)
    (False, True, None),  # pip's configuration has a wheel folder holding torch: used as it is
])
def test_setup_takes_the_cpu_build_of_torch_unless_a_gpu_or_a_local_wheel_is_there(
        tmp_path, gpu, local_wheel, torch_index):
    (tmp_path / "bin").mkdir()
    log = tmp_path / "calls.log"
    _stand_in(tmp_path / "bin", "nvidia-smi", f"exit {0 if gpu else 9}\n")
    pip = _stand_in(tmp_path, "venv-python",
                    f'echo "$*" >> {log}\n'
                    f'case "$*" in *--dry-run*--no-index*) exit {0 if local_wheel else 1};; esac\n')
    python = _stand_in(tmp_path, "python",
                       f'[ "$1 $2" = "-m venv" ] && mkdir -p "$3/bin" && cp {pip} "$3/bin/python"\n')
    venv = tmp_path / "venv"
    run = _make(f"VENV={venv}", f"PYTHON={python}", f"{venv}/.installed", tmp_path=tmp_path, env={})
    assert run.returncode == 0, run.stdout + run.stderr
    calls = log.read_text().splitlines()
    assert calls[-1].endswith("-e .[dev]")  # the project, with torch already in place
    index_calls = [c for c in calls if "--index-url" in c]
    if torch_index:
        assert index_calls == [f"-m pip install --quiet -c constraints.txt --index-url {torch_index} "
                               f"torch"]
        assert calls.index(index_calls[0]) < len(calls) - 1
    else:
        assert index_calls == []


def test_setup_waits_for_another_package_manager_holding_apts_locks(tmp_path):
    (tmp_path / "bin").mkdir()
    log, tries = tmp_path / "apt.log", tmp_path / "tries"
    _stand_in(tmp_path / "bin", "id", "echo 0\n")
    _stand_in(tmp_path / "bin", "apt-get",  # update: the lists lock is held twice, then free
              f'echo "$*" >> {log}\n'
              f'case "$*" in *update*) echo x >> {tries}\n'
              f'  [ $(wc -l < {tries}) -gt 2 ] || {{ echo "E: Could not get lock '
              f'/var/lib/apt/lists/lock. It is held by process 7 (apt-get)" >&2; exit 100; }};; esac\n')
    run = _make("system-packages", "SYSTEM_PACKAGES=no-such-command:some-package", "APT_LOCK_POLL=0",
                tmp_path=tmp_path, env={})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "waiting for another package manager" in run.stdout
    calls = log.read_text().splitlines()
    assert [c.split()[-1] for c in calls] == ["-qq"] * 3 + ["some-package"]  # 3 updates, 1 install
    assert all("-o DPkg::Lock::Timeout=600" in c for c in calls)


def test_setup_stops_at_an_apt_failure_that_is_not_a_lock(tmp_path):
    (tmp_path / "bin").mkdir()
    log = tmp_path / "apt.log"
    _stand_in(tmp_path / "bin", "id", "echo 0\n")
    _stand_in(tmp_path / "bin", "apt-get", f'echo "$*" >> {log}\necho "E: no network" >&2\nexit 100\n')
    run = _make("system-packages", "SYSTEM_PACKAGES=no-such-command:some-package", "APT_LOCK_POLL=0",
                tmp_path=tmp_path, env={})
    assert run.returncode != 0 and "E: no network" in run.stderr
    assert len(log.read_text().splitlines()) == 1
