"""Public checks of problem 4, tensor decompositions: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type

pytestmark = pytest.mark.problem("tensors")

X = np.arange(24.0).reshape(3, 4, 2)


def test_unfold_worked_example(student):
    """unfold: X = arange(24).reshape(3, 4, 2), mode 1, is the 4 x 6 matrix of the statement (C order)."""
    M = student.tensors.unfold(X, 1)
    expect_type(M, np.ndarray, "unfold(X, 1)")
    expected = np.array([[0, 1, 8, 9, 16, 17], [2, 3, 10, 11, 18, 19],
                         [4, 5, 12, 13, 20, 21], [6, 7, 14, 15, 22, 23]], dtype=float)
    assert M.shape == (4, 6), f"unfold(X, 1) returned shape {M.shape}; expected (4, 6)"
    assert np.array_equal(M, expected), (
        "unfold(X, 1) differs from the statement's matrix: use C order, "
        "np.moveaxis(X, 1, 0).reshape(4, -1), not Kolda's Fortran order")


def test_mode_dot_non_square(student):
    """mode_dot: X (3 x 4 x 2) times a 5 x 4 U in mode 1 has shape (3, 5, 2) and the einsum's entries."""
    U = np.arange(20.0).reshape(5, 4) / 10
    Y = student.tensors.mode_dot(X, U, 1)
    expect_type(Y, np.ndarray, "mode_dot(X, U, 1)")
    assert Y.shape == (3, 5, 2), f"mode_dot(X, U, 1) returned shape {Y.shape}; expected (3, 5, 2)"
    assert_close(Y, np.einsum("ijk,lj->ilk", X, U), rtol=0, atol=1e-12, what="mode_dot(X, U, 1)")


def test_tt_svd_recovers_a_tensor_train(student):
    """tt_svd: a 3 x 3 x 3 tensor of TT-ranks (1, 2, 3, 1) is recovered to 1e-9 with max_rank = 3."""
    rng = np.random.default_rng(0)
    cores = [rng.standard_normal(s) for s in ((1, 3, 2), (2, 3, 3), (3, 3, 1))]
    T = np.einsum("aib,bjc,ckd->ijk", *cores)
    out = student.tensors.tt_svd(T, max_rank=3)
    expect_type(out, (list, tuple), "tt_svd(T, max_rank=3)")
    shapes = [np.shape(c) for c in out]
    assert len(out) == 3 and all(len(s) == 3 for s in shapes), (
        f"tt_svd returned cores of shapes {shapes}; expected three 3-D cores (r_prev, n_k, r_next)")
    full = np.einsum("aib,bjc,ckd->ijk", *[np.asarray(c) for c in out])
    error = float(np.linalg.norm(full - T) / np.linalg.norm(T))
    assert error <= 1e-9, f"the train's tensor is {error:.3g} away from T (relative); expected <= 1e-9"
