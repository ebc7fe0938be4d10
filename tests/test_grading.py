"""Grading a submission: each failure costs its own checks only, and every message helps."""

import json
import shutil
import sys
import zipfile

import pytest

from autograder.grading.batch import grade_batch
from autograder.grading.grade import grade_submission
from autograder.grading.result import Result
from autograder.problemset import load_problem_set

from .conftest import TOY_COURSE, by_name

ARITH_OK = (TOY_COURSE / "solutions" / "toy" / "arith.py").read_text()


def test_the_reference_gets_full_marks(toy):
    result = grade_submission(toy, toy.root)
    assert result.status == "graded" and result.full_marks and result.max_score == 10
    assert all(t.status == "passed" for t in result.tests)
    assert not result.grader_errors


def test_the_released_stubs_get_zero(toy):
    result = grade_submission(toy, TOY_COURSE / "assignments" / "toy")
    assert result.score == 0 and result.max_score == 10
    assert {t.status for t in result.tests} <= {"failed", "error"}


def test_points_are_shared_by_weight_within_a_problem(grade_toy):
    result = grade_toy()
    arith = {t.nodeid.rsplit("::", 1)[-1]: t.max_score for t in result.tests if t.problem == "arith"}
    assert arith["test_add_random"] == pytest.approx(2 * arith["test_answer"])
    assert sum(arith.values()) == pytest.approx(6)


def test_a_syntax_error_costs_that_module_only(grade_toy):
    result = grade_toy({"arith.py": "def add(a, b)\n    return a + b\n"})
    assert {p.id: p.score for p in result.problems} == {"arith": 0, "arrays": 4}
    message = by_name(result)["test_add_small"].output
    assert "SyntaxError" in message and "arith.py, line 1" in message


def test_a_hanging_function_times_out_and_the_other_checks_still_run(grade_toy):
    hang = ARITH_OK.replace("    return a + b\n", "    while True:\n        pass\n")
    result = grade_toy({"arith.py": hang})
    checks = by_name(result)
    assert checks["test_add_small"].status == "timeout"
    assert "did not finish within 2 s" in checks["test_add_small"].output
    assert checks["test_answer"].status == "passed"  # after the timeout, a fresh child answers
    assert checks["test_division_by_zero"].status == "passed"
    assert result.problems[1].score == 4


def test_os_exit_inside_a_function_is_an_error_for_that_check(grade_toy):
    result = grade_toy({"arith.py": ARITH_OK.replace("    return a + b\n",
                                                     "    import os\n    os._exit(0)\n")})
    checks = by_name(result)
    assert checks["test_add_small"].status == "error"
    assert "process ended" in checks["test_add_small"].output
    assert checks["test_answer"].status == "passed" and 0 < result.score < 10


def test_a_missing_function_is_named(grade_toy):
    missing = ARITH_OK.split("def safe_div")[0]
    result = grade_toy({"arith.py": missing})
    check = by_name(result)["test_division_by_zero"]
    assert check.status == "error" and "does not define safe_div" in check.output
    assert by_name(result)["test_add_small"].status == "passed"


def test_a_missing_module_is_named(grade_toy):
    result = grade_toy({"arrays.py": None})
    assert "arrays.py is not in the submission" in by_name(result)["test_double_numpy"].output
    assert result.problems[0].score == 6


def test_partial_credit_is_a_fraction_of_the_check(grade_toy):
    wrong_big = ARITH_OK.replace("    return a + b\n",
                                 "    return float(a + b) if abs(a) > 2**60 else a + b\n")
    result = grade_toy({"arith.py": wrong_big.replace("float(a + b)", "a + b + 1")})
    check = by_name(result)["test_many_cases"]
    assert check.status == "failed" and check.score == pytest.approx(0.75 * check.max_score)
    assert "3 of 4" in check.output


