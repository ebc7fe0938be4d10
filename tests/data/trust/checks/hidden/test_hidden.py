import numpy as np
import pytest
import sympy

from autograder.checks import Oracle
from autograder.checks.symbolic import decide


@pytest.mark.problem("descent")
def test_iterate(student, given, rng):
    """descend: the iterate after k steps"""
    n, k = int(rng.integers(3, 8)), int(rng.integers(5, 20))
    problem = given.problems.Quadratic(n, seed=int(rng.integers(1000)))
    x = student.descent.descend(Oracle(problem, methods=("grad",), attributes=("n",)), np.ones(n), k)
    assert np.allclose(x, (1 - 0.1 * problem.d) ** k), "the iterate is wrong"


@pytest.mark.problem("descent")
def test_budget(student, given, rng):
    """descend: exactly one gradient per step, counted by the grader"""
    n, k = int(rng.integers(3, 8)), int(rng.integers(5, 20))
    problem = given.problems.Quadratic(n)
    oracle = Oracle(problem, methods=("grad",), attributes=("n",), properties=("calls",))
    student.descent.descend(oracle, np.ones(n), k)
    assert problem.calls == k, "descend evaluated more or fewer gradients than steps"


@pytest.mark.problem("symbolic")
def test_half(student):
    """HALF equals 1/2"""
    value = student.symbolic.HALF
    assert isinstance(value, sympy.Basic), "HALF is not a sympy expression"
    assert decide(lambda v: bool(sympy.simplify(v - sympy.Rational(1, 2)) == 0), value, timeout=5,
                  what="HALF"), "HALF is not 1/2"
