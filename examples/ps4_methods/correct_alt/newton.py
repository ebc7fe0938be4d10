"""Sample: a correct newton.py written differently from the reference (inv(H) @ g, the modified
Hessian formed and solved, the backtracking as a for loop over the powers of beta, the
classification by counting eigenvalue signs with numpy.linalg.eigvals).
"""

import numpy as np


def newton(f, x0, n_steps):
    xs = [np.array(x0, dtype=float)]
    for _ in range(n_steps):
        x = xs[-1]
        H = f.hess(x)
        if abs(np.linalg.det(H)) == 0.0:
            raise np.linalg.LinAlgError("singular Hessian")
        xs.append(x - np.linalg.inv(H) @ f.grad(x))
    return np.vstack(xs)


def damped_newton(f, x0, n_steps, *, delta=1e-8, c=1e-4, beta=0.5, gtol=1e-6):
    x = np.array(x0, dtype=float)
    xs, fx = [x], None
    for _ in range(n_steps):
        g = f.grad(x)
        if np.sqrt(g @ g) <= gtol:
            break
        lam, Q = np.linalg.eigh(f.hess(x))
        H_mod = Q @ np.diag(np.maximum(np.abs(lam), delta)) @ Q.T
        d = -np.linalg.solve(H_mod, g)
        fx = f(x) if fx is None else fx
        for k in range(200):
            t = beta**k
            f_trial = f(x + t * d)
            if f_trial <= fx + c * t * (g @ d):
                break
        x, fx = x + t * d, f_trial
        xs.append(x)
    return np.array(xs)


def classify_critical_point(H, tol=1e-8):
    lam = np.real(np.linalg.eigvals((np.asarray(H, float) + np.asarray(H, float).T) / 2))
    pos, neg = int(np.sum(lam > tol)), int(np.sum(lam < -tol))
    if pos == len(lam):
        return "minimum"
    if neg == len(lam):
        return "maximum"
    if pos and neg:
        return "saddle"
    return "degenerate"
