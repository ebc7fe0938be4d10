# A correct rates.py written differently from the reference: root test first (ratio test as the
# fallback), floats made exact with xreplace, sympy.simplify, and median / least-squares tail
# estimators: full marks.
"""Rates of convergence."""

import numpy as np
import sympy

CLASSES = ("divergent", "sublinear", "linear", "superlinear", "quadratic")


def _exact_abs(r, k):
    r = r.xreplace({f: sympy.Rational(str(f)) for f in r.atoms(sympy.Float)})
    return sympy.Abs(r)


def _lim(expr, k):
    return sympy.limit(sympy.simplify(expr), k, sympy.oo)


def _definite(value):
    return (isinstance(value, sympy.Basic) and value.is_number and value.is_extended_real is True
            and not isinstance(value, sympy.AccumBounds))


def linear_constant(r, k):
    a = _exact_abs(r, k)
    try:
        q = _lim(sympy.root(a, k), k)
        if _definite(q) and q.is_finite:
            return q
    except NotImplementedError:
        pass
    return _lim(a.subs(k, k + 1) / a, k)


def classify_rate(r, k):
    a = _exact_abs(r, k)
    if _lim(a, k) != 0:
        return "divergent"
    q = linear_constant(r, k)
    if q == 1:
        return "sublinear"
    if q != 0:
        return "linear"
    bound = _lim(a.subs(k, k + 1) / a**2, k)
    return "superlinear" if bound == sympy.oo else "quadratic"


def _tail(x):
    return x[len(x) // 2:]


def root_test(seq):
    logs = np.log(np.asarray(seq, dtype=float))
    k = np.arange(1, len(logs) + 1)
    slope = np.polyfit(_tail(k), _tail(logs), 1)[0]
    return float(np.exp(slope))


def ratio_test(seq):
    steps = np.diff(np.log(np.asarray(seq, dtype=float)))
    return float(np.exp(np.median(_tail(steps))))


def convergence_order(seq):
    logs = np.log(np.asarray(seq, dtype=float))
    return float(np.polyfit(_tail(logs[:-1]), _tail(logs[1:]), 1)[0])
