import numpy as np
import pytest

from autograder.checks import Oracle


@pytest.mark.problem("descent")
def test_one_step(student, given):
    """descend: one step"""
    problem = given.problems.Quadratic(3)
    x = student.descent.descend(Oracle(problem, methods=("grad",), attributes=("n",)), [1.0, 1.0, 1.0], 1)
    assert np.allclose(x, 1 - 0.1 * problem.d)


@pytest.mark.problem("chain")
def test_small_chain(student):
    """product: a small chain"""
    mats = [np.eye(2) * 2, np.eye(2) * 3, np.ones(2)]
    assert np.allclose(student.chain.product(mats), [6.0, 6.0])


@pytest.mark.problem("symbolic")
def test_half_is_an_expression(student):
    """HALF is a sympy expression"""
    import sympy

    assert isinstance(student.symbolic.HALF, sympy.Basic)
