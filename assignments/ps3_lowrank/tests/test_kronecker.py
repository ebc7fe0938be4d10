"""Public checks of problem 5, Kronecker products: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type

pytestmark = pytest.mark.problem("kronecker")


def test_kron_matvec_worked_example(student):
    """kron_matvec: a 2 x 3 A, a 3 x 2 B and x = 0, 1, ..., 5 give np.kron(A, B) @ x."""
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
    B = np.array([[1.0, 1.0], [0.0, 2.0], [3.0, 0.0]])
    x = np.arange(6.0)
    y = student.kronecker.kron_matvec(A, B, x)
    expect_type(y, np.ndarray, "kron_matvec(A, B, x)")
    assert_close(y, np.kron(A, B) @ x, rtol=0, atol=1e-12, what="kron_matvec on the worked example")


def test_nearest_kronecker_of_a_kronecker_product(student):
    """nearest_kronecker: M = np.kron(A, B) is recovered (A ⊗ B equal to M; A, B up to scale)."""
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
    B = np.array([[1.0, 1.0], [0.0, 2.0], [3.0, 0.0]])
    M = np.kron(A, B)
    out = student.kronecker.nearest_kronecker(M, (2, 3), (3, 2))
    expect_type(out, (tuple, list), "nearest_kronecker(M, (2, 3), (3, 2))")
    A2, B2 = (np.asarray(v) for v in out)
    assert A2.shape == (2, 3) and B2.shape == (3, 2), (
        f"nearest_kronecker returned shapes {A2.shape} and {B2.shape}; expected (2, 3) and (3, 2)")
    assert_close(np.kron(A2, B2), M, rtol=0, atol=1e-12, what="np.kron(A, B) of your factors")