def test_hidden_checks_do_not_echo_the_students_exception_message(grade_toy):
    leak = ARITH_OK.replace("    return a + b\n", "    raise ValueError(f'inputs were {a}, {b}')\n")
    result = grade_toy({"arith.py": leak})
    hidden = by_name(result)["test_add_random"]
    assert hidden.visibility == "hidden" and "inputs were" not in hidden.output
    assert "a built-in type ValueError (line " in hidden.output and "arith.py" not in hidden.output
    visible = by_name(result)["test_add_small"]
    assert visible.visibility == "visible" and "inputs were 2, 3" in visible.output


def test_a_wrong_return_type_fails_with_the_expected_type(grade_toy):
    result = grade_toy({"arith.py": ARITH_OK.replace("    return a + b\n",
                                                     "    return str(a + b)\n")})
    check = by_name(result)["test_add_small"]
    assert check.status == "failed" and "returned a str; expected int" in check.output


def test_a_zip_with_a_top_folder_is_graded_like_the_folder(toy, toy_submission, tmp_path):
    folder = toy_submission()
    archive = tmp_path / "hand-in.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"my_work/{path.name}")
    result = grade_submission(toy, archive)
    assert result.full_marks and result.submission == "hand-in"


def test_a_zip_with_an_escaping_path_is_not_graded_and_says_why(toy, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../outside.py", "x = 1")
    result = grade_submission(toy, archive)
    assert result.status == "not_graded" and result.score == 0
    assert "unsafe path" in result.output
    assert not (tmp_path.parent / "outside.py").exists()


def test_a_corrupt_zip_is_not_graded_and_says_what_to_do(toy, tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    result = grade_submission(toy, archive)
    assert result.status == "not_graded" and "zip your folder again" in result.output


def test_a_batch_goes_on_past_broken_submissions_and_writes_every_result(toy, toy_submission,
                                                                          tmp_path):
    good = toy_submission()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"garbage")
    out = tmp_path / "out"
    results = grade_batch(toy, [broken, good], out).results
    assert [r.status for r in results] == ["not_graded", "graded"]
    written = json.loads((out / "submission" / "results.json").read_text())
    assert written["score"] == 10 and Result.from_json(written).full_marks


def test_results_json_is_a_superset_of_gradescopes_format(grade_toy, tmp_path):
    result = grade_toy()
    result.write(tmp_path / "results.json")
    data = json.loads((tmp_path / "results.json").read_text())
    assert {"score", "max_score", "tests", "problems", "environment", "execution_time"} <= set(data)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["visibility"] in ("visible", "hidden", "after_due_date")
    assert data["environment"]["sandbox_layers"]


def test_a_bug_in_a_check_is_a_grader_error_not_the_students_fault(toy, tmp_path, toy_submission):
    import shutil

    from autograder.problemset import load_problem_set

    course = tmp_path / "course"
    shutil.copytree(toy.root, course)
    (course / "checks" / "hidden" / "test_buggy.py").write_text(
        "import pytest\npytestmark = pytest.mark.problem('arith')\n\n"
        "def test_buggy(student):\n    {}['missing']\n\n"
        "def test_no_problem_marker(student):\n    pass\n")
    (course / "checks" / "hidden" / "test_unmarked.py").write_text(
        "def test_unmarked(student):\n    pass\n")
    result = grade_submission(load_problem_set(course), toy_submission())
    checks = by_name(result)
    assert checks["test_buggy"].status == "error" and checks["test_buggy"].grader_error
    assert "not your fault" in checks["test_buggy"].output
    assert checks["test_unmarked"].grader_error
    assert len(result.grader_errors) == 2


def test_grading_the_same_submission_twice_gives_the_same_result(toy):
    first = grade_submission(toy, toy.root)
    second = grade_submission(toy, toy.root)
    assert [t.score for t in first.tests] == [t.score for t in second.tests]


def test_hidden_messages_never_show_operands_even_inside_a_pytest_session(grade_toy):
    """This test itself runs under pytest's assertion rewriting; the checks must not be rewritten."""
    result = grade_toy({"arith.py": ARITH_OK.replace("    return a + b\n", "    return a + b + 1\n")})
    message = by_name(result)["test_add_random"].output
    assert message == "add is wrong on random integers"


def test_a_submission_past_its_wall_budget_is_stopped_and_says_what_ran(grade_toy):
    """Every call of this submission hangs until its own deadline (2 s): the submission as a whole
    is stopped at its budget; what did not run is a timeout that says why, and nothing is lost."""
    hanging = "ANSWER = 42\n\ndef add(a, b):\n    while True:\n        pass\n\n" \
              "def safe_div(a, b):\n    while True:\n        pass\n"
    result = grade_toy({"arith.py": hanging}, budget_s=3)
    assert result.status == "graded" and result.score < result.max_score
    stopped = [t for t in result.tests if "stopped after its budget of 3 s" in t.output]
    assert stopped and all(t.status == "timeout" and t.score == 0 for t in stopped)
    assert not [t for t in result.tests if t.status == "skipped"]


def test_two_problem_sets_with_a_check_file_of_the_same_name_each_run_their_own(tmp_path, toy):
    """pytest names a check module by its path under the problem set (``checks.public.test_arith``);
    one grading process (a batch worker, a Dask worker) that grades two problem sets must run each
    one's own file, not the module the other left in ``sys.modules``."""
    other = tmp_path / "toy"
    shutil.copytree(toy.root, other)
    strict = other / "checks" / "public" / "test_arith.py"
    strict.write_text(strict.read_text() + "\n\n@pytest.mark.problem('arith')\n"
                      "def test_only_in_the_copy(student):\n    assert False, 'the copy ran'\n")
    first = grade_submission(toy, toy.root, public_only=True)
    second = grade_submission(load_problem_set(other), toy.root, public_only=True)
    again = grade_submission(toy, toy.root, public_only=True)
    assert "the copy ran" in {t.output for t in second.tests}
    assert first.full_marks and again.full_marks
    assert [t.nodeid for t in again.tests] == [t.nodeid for t in first.tests]
    kept = sys.modules["checks.public.test_arith"]  # the same problem set next: imported once
    grade_submission(toy, toy.root, public_only=True)
    assert sys.modules["checks.public.test_arith"] is kept and kept.__file__.startswith(str(toy.root))


def test_an_edited_reference_is_the_one_the_next_grading_compares_with(toy, toy_submission, tmp_path):
    """One long-lived grading process (a batch worker, a Dask worker) grades against the reference
    as its file is now: a reference fixed between two gradings, or another course's problem set of
    the same id, is never answered from what an earlier grading imported."""
    plus_one = {"arith.py": (TOY_COURSE / "solutions" / "toy" / "arith.py").read_text().replace(
        "    return a + b\n", "    return a + b + 1\n", 1)}
    submission = toy_submission(plus_one)
    assert by_name(grade_submission(toy, submission))["test_add_random"].status == "failed"
    course = tmp_path / "course" / "toy"  # the same problem set id, another folder
    shutil.copytree(TOY_COURSE / "solutions" / "toy", course)
    pset = load_problem_set(course)
    assert by_name(grade_submission(pset, submission))["test_add_random"].status == "failed"
    (course / "arith.py").write_text(plus_one["arith.py"])  # its reference edited: it adds one too
    again = by_name(grade_submission(pset, submission))["test_add_random"]
    assert again.status == "passed", again.output
    (course / "arith.py").write_text((TOY_COURSE / "solutions" / "toy" / "arith.py").read_text())
    check = course / "checks" / "hidden" / "test_arith.py"  # and a check edited: the new one runs
    check.write_text(check.read_text().replace('"add is wrong on random integers"',
                                               '"add is wrong on random integers (edited)"'))
    edited = by_name(grade_submission(pset, submission))["test_add_random"]
    assert edited.status == "failed" and "(edited)" in edited.output, edited.output
