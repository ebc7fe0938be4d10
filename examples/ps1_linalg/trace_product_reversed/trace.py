# trace_of_product rotates the chain to its smallest dimension, then means to multiply from right to
# left but writes `product @ a` instead of `a @ product`: it computes the reversed product A_k ... A_1,
# which is not a cyclic rotation. Right for one or two factors; for three or more the value is wrong
# (square factors) or the shapes do not match (rectangular ones).
"""Trace identities."""

import sympy

n = sympy.Symbol("n", positive=True, integer=True)
QUADRATIC_FORM_SUM = n  # tr(S^-1 S) = tr(I) = n


def trace_inner(A, B):
    if A.ndim != 2 or B.ndim != 2 or tuple(A.shape) != tuple(B.shape):
        raise ValueError("A and B must be matrices of the same shape")
    return float((A * B).sum())


def trace_of_product(mats):
    mats = list(mats)
    if not mats or any(a.ndim != 2 for a in mats):
        raise ValueError("need a non-empty list of matrices")
    k = len(mats)
    for i in range(k):
        if mats[i].shape[1] != mats[(i + 1) % k].shape[0]:
            raise ValueError("the shapes do not chain into a square product")
    start = min(range(k), key=lambda i: mats[i].shape[0])
    rotated = mats[start:] + mats[:start]
    product = rotated[-1]
    for a in reversed(rotated[:-1]):
        product = product @ a  # meant: a @ product
    return float(product.diagonal().sum())
