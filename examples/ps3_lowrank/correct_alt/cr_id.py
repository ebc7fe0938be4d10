"""Correct CR and ID written differently: norms by einsum, the sampled product as a loop over the
draws, J as a Python list, and T by a triangular solve when R11 is well conditioned."""

import numpy as np
import scipy.linalg


def cr_probabilities(A, B):
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("A @ B is undefined")
    w = np.sqrt(np.einsum("ij,ij->j", A, A) * np.einsum("ij,ij->i", B, B))
    if w.sum() == 0:
        raise ValueError("p is undefined")
    return w / w.sum()


def cr_product(A, B, r, rng):
    p = cr_probabilities(A, B)
    if r < 1:
        raise ValueError("r >= 1")
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    idx = np.random.default_rng(rng).choice(len(p), size=r, replace=True, p=p)
    out = np.zeros((A.shape[0], B.shape[1]))
    for i in idx:
        out += np.outer(A[:, i], B[i]) / (r * p[i])
    return out


def cr_expected_sq_error(A, B, r, p=None):
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if r < 1:
        raise ValueError("r >= 1")
    p = cr_probabilities(A, B) if p is None else np.asarray(p, dtype=float)
    if p.shape != (A.shape[1],) or (p < 0).any() or abs(p.sum() - 1) > 1e-9:
        raise ValueError("bad p")
    total = 0.0
    for i in range(len(p)):
        term = (A[:, i] @ A[:, i]) * (B[i] @ B[i])
        if term > 0:
            if p[i] == 0:
                raise ValueError("p_i = 0 on a nonzero pair")
            total += term / p[i]
    return np.float64((total - np.sum((A @ B) ** 2)) / r)


def interp_decomp(A, k):
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or not 1 <= k <= A.shape[1]:
        raise ValueError("k out of range")
    m, n = A.shape
    _, R, perm = scipy.linalg.qr(A, pivoting=True)  # full R: m x n
    R = np.vstack([R, np.zeros((max(0, k - R.shape[0]), n))])
    R11, R12 = R[:k, :k], R[:k, k:]
    diag = np.abs(np.diag(R11))
    if diag.min() > 1e-10 * max(diag.max(), 1e-300):
        T = scipy.linalg.solve_triangular(R11, R12)
    else:  # singular R11: the least-norm solution from its SVD
        U, s, Vt = np.linalg.svd(R11)
        keep = s > 1e-12 * s[0] if s[0] > 0 else s > 1
        T = (Vt[keep].T / s[keep]) @ (U[:, keep].T @ R12)
    P = np.empty((k, n))
    P[:, perm[:k]] = np.eye(k)
    P[:, perm[k:]] = T
    return [int(j) for j in perm[:k]], P
