"""Correct layer compression written differently: scipy's QR, a proxy detected by its methods, the
square root of Sigma on both factors, numpy integers and scalars as results."""

import numpy as np
import scipy.linalg


def _orth(Y):
    return scipy.linalg.qr(Y, mode="economic")[0]


def randomized_svd(A, k, *, oversample=10, power_iters=2, rng):
    if hasattr(A, "matmat"):
        apply, apply_t = A.matmat, A.rmatmat
    else:
        A = np.asarray(A)
        apply, apply_t = A.dot, A.T.dot
    m, n = A.shape
    if not 1 <= k <= min(m, n) or oversample < 0 or power_iters < 0:
        raise ValueError("need 1 <= k <= min(m, n) and non-negative oversample and power_iters")
    rng = np.random.default_rng(rng)
    Q = _orth(np.asarray(apply(rng.normal(size=(n, k + oversample))), dtype=float))
    for _ in range(power_iters):
        Q = _orth(np.asarray(apply(_orth(np.asarray(apply_t(Q), dtype=float))), dtype=float))
    Bt = np.asarray(apply_t(Q), dtype=float)  # n x l
    V, s, Wt = np.linalg.svd(Bt, full_matrices=False)  # B = Bt^T = W s V^T
    return Q @ Wt.T[:, :k], s[:k], V[:, :k].T


def compress_layer(W, r):
    W = np.asarray(W)
    if W.ndim != 2 or not 0 <= r <= min(W.shape):
        raise ValueError("r out of range")
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    root = np.sqrt(s[:r])
    return U[:, :r] * root, root[:, None] * Vt[:r]


def rank_for_energy(W, delta):
    if not 0 < delta < 1:
        raise ValueError("delta must be in (0, 1)")
    s2 = np.linalg.svd(np.asarray(W, dtype=float), compute_uv=False) ** 2
    if s2.sum() == 0:
        return np.int64(0)
    kept = np.cumsum(s2) >= (1 - delta) * s2.sum()
    return np.argmax(kept) + 1  # a numpy integer


def fisher_weighted_svd(W, fisher, r):
    W, fisher = np.asarray(W, dtype=float), np.asarray(fisher, dtype=float)
    if W.shape != fisher.shape or (fisher < 0).any():
        raise ValueError("fisher must be non-negative, with W's shape")
    importance = fisher.sum(axis=1)
    if (importance == 0).any():
        raise ValueError("a row of zero importance makes D singular")
    d = np.sqrt(importance)
    A, B = compress_layer(d[:, None] * W, r)
    return A / d[:, None], B
