# The textbook formulas taken literally: <A, B> as the trace of A^T B, and tr(A_1 ... A_k) as the trace
# of the product in the given order. The values are right, but a 2 x N pair makes A^T B an N x N
# matrix, and an N x 2 times 2 x N chain an N x N product: both run out of memory on large N.
"""Trace identities."""

from functools import reduce

import sympy

n = sympy.Symbol("n", positive=True, integer=True)
QUADRATIC_FORM_SUM = n  # tr(S^-1 S) = tr(I) = n


def trace_inner(A, B):
    if A.ndim != 2 or B.ndim != 2 or tuple(A.shape) != tuple(B.shape):
        raise ValueError("A and B must be matrices of the same shape")
    return float((A.T @ B).diagonal().sum())


def trace_of_product(mats):
    mats = list(mats)
    if not mats or any(a.ndim != 2 for a in mats):
        raise ValueError("need a non-empty list of matrices")
    for a, b in zip(mats, mats[1:] + mats[:1], strict=True):
        if a.shape[1] != b.shape[0]:
            raise ValueError("the shapes do not chain into a square product")
    return float(reduce(lambda x, y: x @ y, mats).diagonal().sum())
