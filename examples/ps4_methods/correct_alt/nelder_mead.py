"""Sample: a correct Nelder-Mead computed in another floating-point order (the centroid as the sum
of all vertices minus the worst, x_r = xbar + rho (xbar - x_h) and the like).

Problem 2: the Nelder-Mead simplex method exactly as scipy's default (statement, "Problem 2").

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
    x0 = np.array(x0, dtype=np.float64).ravel()
    n = x0.size
    rho, chi, psi, sigma = 1.0, 2.0, 0.5, 0.5
    if initial_simplex is None:
        sim = np.empty((n + 1, n))
        sim[0] = x0
        for k in range(n):
            y = x0.copy()
            y[k] = 1.05 * y[k] if y[k] != 0 else 0.00025
            sim[k + 1] = y
    else:
        sim = np.array(initial_simplex, dtype=np.float64)
        if sim.shape != (n + 1, n):
            raise ValueError(f"initial_simplex must have shape ({n + 1}, {n})")
    if max_fev is None and max_iter is None:
        max_fev = max_iter = 200 * n
    max_fev = np.inf if max_fev is None else max_fev
    max_iter = np.inf if max_iter is None else max_iter
    if max_fev < n + 1:
        raise ValueError(f"max_fev must be at least n + 1 = {n + 1}")

    class _OutOfBudget(Exception):
        """The next evaluation would exceed max_fev: the iteration is abandoned."""

    n_fev = 0

    def evaluate(x):
        nonlocal n_fev
        if n_fev >= max_fev:
            raise _OutOfBudget
        n_fev += 1
        return float(f(x))

    fsim = np.array([evaluate(v) for v in sim])
    order = np.argsort(fsim, kind="stable")
    sim, fsim = sim[order], fsim[order]
    best = [sim[0].copy()]
    n_iter = 0
    while n_fev < max_fev and n_iter < max_iter:
        if np.max(np.abs(sim[1:] - sim[0])) <= xatol and np.max(np.abs(fsim[1:] - fsim[0])) <= fatol:
            break
        new_sim, new_fsim = sim.copy(), fsim.copy()
        try:
            xbar = (sim.sum(axis=0) - sim[-1]) / n
            xr = xbar + rho * (xbar - sim[-1])
            fr = evaluate(xr)
            if fr < fsim[0]:
                xe = xbar + chi * (xr - xbar)
                fe = evaluate(xe)
                new_sim[-1], new_fsim[-1] = (xe, fe) if fe < fr else (xr, fr)
            elif fr < fsim[-2]:
                new_sim[-1], new_fsim[-1] = xr, fr
            else:
                shrink = False
                if fr < fsim[-1]:
                    xc = xbar + psi * (xr - xbar)
                    fc = evaluate(xc)
                    if fc <= fr:
                        new_sim[-1], new_fsim[-1] = xc, fc
                    else:
                        shrink = True
                else:
                    xcc = xbar + psi * (sim[-1] - xbar)
                    fcc = evaluate(xcc)
                    if fcc < fsim[-1]:
                        new_sim[-1], new_fsim[-1] = xcc, fcc
                    else:
                        shrink = True
                if shrink:
                    for j in range(1, n + 1):
                        new_sim[j] = sim[0] + sigma * (sim[j] - sim[0])
                        new_fsim[j] = evaluate(new_sim[j])
        except _OutOfBudget:
            break
        order = np.argsort(new_fsim, kind="stable")
        sim, fsim = new_sim[order], new_fsim[order]
        n_iter += 1
        best.append(sim[0].copy())
    return sim[0].copy(), float(fsim[0]), np.array(best), int(n_fev)
