"""Public checks of problem 3, CR and the interpolative decomposition: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type

pytestmark = pytest.mark.problem("cr_id")


def test_cr_probabilities_worked_example(student):
    """cr_probabilities: the 2 x 3 times 3 x 2 worked example gives p = (5, 0, 10) / 15."""
    A = np.array([[3.0, 0.0, 1.0], [4.0, 0.0, 0.0]])      # column norms 5, 0, 1
    B = np.array([[1.0, 0.0], [2.0, 2.0], [6.0, 8.0]])    # row norms 1, sqrt(8), 10
    p = student.cr_id.cr_probabilities(A, B)
    expect_type(p, np.ndarray, "cr_probabilities(A, B)")
    assert_close(p, np.array([5.0, 0.0, 10.0]) / 15, rtol=0, atol=1e-14,
                 what="cr_probabilities on the worked example")


def test_interp_decomp_rank_one(student):
    """interp_decomp: a rank-1 3 x 4 matrix with k = 1 is reproduced exactly by one of its columns."""
    A = np.outer([1.0, 2.0, 3.0], [2.0, -1.0, 4.0, 0.5])
    out = student.cr_id.interp_decomp(A, 1)
    expect_type(out, (tuple, list), "interp_decomp(A, 1)")
    J, P = out
    J = np.asarray(J)
    assert J.shape == (1,) and J.dtype.kind in "iu" and 0 <= J[0] < 4, (
        f"interp_decomp(A, 1) returned J = {J!r}; expected one column index in [0, 4)")
    P = np.asarray(P)
    assert P.shape == (1, 4), f"interp_decomp(A, 1) returned P of shape {P.shape}; expected (1, 4)"
    assert_close(P[:, J], np.eye(1), rtol=0, atol=1e-12, what="P[:, J] (must be the identity)")
    assert_close(A[:, J] @ P, A, rtol=0, atol=1e-12, what="A[:, J] @ P for a rank-1 A")
