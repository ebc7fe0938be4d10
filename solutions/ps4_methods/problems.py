"""The test functions of problem set 4, each a counted oracle: f(x), f.grad(x), f.hess(x).

Given to you as it is: do not change it (grading uses this original, in the grader's own process).
Your methods reach a function only through its oracle interface and read nothing else from it but
the attribute ``n``:

    f(x)         the value at x (a float); counts one in ``f.evaluations``
    f.grad(x)    the gradient (a new array of shape (n,)); counts one in ``f.gradients``
    f.hess(x)    the Hessian (a new array of shape (n, n)); counts one in ``f.hessians``
    f.n          the dimension

When grading, the function your code receives is a stand-in whose calls run in the grader and come
back as plain data; the grader reads the counters there, so a budget means calls, whatever your code
does. Points are 1-D float64 arrays of shape (n,).
"""

from __future__ import annotations

import operator

import numpy as np


class CountedFunction:
    """Base class: counts the calls of ``__call__``, ``grad`` and ``hess``; subclasses define
    ``_f``, ``_grad`` and ``_hess`` on a validated float64 point."""

    n: int

    def __init__(self, n: int):
        self.n = operator.index(n)
        self.reset_counts()

    def __call__(self, x) -> float:
        x = self._point(x)
        self.evaluations += 1
        return float(self._f(x))

    def grad(self, x) -> np.ndarray:
        x = self._point(x)
        self.gradients += 1
        return np.array(self._grad(x), dtype=np.float64)

    def hess(self, x) -> np.ndarray:
        x = self._point(x)
        self.hessians += 1
        return np.array(self._hess(x), dtype=np.float64)

    def reset_counts(self) -> None:
        """Set ``evaluations``, ``gradients`` and ``hessians`` back to 0."""
        self.evaluations = 0
        self.gradients = 0
        self.hessians = 0

    def _point(self, x) -> np.ndarray:
        x = np.array(x, dtype=np.float64)
        if x.shape != (self.n,):
            raise ValueError(f"x must have shape ({self.n},); got {x.shape}")
        return x

    def _f(self, x):
        raise NotImplementedError

    def _grad(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no gradient oracle")

    def _hess(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no Hessian oracle")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n})"


class MDSProblem(CountedFunction):
    """Metric MDS: place N points in R^p so that their distances match ``D`` (N x N).

    The variable is the embedding X (N x p) flattened row by row: x = X.ravel(), n = N * p, and
    f(x) = sum over pairs i < j of (||x_i - x_j|| - D_ij)^2 (each unordered pair once).
    The gradient is computed by complex-step differentiation (one complex evaluation of f per
    coordinate): accurate to rounding wherever no two points coincide, and no help in writing
    ``mds.stress_grad``, whose closed form is yours to derive. No Hessian.
    """

    def __init__(self, D, p: int = 2):
        D = np.array(D, dtype=np.float64)
        if D.ndim != 2 or D.shape[0] != D.shape[1]:
            raise ValueError("D must be a square matrix")
        self.N, self.p = D.shape[0], operator.index(p)
        D.setflags(write=False)
        self.D = D
        super().__init__(self.N * self.p)

    def _stress(self, x):
        """Stress of one flattened embedding (..., n), real or complex: sums over the last axes."""
        X = x.reshape(x.shape[:-1] + (self.N, self.p))
        i, j = np.triu_indices(self.N, 1)
        diff = X[..., i, :] - X[..., j, :]
        return np.sum((np.sqrt(np.sum(diff * diff, axis=-1)) - self.D[i, j]) ** 2, axis=-1)

    def _f(self, x):
        return self._stress(x)

    def _grad(self, x):
        h = 1e-30
        Z = np.tile(x.astype(np.complex128), (self.n, 1))
        Z[np.arange(self.n), np.arange(self.n)] += 1j * h
        return self._stress(Z).imag / h

    def __repr__(self) -> str:
        return f"MDSProblem(N={self.N}, p={self.p})"


class CosineBumps(CountedFunction):
    """f(x, y) = cos x + cos y on R^2: a maximum at (0, 0), a minimum at (pi, pi), saddles at
    (0, pi) and (pi, 0), and their copies shifted by multiples of 2 pi."""

    def __init__(self):
        super().__init__(2)

    def _f(self, x):
        return np.cos(x[0]) + np.cos(x[1])

    def _grad(self, x):
        return -np.sin(x)

    def _hess(self, x):
        return np.diag(-np.cos(x))


class Rosenbrock(CountedFunction):
    """f(x) = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; minimum 0 at (1, ..., 1)."""

    def __init__(self, n: int = 2):
        super().__init__(n)
        if self.n < 2:
            raise ValueError("Rosenbrock needs n >= 2")

    def _f(self, x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    def _grad(self, x):
        g = np.zeros(self.n)
        t = x[1:] - x[:-1] ** 2
        g[:-1] += -400.0 * x[:-1] * t - 2.0 * (1.0 - x[:-1])
        g[1:] += 200.0 * t
        return g

    def _hess(self, x):
        H = np.zeros((self.n, self.n))
        i = np.arange(self.n - 1)
        H[i, i] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
        H[i + 1, i + 1] += 200.0
        H[i, i + 1] = H[i + 1, i] = -400.0 * x[:-1]
        return H


class BergerEntropy(CountedFunction):
    """scipy's Nelder-Mead test function (scipy/optimize/tests/test_optimize.py, ``CheckOptimize``):
    f(x) = log(sum_k exp((F x)_k)) - <K, x> with the fixed F (5 x 3) and K below; minimum near
    (0, -0.524869316, 0.487525860)."""

    F = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 1], [1, 0, 0], [1, 0, 0]], dtype=np.float64)
    K = np.array([1.0, 0.3, 0.5])

    def __init__(self):
        super().__init__(3)

    def _f(self, x):
        log_pdot = self.F @ x
        return np.log(np.sum(np.exp(log_pdot))) - self.K @ x

    def _grad(self, x):
        log_pdot = self.F @ x
        p = np.exp(log_pdot - np.log(np.sum(np.exp(log_pdot))))
        return self.F.T @ p - self.K


