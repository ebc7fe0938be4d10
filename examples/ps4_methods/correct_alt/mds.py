"""Sample: a correct mds.py written differently from the reference (scipy's pdist/squareform,
einsum, the Guttman transform as a Laplacian-style product, lists of rows in gradient descent).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist, squareform


def _validate(X, D):
    X = np.asarray(X, dtype=float)
    D = np.asarray(D, dtype=float)
    if X.ndim != 2 or D.shape != (len(X), len(X)):
        raise ValueError("D must be N x N for an (N, p) X")
    if (D != D.T).any() or (np.diagonal(D) != 0).any() or (D < 0).any() or not np.isfinite(D).all():
        raise ValueError("D must be symmetric, non-negative, finite, with a zero diagonal")
    return X, D


def stress(X, D):
    X, D = _validate(X, D)
    iu = np.triu_indices(len(X), 1)
    return np.float64(np.sum((pdist(X) - D[iu]) ** 2))


def stress_grad(X, D):
    X, D = _validate(X, D)
    d = squareform(pdist(X))
    ratio = np.divide(d - D, d, out=np.zeros_like(d), where=d > 0)
    return 2.0 * (np.einsum("ij,ik->ik", ratio, X) - ratio @ X)


def gradient_descent(f, x0, lr, n_steps):
    rows = [np.array(x0, dtype=float)]
    for _ in range(n_steps):
        rows.append(rows[-1] - lr * f.grad(rows[-1]))
    return np.array(rows)


def guttman_step(X, D):
    X, D = _validate(X, D)
    d = squareform(pdist(X))
    ratio = np.divide(D, d, out=np.zeros_like(d), where=d > 0)
    np.fill_diagonal(ratio, 0.0)
    B = np.diag(ratio.sum(axis=1)) - ratio
    return (B @ X) / len(X)
