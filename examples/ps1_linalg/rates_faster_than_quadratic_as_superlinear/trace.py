# A correct solution written differently from the reference: einsum / elementwise sums that return
# numpy scalars or 0-d tensors, the chain rotated to its smallest dimension and multiplied left to
# right, and the answer to task 3 as an unevaluated trace with a symbol n of its own. Full marks.
"""Trace identities."""

import numpy as np
import sympy

n = sympy.Symbol("n", positive=True, integer=True)
QUADRATIC_FORM_SUM = sympy.Trace(sympy.Identity(n))


def trace_inner(A, B):
    if A.ndim != 2 or tuple(A.shape) != tuple(B.shape):
        raise ValueError("A and B must be matrices of the same shape")
    if isinstance(A, np.ndarray):
        return np.einsum("ij,ij->", A, B)
    return (A * B).sum()  # a 0-d tensor


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
    product = rotated[0]
    for a in rotated[1:-1]:
        product = product @ a
    if k == 1:
        return product.diagonal().sum()
    return (product * rotated[-1].T).sum()
