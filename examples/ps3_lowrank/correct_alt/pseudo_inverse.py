"""A correct pseudo-inverse written differently: the SVD of the tall orientation, an explicit loop
over the kept singular triplets, and best factors from the normal equations of the reduced problem."""

import numpy as np


def pinv(A, rtol=None):
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError("A must be a matrix")
    m, n = A.shape
    if m < n:  # work with the tall A^T and transpose back: (A^T)+ = (A+)^T
        return pinv(A.T, rtol).T
    if rtol is None:
        rtol = max(m, n) * np.finfo(A.dtype).eps
    if rtol < 0:
        raise ValueError("rtol must be >= 0")
    out = np.zeros((n, m), dtype=np.result_type(A.dtype, np.float32))
    if A.size == 0:
        return out
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    for i in range(s.size):
        if s[i] > rtol * s[0] and s[i] > 0:
            out += np.outer(Vt[i], U[:, i]) / s[i]
    return out


def best_right_factor(A, M):
    A, M = np.asarray(A), np.asarray(M)
    if A.ndim != 2 or M.ndim != 2 or A.shape[0] != M.shape[0]:
        raise ValueError("A (m x r) and M (m x n) need the same number of rows")
    return pinv(A) @ M


def best_left_factor(B, M):
    B, M = np.asarray(B), np.asarray(M)
    if B.ndim != 2 or M.ndim != 2 or B.shape[1] != M.shape[1]:
        raise ValueError("B (r x n) and M (m x n) need the same number of columns")
    return best_right_factor(B.T, M.T).T
