"""Sample: a correct sparsity.py written differently from the reference (np.clip, lstsq on a stacked
system for ridge, the projection's threshold from a loop over the sorted magnitudes).
"""

import numpy as np


def soft_threshold(x, t):
    if t < 0:
        raise ValueError("t must be >= 0")
    x = np.asarray(x, dtype=float)
    return x - np.clip(x, -t, t)


def lasso_ista(A, b, lam, n_steps, lr=None):
    A, b = np.asarray(A, float), np.asarray(b, float)
    L = np.linalg.svd(A, compute_uv=False)[0] ** 2
    lr = 1.0 / L if lr is None else lr
    xs = [np.zeros(A.shape[1])]
    for _ in range(n_steps):
        x = xs[-1]
        xs.append(soft_threshold(x - lr * A.T @ (A @ x - b), lr * lam))
    return np.stack(xs)


def ridge(A, b, lam):
    A, b = np.asarray(A, float), np.asarray(b, float)
    n = A.shape[1]
    stacked = np.vstack([A, np.sqrt(lam) * np.eye(n)])
    return np.linalg.lstsq(stacked, np.concatenate([b, np.zeros(n)]), rcond=None)[0]


def project_l1_ball(v, radius):
    if radius < 0:
        raise ValueError("radius must be >= 0")
    v = np.asarray(v, dtype=float)
    if np.abs(v).sum() <= radius:
        return v.copy()
    if radius == 0:
        return np.zeros_like(v)
    u = np.sort(np.abs(v))[::-1]
    total, theta = 0.0, 0.0
    for j, uj in enumerate(u, 1):
        total += uj
        if uj > (total - radius) / j:
            theta = (total - radius) / j
    return np.sign(v) * np.maximum(np.abs(v) - theta, 0.0)
