"""Public checks of problem 2, compressing a layer: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type

pytestmark = pytest.mark.problem("svd_compression")

def eckart_young(W, r):
    s = np.linalg.svd(W, compute_uv=False)
    return float(np.sqrt(np.sum(s[r:] ** 2)))


def test_compress_layer_worked_example(student):
    """compress_layer: the 3 x 2 worked example with r = 1 gives a best rank-1 approximation."""
    W = np.array([[3.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    out = student.svd_compression.compress_layer(W, 1)
    expect_type(out, (tuple, list), "compress_layer(W, 1)")
    A, B = out
    expect_type(A, np.ndarray, "compress_layer(W, 1)[0]")
    assert A.shape == (3, 1) and np.shape(B) == (1, 2), (
        f"compress_layer(W, 1) returned shapes {A.shape} and {np.shape(B)}; expected (3, 1) and (1, 2)")
    assert_close(A @ B, np.array([[3.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), rtol=0, atol=1e-12,
                 what="A @ B for W = [[3, 0], [0, 1], [0, 0]], r = 1")


def test_rank_for_energy_diagonal(student):
    """rank_for_energy: diag(4, 2, 1, 1) keeps 16/22, 20/22, 21/22 of the energy with r = 1, 2, 3."""
    W = np.diag([4.0, 2.0, 1.0, 1.0])
    for delta, expected in ((0.3, 1), (0.2, 2), (0.05, 3), (0.01, 4)):
        r = student.svd_compression.rank_for_energy(W, delta)
        expect_type(r, int, f"rank_for_energy(W, {delta})")
        assert r == expected, (
            f"rank_for_energy(diag(4, 2, 1, 1), {delta}) returned {r}; expected {expected}: the least r "
            f"with sigma_1^2 + ... + sigma_r^2 >= (1 - delta) * 22")


def test_randomized_svd_small(student):
    """randomized_svd: a random 30 x 20 matrix, k = 5: shapes, orthonormality, near-optimal error."""
    rng = np.random.default_rng(7)
    A = rng.standard_normal((30, 20)) @ np.diag(0.5 ** np.arange(20)) @ rng.standard_normal((20, 20))
    out = student.svd_compression.randomized_svd(A, 5, oversample=5, power_iters=2, rng=0)
    expect_type(out, (tuple, list), "randomized_svd(A, 5, ...)")
    U, s, Vt = out
    assert np.shape(U) == (30, 5) and np.shape(s) == (5,) and np.shape(Vt) == (5, 20), (
        f"randomized_svd returned shapes {np.shape(U)}, {np.shape(s)}, {np.shape(Vt)}; expected "
        f"(30, 5), (5,), (5, 20): U, s and Vt (not V)")
    assert_close(U.T @ U, np.eye(5), rtol=0, atol=1e-10, what="U^T U")
    assert_close(Vt @ Vt.T, np.eye(5), rtol=0, atol=1e-10, what="Vt Vt^T")
    error = float(np.linalg.norm(A - (U * s) @ Vt))
    best = eckart_young(A, 5)
    assert error <= 1.1 * best + 1e-10 * np.linalg.norm(A), (
        f"||A - U diag(s) Vt||_F = {error:.6g} is more than 1.1 times the best rank-5 error {best:.6g}")


def test_fisher_weighted_svd_uniform_weights(student):
    """fisher_weighted_svd: with equal importance for every row it is the plain truncated SVD."""
    rng = np.random.default_rng(3)
    W = rng.standard_normal((8, 6))
    A, B = student.svd_compression.fisher_weighted_svd(W, np.ones((8, 6)), 2)
    error = float(np.linalg.norm(W - np.asarray(A) @ np.asarray(B)))
    assert abs(error - eckart_young(W, 2)) <= 1e-10, (
        f"with uniform Fisher weights ||W - A B||_F = {error:.10g}, but the best rank-2 error is "
        f"{eckart_young(W, 2):.10g}")
