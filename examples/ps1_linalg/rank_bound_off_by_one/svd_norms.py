# storage_rank_bound rounds n m / (n + m + 1) down, i.e. the largest r with r (n + m + 1) <= n m: right
# whenever the quotient is not a whole number, one too large when it is (the inequality is strict).
"""Frobenius norm via the SVD."""

import numpy as np


def _matrix(A):
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError("A must be 2-D")
    return A


def _rank(r):
    if r < 0:
        raise ValueError("r must be >= 0")
    return r


def frobenius_norm_svd(A):
    s = np.linalg.svd(_matrix(A), compute_uv=False)
    return float(np.sqrt(np.sum(s**2)))


def best_rank_approx(A, r):
    U, s, Vt = np.linalg.svd(_matrix(A), full_matrices=False)
    r = _rank(r)
    return U[:, :r] @ np.diag(s[:r]) @ Vt[:r, :]


def rank_approx_error(A, r):
    s = np.linalg.svd(_matrix(A), compute_uv=False)
    return float(np.sqrt(np.sum(s[_rank(r):] ** 2)))


def storage_rank_bound(n, m):
    if n < 1 or m < 1:
        raise ValueError("n and m must be positive")
    return (n * m) // (n + m + 1)  # the largest r with r (n + m + 1) <= n m
