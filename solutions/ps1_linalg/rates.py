"""Problem 4 — rates of convergence.

Two halves (see README.md for the definitions, worked examples and tolerances):

- exact: ``classify_rate(r, k)`` and ``linear_constant(r, k)`` take a sympy expression ``r`` in the
  symbol ``k`` (the checks use ``sympy.Symbol("k", positive=True, integer=True)``) and decide with
  sympy limits how fast the sequence r_k, k = 1, 2, ..., goes to 0;
- numerical: ``root_test(seq)``, ``ratio_test(seq)`` and ``convergence_order(seq)`` estimate the
  linear convergence constant q and the order p from finitely many terms, given as a 1-D numpy
  array of positive floats with ``seq[j]`` = r_{j+1} (k starts at 1).

Everything is judged on |r_k|: a sequence converges when r_k -> 0, whatever the signs of its terms.
"""

from __future__ import annotations

import numpy as np
import sympy

#: The answers ``classify_rate`` may give, from the slowest to the fastest.
CLASSES = ("divergent", "sublinear", "linear", "superlinear", "quadratic")


def classify_rate(r, k) -> str:
    """How fast the sequence r_k (k = 1, 2, ...) tends to 0: the strongest class that holds.

    Args:
        r: a sympy expression in ``k``, e.g. ``4 / 3**k`` or ``sympy.Float(0.707)**(2**k)``.
        k: the sympy Symbol of the index.

    Returns:
        One of the strings of ``CLASSES``, judged on |r_k|:

        - ``"divergent"``: |r_k| does not tend to 0;
        - ``"sublinear"``: r_k -> 0, but slower than every linear sequence (q = 1);
        - ``"linear"``: |r_k| <= C q^k with 0 < q < 1 and no smaller q works for all C;
        - ``"superlinear"``: faster than every linear sequence (q = 0), but not quadratic;
        - ``"quadratic"``: |r_{k+1}| <= C |r_k|^2 for some C and all large k (order at least 2).

    Examples:
        >>> k = sympy.Symbol("k", positive=True, integer=True)
        >>> classify_rate(4 / 3**k, k), classify_rate(1 / k**10, k), classify_rate(3**(-k**2), k)
        ('linear', 'sublinear', 'superlinear')
    """
    # BEGIN SOLUTION
    a = _absolute_sequence(r, k)
    q = _q_of(a)
    if q > 1:
        return "divergent"
    if q == 1:
        tends_to_zero = _limit_bounds(a) == (0, 0)
        return "sublinear" if tends_to_zero else "divergent"
    if q > 0:
        return "linear"
    # q = 0: superlinear; quadratic when r_{k+1} / r_k^2 stays bounded.
    bounds = _limit_bounds(_simplified(a.subs(_N, _N + 1) / a**2))
    if bounds is None:
        raise ValueError(f"sympy cannot decide whether {r} converges quadratically")
    return "quadratic" if bounds[1] is not sympy.oo else "superlinear"
    # END SOLUTION


def linear_constant(r, k):
    """The linear convergence constant q of a sequence r_k -> 0, as an exact sympy value.

    q = limsup |r_k|^(1/k) (root test), which equals lim |r_{k+1} / r_k| (ratio test) whenever that
    limit exists: 0 < q < 1 for linear sequences, q = 0 for superlinear (and quadratic) ones, q = 1
    for sublinear ones.

    Args:
        r: a sympy expression in ``k`` with r_k -> 0.
        k: the sympy Symbol of the index.

    Returns:
        q as a sympy expression (e.g. ``sympy.Rational(1, 3)``, ``sympy.exp(-1)``, ``0``); a Python
        int or float is accepted too.

    Example:
        >>> k = sympy.Symbol("k", positive=True, integer=True)
        >>> linear_constant(4 / 3**k, k)
        1/3
    """
    # BEGIN SOLUTION
    return _q_of(_absolute_sequence(r, k))
    # END SOLUTION


