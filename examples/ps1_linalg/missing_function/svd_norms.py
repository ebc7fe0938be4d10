# A correct solution written differently from the reference: the best approximation from the
# eigenvectors of A^T A (or A A^T), the error by forming A_r and subtracting, numpy scalars and 0-d
# arrays as results. Full marks.
"""Frobenius norm via the SVD."""

import numpy as np


def frobenius_norm_svd(A):
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError("A must be a matrix")
    s = np.linalg.svd(A, compute_uv=False)
    return np.asarray(np.sqrt(s @ s))  # a 0-d array


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
