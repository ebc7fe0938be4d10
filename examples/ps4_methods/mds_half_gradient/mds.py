"""Sample: each pair's gradient term is added to one endpoint only.

Problem 1: multidimensional scaling by gradient descent (statement, "Problem 1").

Place N points x_1, ..., x_N in R^p so that their distances match a given dissimilarity matrix D:
minimise the raw stress, sum over unordered pairs i < j of (||x_i - x_j|| - D_ij)^2.
"""

from __future__ import annotations

import numpy as np


def _check_dissimilarities(X, D):
    """X as an (N, p) float64 array and D as an (N, N) one, or ValueError (statement, "Inputs")."""
    X = np.asarray(X, dtype=np.float64)
    D = np.asarray(D, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError("X must be an (N, p) array")
    N = X.shape[0]
    if D.shape != (N, N):
        raise ValueError(f"D must have shape ({N}, {N}) to match X")
    if not np.array_equal(D, D.T) or np.any(np.diag(D) != 0) or np.any(D < 0) or not np.all(np.isfinite(D)):
        raise ValueError("D must be symmetric, non-negative, finite, with a zero diagonal")
    return X, D


def stress(X, D) -> float:
    """Raw stress of the embedding X (N x p): sum over pairs i < j of (||x_i - x_j|| - D_ij)^2.

    Returns a float. Raises ValueError if D is not a valid dissimilarity matrix for X.
    """
    X, D = _check_dissimilarities(X, D)
    diff = X[:, None, :] - X[None, :, :]
    d = np.sqrt(np.sum(diff * diff, axis=2))
    return float(0.5 * np.sum((d - D) ** 2))


def stress_grad(X, D) -> np.ndarray:
    """The gradient of ``stress`` with respect to X, an (N, p) array.

    A pair of coincident points (x_i = x_j) contributes 0. Must be vectorised (no Python loop over
    pairs): a hidden check times it. Raises ValueError as ``stress`` does.
    """
    X, D = _check_dissimilarities(X, D)
    diff = X[:, None, :] - X[None, :, :]
    d = np.sqrt(np.sum(diff * diff, axis=2))
    with np.errstate(divide="ignore", invalid="ignore"):
        W = np.where(d > 0, 2.0 * (d - D) / d, 0.0)
    W = np.triu(W)  # each pair's term added to its first point only
    return W.sum(axis=1)[:, None] * X - W @ X


def gradient_descent(f, x0, lr: float, n_steps: int) -> np.ndarray:
    """Gradient descent x_{k+1} = x_k - lr * f.grad(x_k) from x0, with exactly n_steps calls of
    ``f.grad`` and no call of ``f`` itself.

    Returns the iterates as a float64 array of shape (n_steps + 1, f.n), row 0 being x0.
    """
    x = np.array(x0, dtype=np.float64)
    out = np.empty((n_steps + 1, x.size))
    out[0] = x
    for k in range(n_steps):
        x = x - lr * np.asarray(f.grad(x), dtype=np.float64)
        out[k + 1] = x
    return out


def guttman_step(X, D) -> np.ndarray:
    """One Guttman transform (the SMACOF update): X+ = (1/N) B(X) X, an (N, p) array, where
    b_ij = -D_ij / d_ij for i != j (0 when d_ij = 0) and b_ii = -sum_{j != i} b_ij.

    Raises ValueError as ``stress`` does.
    """
    X, D = _check_dissimilarities(X, D)
    N = X.shape[0]
    diff = X[:, None, :] - X[None, :, :]
    d = np.sqrt(np.sum(diff * diff, axis=2))
    with np.errstate(divide="ignore", invalid="ignore"):
        B = np.where(d > 0, -D / d, 0.0)
    np.fill_diagonal(B, 0.0)
    B[np.diag_indices(N)] = -B.sum(axis=1)
    return B @ X / N