def root_test(seq) -> float:
    """Estimate q = limsup r_k^(1/k) from the terms ``seq[j]`` = r_{j+1}, j = 0, ..., N - 1.

    Args:
        seq: a 1-D numpy array of N positive floats, long enough for a tail estimate.

    Returns:
        The estimate of q as a Python float (see README.md for the tolerance).
    """
    # BEGIN SOLUTION
    seq = np.asarray(seq, dtype=np.float64)
    # The root test at the last term, computed in logarithms (r_N^(1/N) may underflow otherwise).
    return float(np.exp(np.log(seq[-1]) / len(seq)))
    # END SOLUTION


def ratio_test(seq) -> float:
    """Estimate q = lim r_{k+1} / r_k from the terms ``seq[j]`` = r_{j+1}, j = 0, ..., N - 1.

    Args:
        seq: a 1-D numpy array of N >= 2 positive floats, long enough for a tail estimate.

    Returns:
        The estimate of q as a Python float (see README.md for the tolerance).
    """
    # BEGIN SOLUTION
    seq = np.asarray(seq, dtype=np.float64)
    return float(seq[-1] / seq[-2])
    # END SOLUTION


def convergence_order(seq) -> float:
    """Estimate the order p (r_{k+1} ~ C r_k^p) from the terms ``seq[j]`` = r_{j+1}.

    Args:
        seq: a 1-D numpy array of N >= 3 positive floats tending to 0, long enough for a tail
            estimate.

    Returns:
        The estimate of p as a Python float: about 1 for linear sequences, 2 for quadratic ones
        (see README.md for the tolerance).
    """
    # BEGIN SOLUTION
    logs = np.log(np.asarray(seq, dtype=np.float64))
    # log(r_{k+1} / r_k) ~ p log(r_k / r_{k-1}) when r_{k+1} ~ C r_k^p: the last two steps.
    steps = np.diff(logs)
    return float(steps[-1] / steps[-2])
    # END SOLUTION


# BEGIN SOLUTION: # (add helper functions here if you need them)
# The index as the reference uses it: a positive integer, so that Abs((-1)**n) is 1.
_N = sympy.Symbol("n", positive=True, integer=True)


def _absolute_sequence(r, k) -> sympy.Expr:
    """|r_k| in the private index ``_N``, with floats made exact (0.707 -> 707/1000) so that the
    limits are exact too."""
    expr = sympy.sympify(r).subs(k, _N)
    return sympy.Abs(sympy.nsimplify(expr, rational=True))


def _simplified(expr: sympy.Expr) -> sympy.Expr:
    """Cancel powers and factorials (a limit of factorial(n) / factorial(n + 1) takes seconds, of
    1 / (n + 1) no time)."""
    return sympy.gammasimp(sympy.powsimp(expr))


def _limit_bounds(expr: sympy.Expr):
    """``(low, high)`` bounds of the limit points of ``expr`` as n -> oo: equal when the limit
    exists, the ends of sympy's AccumBounds when it does not; None when sympy cannot tell."""
    try:
        value = sympy.limit(expr, _N, sympy.oo)
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if isinstance(value, sympy.AccumBounds):
        return value.min, value.max
    if value.has(sympy.Limit, sympy.nan, sympy.zoo, sympy.AccumBounds) or not value.is_extended_real:
        return None
    return value, value


def _q_of(a: sympy.Expr) -> sympy.Expr:
    """The root-test constant limsup a_n^(1/n) of a positive sequence: the ratio test's limit when
    it exists (it is easier for sympy, e.g. with factorials), the root test's otherwise."""
    bounds = _limit_bounds(_simplified(a.subs(_N, _N + 1) / a))
    if bounds is not None and bounds[0] == bounds[1]:
        return bounds[0]
    bounds = _limit_bounds(_simplified(a ** (1 / _N)))
    if bounds is None or bounds[0] != bounds[1]:
        raise ValueError(f"sympy cannot find the linear convergence constant of {a}")
    return bounds[0]
# END SOLUTION
