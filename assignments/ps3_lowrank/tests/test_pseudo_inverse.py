"""Public checks of problem 1, the pseudo-inverse: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type, student_raises

pytestmark = pytest.mark.problem("pseudo_inverse")

# The worked example: A = u v^T with u = (1, 2), v = (1, 2, 2), so A+ = v u^T / (|u|^2 |v|^2) = v u^T / 45.
EXAMPLE = np.array([[1.0, 2.0, 2.0], [2.0, 4.0, 4.0]])
EXAMPLE_PINV = np.array([[1.0, 2.0], [2.0, 4.0], [2.0, 4.0]]) / 45


def test_pinv_worked_example(student):
    """pinv: the rank-1 worked example [[1, 2, 2], [2, 4, 4]] gives v u^T / 45, shape (3, 2)."""
    X = student.pseudo_inverse.pinv(EXAMPLE)
    expect_type(X, np.ndarray, "pinv(A)")
    assert X.shape == (3, 2), (
        f"pinv returned shape {X.shape} for a 2 x 3 matrix; A+ of an m x n matrix is n x m")
    assert_close(X, EXAMPLE_PINV, rtol=0, atol=1e-13, what="pinv([[1, 2, 2], [2, 4, 4]])")


def test_pinv_of_zero_matrix(student):
    """pinv: the zero 2 x 4 matrix gives the zero 4 x 2 matrix (no division by zero)."""
    X = student.pseudo_inverse.pinv(np.zeros((2, 4)))
    expect_type(X, np.ndarray, "pinv(zeros((2, 4)))")
    assert X.shape == (4, 2), f"pinv(zeros((2, 4))) returned shape {X.shape}; expected (4, 2)"
    assert np.all(X == 0), "pinv(zeros((2, 4))) has non-zero (or NaN) entries; every singular value is 0"


def test_best_right_factor_worked_example(student):
    """best_right_factor: the minimum-norm B for the rank-1 example and M = [[3], [6]]."""
    M = np.array([[3.0], [6.0]])
    B = student.pseudo_inverse.best_right_factor(EXAMPLE, M)
    expect_type(B, np.ndarray, "best_right_factor(A, M)")
    # A B = M is solvable (M is in the range of A); the minimum-norm solution is A+ M = v / 3.
    assert_close(B, np.array([[1.0], [2.0], [2.0]]) / 3, rtol=0, atol=1e-13,
                 what="best_right_factor([[1, 2, 2], [2, 4, 4]], [[3], [6]])")


def test_non_matrix_is_rejected(student):
    """pinv: a 1-D array raises ValueError."""
    with student_raises(ValueError, "pinv(np.ones(3))"):
        student.pseudo_inverse.pinv(np.ones(3))
