"""Sample: damped Newton with H + delta I instead of flipping negative eigenvalues.

Problem 3: Newton's method, pure and damped, and the type of a critical point (statement,
"Problem 3").

Pure Newton goes wherever the quadratic model points, maxima and saddles included; the damped
version makes the Hessian positive definite and backtracks until the Armijo condition holds.
"""

from __future__ import annotations

import numpy as np


def newton(f, x0, n_steps: int) -> np.ndarray:
    """Pure Newton: x_{k+1} = x_k - H(x_k)^{-1} grad(x_k), with H^{-1} g computed by a linear solve.

    Exactly n_steps calls of ``f.grad`` and of ``f.hess``, none of ``f``. A singular Hessian raises
    numpy.linalg.LinAlgError. Returns the iterates, float64 of shape (n_steps + 1, f.n), row 0 = x0.
    """
    x = np.array(x0, dtype=np.float64)
    out = np.empty((n_steps + 1, x.size))
    out[0] = x
    for k in range(n_steps):
        g = np.asarray(f.grad(x), dtype=np.float64)
        H = np.asarray(f.hess(x), dtype=np.float64)
        x = x - np.linalg.solve(H, g)
        out[k + 1] = x
    return out


def damped_newton(f, x0, n_steps: int, *, delta: float = 1e-8, c: float = 1e-4, beta: float = 0.5,
                  gtol: float = 1e-6) -> np.ndarray:
    """Damped Newton with eigenvalue modification and Armijo backtracking (statement, "Damped Newton").

    Each step: g = f.grad(x); stop if ||g|| <= gtol; H = f.hess(x) = Q diag(lam) Q^T;
    d = -Q diag(1 / max(|lam|, delta)) Q^T g; t = 1, beta, beta^2, ... until
    f(x + t d) <= f(x) + c t g^T d; x <- x + t d. f(x0) is evaluated once, at the first step; later
    values f(x_k) are the accepted trial values, never evaluated again.

    Returns the iterates, float64 of shape (k + 1, f.n), row 0 = x0, where k <= n_steps is the number
    of steps taken.
    """
    x = np.array(x0, dtype=np.float64)
    out = [x.copy()]
    fx = None
    for _ in range(n_steps):
        g = np.asarray(f.grad(x), dtype=np.float64)
        if np.linalg.norm(g) <= gtol:
            break
        H = np.asarray(f.hess(x), dtype=np.float64)
        d = -np.linalg.solve(H + delta * np.eye(len(g)), g)  # shift only: still indefinite
        if fx is None:
            fx = float(f(x))
        slope = float(g @ d)
        t = 1.0
        while True:
            trial = x + t * d
            f_trial = float(f(trial))
            if f_trial <= fx + c * t * slope or t < 1e-12:
                break
            t *= beta
        x, fx = trial, f_trial
        out.append(x.copy())
    return np.array(out)


def classify_critical_point(H, tol: float = 1e-8) -> str:
    """The type of a critical point from its (symmetric) Hessian H, by the eigenvalues lam of H:
    "minimum" if all lam > tol, "maximum" if all lam < -tol, "saddle" if some lam > tol and some
    lam < -tol, "degenerate" otherwise. Works in any dimension n >= 1.
    """
    H = np.asarray(H, dtype=np.float64)
    lam = np.linalg.eigvalsh(0.5 * (H + H.T))
    if np.all(lam > tol):
        return "minimum"
    if np.all(lam < -tol):
        return "maximum"
    if np.any(lam > tol) and np.any(lam < -tol):
        return "saddle"
    return "degenerate"