class Quartic(CountedFunction):
    """A smooth, coercive, generic function on R^n made by numpy from ``seed``:
    f(x) = sum_i a_i (x_i - c_i)^4 + 1/2 (x - c)^T M (x - c) + <b, x>, with a_i > 0 and M positive
    definite; no two points a method visits have the same value except by chance."""

    def __init__(self, n: int = 3, seed: int = 0):
        super().__init__(n)
        if self.n < 1:
            raise ValueError("Quartic needs n >= 1")
        rng = np.random.default_rng(seed)
        self.a = rng.uniform(0.5, 2.0, self.n)
        self.c = rng.uniform(-1.0, 1.0, self.n)
        G = rng.standard_normal((self.n, self.n))
        self.M = G @ G.T / self.n + 0.5 * np.eye(self.n)
        self.b = rng.uniform(-1.0, 1.0, self.n)

    def _f(self, x):
        y = x - self.c
        return np.sum(self.a * y**4) + 0.5 * y @ self.M @ y + self.b @ x

    def _grad(self, x):
        y = x - self.c
        return 4.0 * self.a * y**3 + self.M @ y + self.b

    def _hess(self, x):
        y = x - self.c
        return np.diag(12.0 * self.a * y**2) + self.M


class Logistic(CountedFunction):
    """Problem set 2's strongly convex logistic regression with full gradient and Hessian:
    f(x) = mu/2 ||x||^2 + 1/m sum_i log(1 + exp(-y_i <a_i, x>)), data made by numpy from ``seed``."""

    def __init__(self, m: int = 200, n: int = 10, mu: float = 0.1, seed: int = 0):
        super().__init__(n)
        m = operator.index(m)
        if m < 1 or self.n < 1 or not mu > 0:
            raise ValueError("Logistic needs m >= 1, n >= 1 and mu > 0")
        rng = np.random.default_rng(seed)
        A = rng.standard_normal((m, self.n)) * np.linspace(1.0, 0.3, self.n)
        A *= (np.sqrt(self.n) * rng.uniform(0.5, 1.0, size=(m, 1))) / np.linalg.norm(A, axis=1, keepdims=True)
        w = rng.standard_normal(self.n)
        self.y = np.where(A @ w + 0.5 * np.sqrt(self.n) * rng.standard_normal(m) >= 0.0, 1.0, -1.0)
        self.A, self.m, self.mu = A, m, float(mu)

    def _sigmoid(self, z):
        return np.exp(-np.logaddexp(0.0, -z))

    def _f(self, x):
        margins = self.y * (self.A @ x)
        return np.mean(np.logaddexp(0.0, -margins)) + 0.5 * self.mu * (x @ x)

    def _grad(self, x):
        margins = self.y * (self.A @ x)
        return -(self.A.T @ (self.y * self._sigmoid(-margins))) / self.m + self.mu * x

    def _hess(self, x):
        s = self._sigmoid(self.y * (self.A @ x))
        return (self.A.T * (s * (1.0 - s) / self.m)) @ self.A + self.mu * np.eye(self.n)
