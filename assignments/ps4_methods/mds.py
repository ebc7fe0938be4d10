"""Problem 1: multidimensional scaling by gradient descent (statement, "Problem 1").

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
    raise NotImplementedError('stress: not implemented yet. See README.md (ps4_methods).')


def stress_grad(X, D) -> np.ndarray:
    """The gradient of ``stress`` with respect to X, an (N, p) array.

    A pair of coincident points (x_i = x_j) contributes 0. Must be vectorised (no Python loop over
    pairs): a hidden check times it. Raises ValueError as ``stress`` does.
    """
    raise NotImplementedError('stress_grad: not implemented yet. See README.md (ps4_methods).')


def gradient_descent(f, x0, lr: float, n_steps: int) -> np.ndarray:
    """Gradient descent x_{k+1} = x_k - lr * f.grad(x_k) from x0, with exactly n_steps calls of
    ``f.grad`` and no call of ``f`` itself.

    Returns the iterates as a float64 array of shape (n_steps + 1, f.n), row 0 being x0.
    """
    raise NotImplementedError('gradient_descent: not implemented yet. See README.md (ps4_methods).')


def guttman_step(X, D) -> np.ndarray:
    """One Guttman transform (the SMACOF update): X+ = (1/N) B(X) X, an (N, p) array, where
    b_ij = -D_ij / d_ij for i != j (0 when d_ij = 0) and b_ii = -sum_{j != i} b_ij.

    Raises ValueError as ``stress`` does.
    """
    raise NotImplementedError('guttman_step: not implemented yet. See README.md (ps4_methods).')
