"""The given problem: a quadratic whose gradients are counted."""

import numpy as np


class Quadratic:
    """f(x) = 1/2 sum_i d_i x_i^2; ``calls`` counts ``grad``."""

    def __init__(self, n: int, seed: int = 0):
        self.n = n
        self.d = np.random.default_rng(seed).uniform(1.0, 2.0, n)
        self.calls = 0

    def grad(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape != (self.n,):
            raise ValueError(f"x must have shape ({self.n},)")
        self.calls += 1
        return self.d * x
