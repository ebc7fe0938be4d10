"""Problem 4: sparsity. The l1 penalty (lasso, by ISTA) and the l1 ball give exact zeros; the l2
penalty (ridge) does not (statement, "Problem 4").
"""

from __future__ import annotations

import numpy as np


def soft_threshold(x, t: float) -> np.ndarray:
    """sign(x) * max(|x| - t, 0) entrywise, for t >= 0: the proximal operator of t ||.||_1.

    Returns a float64 array of x's shape. Raises ValueError if t < 0.
    """
    raise NotImplementedError('soft_threshold: not implemented yet. See README.md (ps4_methods).')


def lasso_ista(A, b, lam: float, n_steps: int, lr=None) -> np.ndarray:
    """ISTA for 1/2 ||A x - b||^2 + lam ||x||_1 from x_0 = 0:
    x_{k+1} = soft_threshold(x_k - lr A^T (A x_k - b), lr * lam), lr = 1 / ||A||_2^2 by default
    (||A||_2 the largest singular value).

    Returns the iterates, float64 of shape (n_steps + 1, n), row 0 = zeros.
    """
    raise NotImplementedError('lasso_ista: not implemented yet. See README.md (ps4_methods).')


def ridge(A, b, lam: float) -> np.ndarray:
    """The minimiser of 1/2 ||A x - b||^2 + lam/2 ||x||^2 (lam > 0), a float64 array of shape (n,)."""
    raise NotImplementedError('ridge: not implemented yet. See README.md (ps4_methods).')


def project_l1_ball(v, radius: float) -> np.ndarray:
    """The Euclidean projection of v onto {x : ||x||_1 <= radius} (radius >= 0), a float64 array of
    v's shape. Raises ValueError if radius < 0.
    """
    raise NotImplementedError('project_l1_ball: not implemented yet. See README.md (ps4_methods).')
