"""Sample: nelder_mead wraps scipy.optimize.minimize, which the problem bans.

Problem 2: the Nelder-Mead simplex method exactly as scipy's default (statement, "Problem 2").
"""

from __future__ import annotations

import numpy as np
import scipy.optimize


def nelder_mead(f, x0, *, max_fev=None, max_iter=None, xatol=1e-4, fatol=1e-4, initial_simplex=None):
    """Minimise f from x0 by scipy's Nelder-Mead (the very thing the problem asks to write)."""
    x0 = np.array(x0, dtype=np.float64).ravel()
    options = {"xatol": xatol, "fatol": fatol, "return_all": True, "initial_simplex": initial_simplex,
               "maxfev": max_fev, "maxiter": None if max_iter is None else max_iter + 1}
    res = scipy.optimize.minimize(f, x0, method="Nelder-Mead", options=options)
    best = np.array(res.allvecs)
    best[0] = res.final_simplex[0][0] if len(best) == 1 else best[0]
    return res.x, float(res.fun), best, int(res.nfev)
