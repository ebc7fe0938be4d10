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
    raise NotImplementedError('classify_rate: not implemented yet. See README.md (ps1_linalg).')


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
    raise NotImplementedError('linear_constant: not implemented yet. See README.md (ps1_linalg).')


def root_test(seq) -> float:
    """Estimate q = limsup r_k^(1/k) from the terms ``seq[j]`` = r_{j+1}, j = 0, ..., N - 1.

    Args:
        seq: a 1-D numpy array of N positive floats, long enough for a tail estimate.

    Returns:
        The estimate of q as a Python float (see README.md for the tolerance).
    """
    raise NotImplementedError('root_test: not implemented yet. See README.md (ps1_linalg).')


def ratio_test(seq) -> float:
    """Estimate q = lim r_{k+1} / r_k from the terms ``seq[j]`` = r_{j+1}, j = 0, ..., N - 1.

    Args:
        seq: a 1-D numpy array of N >= 2 positive floats, long enough for a tail estimate.

    Returns:
        The estimate of q as a Python float (see README.md for the tolerance).
    """
    raise NotImplementedError('ratio_test: not implemented yet. See README.md (ps1_linalg).')


def convergence_order(seq) -> float:
    """Estimate the order p (r_{k+1} ~ C r_k^p) from the terms ``seq[j]`` = r_{j+1}.

    Args:
        seq: a 1-D numpy array of N >= 3 positive floats tending to 0, long enough for a tail
            estimate.

    Returns:
        The estimate of p as a Python float: about 1 for linear sequences, 2 for quadratic ones
        (see README.md for the tolerance).
    """
    raise NotImplementedError('convergence_order: not implemented yet. See README.md (ps1_linalg).')


# (add helper functions here if you need them)
