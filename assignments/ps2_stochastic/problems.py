"""The finite-sum test problem of problem set 2: strongly convex binary logistic regression.

Given to you as it is: do not change it (grading uses this original). Your methods reach the problem
only through ``grad_i`` and ``grad``, which count how many component gradients you evaluate.

    f(x) = mu/2 ||x||^2 + 1/m sum_i log(1 + exp(-y_i <a_i, x>)) = 1/m sum_i f_i(x),
    f_i(x) = log(1 + exp(-y_i <a_i, x>)) + mu/2 ||x||^2.
"""

from __future__ import annotations

import operator

import numpy as np


def _sigmoid(z):
    """1 / (1 + exp(-z)) without overflow for any z."""
    return np.exp(-np.logaddexp(0.0, -z))


class FiniteSumLogistic:
    """f(x) = (1/m) sum_i f_i(x) on synthetic data made by numpy from ``seed``.

    Attributes: ``m`` (number of components), ``n`` (dimension), ``mu`` (strong convexity), ``A``
    (m x n, row i is a_i), ``y`` (m labels in {-1, +1}), ``L`` (smoothness constant of f), ``L_max``
    (largest smoothness constant of the f_i), ``x_star`` (the minimiser, to ~1e-12), ``f_star``
    (f(x_star)) and ``calls`` (component gradients evaluated so far: ``grad_i`` adds 1, ``grad``
    adds m; ``f`` adds nothing). ``reset_calls()`` sets ``calls`` back to 0.
    """

    def __init__(self, m: int = 200, n: int = 10, mu: float = 0.1, seed: int = 0):
        m, n = operator.index(m), operator.index(n)
        if m < 1 or n < 1 or not mu > 0:
            raise ValueError("FiniteSumLogistic needs m >= 1, n >= 1 and mu > 0")
        rng = np.random.default_rng(seed)
        # Features: Gaussian, with column scales from 1 down to 0.3 (some directions matter more),
        # each row then rescaled to a norm between sqrt(n)/2 and sqrt(n) (so the L_i differ, and
        # L_max / mu is about 26 at the defaults). Labels: a noisy linear rule, so not separable.
        A = rng.standard_normal((m, n)) * np.linspace(1.0, 0.3, n)
        A *= (np.sqrt(n) * rng.uniform(0.5, 1.0, size=(m, 1))) / np.linalg.norm(A, axis=1, keepdims=True)
        w = rng.standard_normal(n)
        y = np.where(A @ w + 0.5 * np.sqrt(n) * rng.standard_normal(m) >= 0.0, 1.0, -1.0)
        A.setflags(write=False)
        y.setflags(write=False)
        self.m, self.n, self.mu = m, n, float(mu)
        self.A, self.y = A, y
        self.L = float(self.mu + np.linalg.eigvalsh(A.T @ A)[-1] / (4.0 * m))
        self.L_max = float(self.mu + np.max(np.sum(A * A, axis=1)) / 4.0)
        self.calls = 0
        self.x_star = self._solve()
        self.x_star.setflags(write=False)
        self.f_star = self.f(self.x_star)

    # ---------------------------------------------------------------- the oracle students use

    def f(self, x) -> float:
        """f(x) (not counted)."""
        x = self._point(x)
        margins = self.y * (self.A @ x)
        return float(np.mean(np.logaddexp(0.0, -margins)) + 0.5 * self.mu * (x @ x))

    def grad(self, x) -> np.ndarray:
        """The full gradient of f at x; counts m component gradients."""
        x = self._point(x)
        self.calls += self.m
        return self._full_gradient(x)

    def grad_i(self, x, i) -> np.ndarray:
        """The gradient of f_i at x (a new array); counts 1."""
        x = self._point(x)
        i = operator.index(i)
        if not 0 <= i < self.m:
            raise IndexError(f"component index {i} is out of range for m = {self.m}")
        self.calls += 1
        a, y = self.A[i], self.y[i]
        return -y * _sigmoid(-y * (a @ x)) * a + self.mu * x

    def reset_calls(self) -> None:
        """Set the counter ``calls`` back to 0."""
        self.calls = 0

    # ---------------------------------------------------------------- internals (not counted)

    def _point(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.n,):
            raise ValueError(f"x must have shape ({self.n},); got {x.shape}")
        return x

    def _full_gradient(self, x: np.ndarray) -> np.ndarray:
        margins = self.y * (self.A @ x)
        return -(self.A.T @ (self.y * _sigmoid(-margins))) / self.m + self.mu * x

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        s = _sigmoid(self.y * (self.A @ x))
        weights = s * (1.0 - s) / self.m
        return (self.A.T * weights) @ self.A + self.mu * np.eye(self.n)

    def _solve(self) -> np.ndarray:
        """Newton's method with backtracking from 0, to ||grad f|| < 1e-12."""
        x = np.zeros(self.n)
        for _ in range(100):
            g = self._full_gradient(x)
            if np.linalg.norm(g) < 1e-12:
                break
            step = np.linalg.solve(self._hessian(x), g)
            t, fx = 1.0, self.f(x)
            while self.f(x - t * step) > fx - 0.25 * t * (g @ step) and t > 1e-10:
                t *= 0.5
            x = x - t * step
        return x

    def __repr__(self) -> str:
        return f"FiniteSumLogistic(m={self.m}, n={self.n}, mu={self.mu:g})"
