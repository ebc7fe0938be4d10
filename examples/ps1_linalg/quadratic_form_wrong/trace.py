# QUADRATIC_FORM_SUM = n**2, as if tr(S^-1 S) were n tr(I) instead of tr(I) = n. The public check
# (an expression in n alone) passes, the hidden one (its value) fails; everything else is right.
"""Trace identities."""

import sympy

n = sympy.Symbol("n", positive=True, integer=True)
QUADRATIC_FORM_SUM = n**2


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
        product = a @ product
    return float(product.diagonal().sum())
