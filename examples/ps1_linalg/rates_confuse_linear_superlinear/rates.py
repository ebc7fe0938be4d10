# classify_rate calls every ratio limit q < 1 superlinear (the linear class is never returned);
# everything else is right.
"""Rates of convergence."""

import numpy as np
import sympy

CLASSES = ("divergent", "sublinear", "linear", "superlinear", "quadratic")
_N = sympy.Symbol("n", positive=True, integer=True)


def _abs(r, k):
    return sympy.Abs(sympy.nsimplify(sympy.sympify(r).subs(k, _N), rational=True))


def _limit(expr):
    """(low, high) bounds of the limit points, or None."""
    try:
        value = sympy.limit(sympy.gammasimp(sympy.powsimp(expr)), _N, sympy.oo)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if isinstance(value, sympy.AccumBounds):
        return value.min, value.max
    if value.has(sympy.Limit, sympy.nan, sympy.zoo) or not value.is_extended_real:
        return None
    return value, value


def _q(a):
    bounds = _limit(a.subs(_N, _N + 1) / a)
    if bounds is None or bounds[0] != bounds[1]:
        bounds = _limit(a ** (1 / _N))
    return bounds[0]


def linear_constant(r, k):
    return _q(_abs(r, k))


def classify_rate(r, k):
    a = _abs(r, k)
    q = _q(a)
    if q > 1:
        return "divergent"
    if q == 1:
        return "sublinear" if _limit(a) == (0, 0) else "divergent"
    # Wrong: a ratio below 1 means linear unless it is 0.
    bounds = _limit(a.subs(_N, _N + 1) / a**2)
    return "quadratic" if bounds is not None and bounds[1] is not sympy.oo else "superlinear"


def root_test(seq):
    seq = np.asarray(seq, dtype=float)
    return float(np.exp(np.log(seq[-1]) / len(seq)))


def ratio_test(seq):
    return float(seq[-1] / seq[-2])


def convergence_order(seq):
    steps = np.diff(np.log(np.asarray(seq, dtype=float)))
    return float(steps[-1] / steps[-2])
