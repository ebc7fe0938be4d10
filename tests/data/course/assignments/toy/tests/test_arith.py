import pytest

from autograder.checks import expect_type

pytestmark = pytest.mark.problem("arith")


def test_add_small(student):
    """add: 2 + 3 = 5"""
    value = student.arith.add(2, 3)
    expect_type(value, int, "add(2, 3)")
    assert value == 5, f"add(2, 3) returned {value}; expected 5"


def test_answer(student):
    """ANSWER is set"""
    assert student.arith.ANSWER == 42, "ANSWER should be 42"
