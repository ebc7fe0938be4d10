import pytest

from autograder.checks import PartialCredit, student_raises

pytestmark = pytest.mark.problem("arith")


@pytest.mark.weight(2)
def test_add_random(student, reference, rng):
    """add: random integers"""
    a, b = (int(v) for v in rng.integers(-1000, 1000, size=2))
    assert student.arith.add(a, b) == reference.arith.add(a, b), "add is wrong on random integers"


def test_division_by_zero(student):
    """safe_div: raises ZeroDivisionError for b = 0"""
    with student_raises(ZeroDivisionError, "safe_div(1, 0)"):
        student.arith.safe_div(1, 0)


def test_many_cases(student):
    """add: partial credit over several cases"""
    cases = [(1, 2), (-1, 1), (10**20, 1), (0, 0)]
    good = sum(student.arith.add(a, b) == a + b for a, b in cases)
    if good < len(cases):
        raise PartialCredit(good / len(cases), f"add is right on {good} of {len(cases)} cases")
