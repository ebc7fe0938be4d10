"""Sample: ISTA thresholds at lam instead of lr * lam.

Problem 4: sparsity. The l1 penalty (lasso, by ISTA) and the l1 ball give exact zeros; the l2
penalty (ridge) does not (statement, "Problem 4").
"""

from __future__ import annotations

import numpy as np


def soft_threshold(x, t: float) -> np.ndarray:
    """sign(x) * max(|x| - t, 0) entrywise, for t >= 0: the proximal operator of t ||.||_1.

    Returns a float64 array of x's shape. Raises ValueError if t < 0.
    """
    if t < 0:
        raise ValueError("the threshold t must be non-negative")
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def lasso_ista(A, b, lam: float, n_steps: int, lr=None) -> np.ndarray:
    """ISTA for 1/2 ||A x - b||^2 + lam ||x||_1 from x_0 = 0:
    x_{k+1} = soft_threshold(x_k - lr A^T (A x_k - b), lr * lam), lr = 1 / ||A||_2^2 by default
    (||A||_2 the largest singular value).

    Returns the iterates, float64 of shape (n_steps + 1, n), row 0 = zeros.
    """
    A = np.asarray(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if lr is None:
        lr = 1.0 / np.linalg.norm(A, 2) ** 2
    x = np.zeros(A.shape[1])
    out = np.empty((n_steps + 1, A.shape[1]))
    out[0] = x
    for k in range(n_steps):
        x = soft_threshold(x - lr * (A.T @ (A @ x - b)), lam)
        out[k + 1] = x
    return out


def ridge(A, b, lam: float) -> np.ndarray:
    """The minimiser of 1/2 ||A x - b||^2 + lam/2 ||x||^2 (lam > 0), a float64 array of shape (n,)."""
    A = np.asarray(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return np.linalg.solve(A.T @ A + lam * np.eye(A.shape[1]), A.T @ b)


def project_l1_ball(v, radius: float) -> np.ndarray:
    """The Euclidean projection of v onto {x : ||x||_1 <= radius} (radius >= 0), a float64 array of
    v's shape. Raises ValueError if radius < 0.
    """
    if radius < 0:
        raise ValueError("the radius must be non-negative")
    v = np.asarray(v, dtype=np.float64)
    if np.sum(np.abs(v)) <= radius:
        return v.copy()
    if radius == 0:
        return np.zeros_like(v)
    u = np.sort(np.abs(v))[::-1]
    cumulative = np.cumsum(u)
    k = np.arange(1, u.size + 1)
    rho = np.nonzero(u * k > cumulative - radius)[0][-1]
    theta = (cumulative[rho] - radius) / (rho + 1.0)
    return np.sign(v) * np.maximum(np.abs(v) - theta, 0.0)
