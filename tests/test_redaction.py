"""What hidden checks say about a failure (fixed categories, never the student's text), and how
text a submission controls is shown (control characters escaped)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import (
    BadValue,
    ImportFailed,
    MissingName,
    StudentCrashed,
    StudentException,
    StudentTimeout,
    assert_close,
    student_raises,
)
from autograder.checks.assertions import CheckFailure
from autograder.checks.redact import exception_kind, student_line
from autograder.grading.recorder import _student_error_message
from autograder.grading.result import CheckResult, ProblemResult, Result
from autograder.report.html import render_html
from autograder.report.markdown import render_markdown
from autograder.terminal_text import escape_controls

MARK = "LEAKED_1234"


def raised(type_names: list[str], where: str = "") -> StudentException:
    return StudentException(f"f(...) raised X: {MARK}", type_names=type_names, where=where,
                            detail=f"  {MARK}.py, line 3, in {MARK}\n")


# ---------------------------------------------------------------------------- categories


def test_a_builtin_exception_type_is_named():
    exc = raised(["builtins.ValueError", "builtins.Exception"])
    assert exception_kind(exc) == "an exception of a built-in type ValueError"


@pytest.mark.parametrize("type_names", [
    [f"arith.{MARK}", "builtins.Exception"],  # the student's own class
    [f"builtins.{MARK}", "builtins.Exception"],  # a class that claims to be built in
    ["builtins.ValueError.LEAKED", "builtins.Exception"],
    [],
])
def test_any_other_exception_type_is_just_an_exception(type_names):
    assert exception_kind(raised(type_names)) == "an exception"


@pytest.mark.parametrize("where, line", [
    ("arith.py, line 12, in add", "line 12"),
    ("arith.py, line 7", "line 7"),
    (f"{MARK}, line 99, in x.py, line 3, in {MARK}", "line 3"),  # the last place the child gave
    ("arith.py, line 1234567, in add", ""),  # not a line of a real submission
    (f"{MARK}.py", ""),
    ("", ""),
])
def test_only_the_line_number_of_a_place_is_kept(where, line):
    assert student_line(where) == line


@pytest.fixture
def pset(toy):
    return toy


@pytest.mark.parametrize("exc", [
    raised([f"arith.{MARK}"], where=f"{MARK}.py, line 5, in {MARK}"),
    ImportFailed(f"the module could not be imported: {MARK}: {MARK} ({MARK}.py, line 2)"),
    MissingName(f"{MARK}.py is not in the submission"),
    MissingName(f"arith.py does not define {MARK}"),
    BadValue(f"f(...): sympy class {MARK} is not supported in answers"),
    StudentCrashed("the submission's process ended during f(...) (exit code 123); do not call exit()"),
    StudentCrashed("the submission's process ended during f(...) (killed by signal 45)"),
    StudentCrashed(f"the submission broke the grader's channel during f(...): bad header {MARK!r}"),
    StudentTimeout(f"{MARK}(...) did not finish within 2 s"),
])
def test_hidden_checks_repeat_nothing_the_child_sent(exc, pset):
    shown = _student_error_message(exc, visible=False, pset=pset)
    assert MARK not in shown and "123" not in shown and "45" not in shown
    assert shown.startswith(("your ", "a module or name"))


def test_a_missing_name_of_the_problem_set_is_named(pset):
    assert _student_error_message(MissingName("arith.py does not define safe_div"), False, pset) \
        == "arith.py does not define safe_div"
    assert _student_error_message(MissingName("arrays.py is not in the submission"), False, pset) \
        == "arrays.py is not in the submission"


def test_visible_checks_show_the_students_own_error_in_full(pset):
    exc = raised(["builtins.ValueError"], where=f"{MARK}.py, line 5")
    shown = _student_error_message(exc, visible=True, pset=pset)
    assert f"raised X: {MARK}" in shown and f"{MARK}.py, line 3, in {MARK}" in shown


def test_assert_close_tells_hidden_checks_the_margin_but_not_shapes_or_positions():
    with pytest.raises(CheckFailure) as shape:
        assert_close(np.zeros((3, 4)), np.zeros((3, 5)), rtol=1e-9, what="f(A)")
    assert "(3, 4)" in str(shape.value) and "(3, 5)" not in shape.value.hidden_message
    assert shape.value.hidden_message == "f(A) does not have the expected shape"
    with pytest.raises(CheckFailure) as far:
        assert_close(np.array([1.0, 2.5]), np.array([1.0, 2.0]), rtol=1e-9, what="f(A)")
    assert "1 of 2" in str(far.value) and "at index (1,)" in str(far.value)
    assert "index" not in far.value.hidden_message and "of 2" not in far.value.hidden_message
    assert "greatest absolute difference 0.5" in far.value.hidden_message


def test_student_raises_names_only_builtin_types_to_hidden_checks():
    with pytest.raises(CheckFailure) as failure, student_raises(ValueError, "f(-1)"):
        raise raised([f"arith.{MARK}", "builtins.Exception"])
    assert MARK in str(failure.value)  # the visible message names the student's own class
    assert failure.value.hidden_message == "f(-1) should raise ValueError; it raised an exception"


# ---------------------------------------------------------------------------- control characters

UNSAFE = "\x00\x07\x08\x0b\x0c\r\x1b\x7f\x85\x9b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_every_control_character_and_bidi_override_is_escaped_newlines_and_tabs_stay():
    shown = escape_controls(f"a{UNSAFE}\n\tb é ✓")
    assert not any(c in shown for c in UNSAFE)
    assert shown.startswith("a\\x00\\x07") and "\\x1b" in shown and "\\u202e" in shown
    assert shown.endswith("\n\tb é ✓")


def _result(output: str, submission: str = "sub") -> Result:
    check = CheckResult(name="f: a check", nodeid="checks/public/test_f.py::test_f", problem="p",
                        status="failed", score=0.0, max_score=1.0, output=output,
                        visibility="visible", execution_time=0.0)
    return Result(pset="toy", submission=submission, source="sub", status="graded", score=0.0,
                  max_score=1.0, tests=[check], problems=[ProblemResult("p", "P", 0.0, 1.0)])


def test_feedback_markdown_escapes_controls_and_keeps_messages_inside_their_block():
    text = render_markdown(_result("x\x1b[2J\u202e\n```\n# Score: 10 / 10\n````", "s\x1b[31m|\n#"))
    assert not any(c in text for c in UNSAFE)
    assert "x\\x1b[2J\\u202e" in text
    fence = "`````"  # longer than the message's longest run of backticks
    assert f"{fence}\nx\\x1b[2J\\u202e\n```\n# Score: 10 / 10\n````\n{fence}" in text
    assert text.startswith("# toy — s\\x1b[31m\\| #\n")


def test_feedback_html_escapes_markup_and_controls():
    text = render_html(_result("<script>alert(1)</script>\x1b[2J\u202e", "<b>s\u202e</b>"))
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J\\u202e" in text
    assert "&lt;b&gt;s\\u202e&lt;/b&gt;" in text and not any(c in text for c in UNSAFE)
