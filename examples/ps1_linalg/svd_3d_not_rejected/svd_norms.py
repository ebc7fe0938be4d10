# frobenius_norm_svd leaves the dimension check to np.linalg.svd, which refuses a 1-D array but takes
# a 3-D one as a stack of matrices: a 3-D array gets a number instead of ValueError. Otherwise the
# correct sample svd_correct_alt.
"""Frobenius norm via the SVD."""

import numpy as np


def frobenius_norm_svd(A):
    A = np.asarray(A, dtype=np.float64)
    s = np.linalg.svd(A, compute_uv=False)  # wrong: a 3-D A is a stack of matrices here
    return float(np.sqrt(np.sum(s**2)))


def best_rank_approx(A, r):
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError("A must be a matrix")
    if r < 0:
        raise ValueError("r must be >= 0")
    m, n = A.shape
    if m >= n:
        _, V = np.linalg.eigh(A.T @ A)  # ascending eigenvalues: the last columns are the top ones
        V = V[:, ::-1][:, :r]
        return (A @ V) @ V.T
    _, U = np.linalg.eigh(A @ A.T)
    U = U[:, ::-1][:, :r]
    return U @ (U.T @ A)


def rank_approx_error(A, r):
    A = np.asarray(A, dtype=np.float64)
    return np.linalg.norm(A - best_rank_approx(A, r))  # a numpy float64


def storage_rank_bound(n, m):
    if n < 1 or m < 1:
        raise ValueError("sizes must be positive")
    r = np.int64(n * m // (n + m + 1))
    if r * (n + m + 1) == n * m:  # equal storage saves nothing
        r -= 1
    return r  # a numpy integer
