"""Problem 2: the Nelder-Mead simplex method exactly as scipy's default (statement, "Problem 2").

Derivative-free: the method only evaluates f. Do not use scipy.optimize here.
"""

from __future__ import annotations

import numpy as np


def nelder_mead(f, x0, *, max_fev=None, max_iter=None, xatol=1e-4, fatol=1e-4, initial_simplex=None):
    """Minimise f from x0 by Nelder-Mead with the rules of the statement.

    Returns ``(x_best, f_best, best_per_iter, n_fev)``: the best vertex (float64 array of shape (n,))
    and its value (float), the best vertex after the initial simplex and after each completed
    iteration (float64 array of shape (n_iter + 1, n)), and the number of calls of f (int).
    Raises ValueError for an initial simplex that is not (n + 1, n) or a max_fev below n + 1.
    """
    raise NotImplementedError('nelder_mead: not implemented yet. See README.md (ps4_methods).')
