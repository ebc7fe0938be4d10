"""Problem 3 — trace identities: the Frobenius inner product, the trace of a product, a sum of forms.

The trace is invariant under cyclic permutations: tr(ABCD) = tr(DABC) = tr(CDAB) = tr(BCDA)
whenever the products are defined, even for rectangular factors. Here you use that to compute
<A, B> = tr(A^T B) and tr(A_1 ... A_k) cheaply, and to simplify the sum of seminar 1, task 3.

Conventions (see README.md for the details, worked examples and the tolerances):

- Matrices are 2-D numpy arrays or 2-D torch tensors (CPU or CUDA), float64 or float32; the
  arguments of one call are all numpy or all torch. Operations that both libraries share are enough
  (``*``, ``@``, ``.sum()``, ``.T``, ``.shape``, ``.diagonal()``): this file must import on a
  machine without torch, so do not import it here.
- Results are Python floats (``float(x)`` turns a numpy or torch scalar into one).
"""

from __future__ import annotations

import sympy

# The dimension n of seminar 1, task 3; use this symbol in QUADRATIC_FORM_SUM.
n = sympy.Symbol("n", positive=True, integer=True)

# Seminar 1, task 3. Let a_1, ..., a_N be vectors of R^n and S = sum_i a_i a_i^T, with det S != 0.
# Simplify sum_i <S^{-1} a_i, a_i>: give a sympy expression in the symbol n above.
QUADRATIC_FORM_SUM = None  # your answer: a sympy expression in n


def trace_inner(A, B) -> float:
    """The Frobenius inner product <A, B> = tr(A^T B) = sum_ij A_ij B_ij, in O(mn) operations.

    Do not form A^T B (n x n, n^2 m operations) or A B^T: for a 2 x 300000 pair, A^T B would have
    9 * 10^10 entries and does not fit in memory.

    Args:
        A, B: 2-D numpy arrays, or 2-D torch tensors on the same device, of the same shape m x n.

    Returns:
        <A, B> as a Python ``float`` (a numpy scalar, a 0-d array or a 0-d tensor is accepted too).

    Raises:
        ValueError: if ``A`` or ``B`` is not 2-D, or their shapes differ (do not let broadcasting
            turn a 3 x 1 and a 1 x 3 matrix into a 3 x 3 one).

    Example:
        >>> trace_inner(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 6.0], [7.0, 8.0]]))
        70.0
    """
    raise NotImplementedError('trace_inner: not implemented yet. See README.md (ps1_linalg).')


def trace_of_product(mats) -> float:
    """tr(A_1 A_2 ... A_k) for rectangular factors whose product is square, computed cheaply.

    The trace does not change when the factors are rotated (tr(A_1 ... A_k) = tr(A_j ... A_k A_1
    ... A_{j-1})), so choose the rotation and the order of multiplication that cost least, and for
    the last product X Y compute only what the trace needs: tr(X Y) = sum_ij X_ij Y_ji. Example:
    for A of shape 4096 x 8 and B of shape 8 x 4096, tr(AB) = tr(BA) needs an 8 x 8 product (or
    just sum(A * B.T)), not a 4096 x 4096 one.

    Args:
        mats: a non-empty list or tuple of 2-D factors, all numpy arrays or all torch tensors on one
            device; ``mats[i].shape[1] == mats[i + 1].shape[0]`` and the product is square
            (``mats[-1].shape[1] == mats[0].shape[0]``). One square matrix is a chain of one.

    Returns:
        The trace as a Python ``float`` (a numpy scalar, a 0-d array or a 0-d tensor is accepted
        too).

    Raises:
        ValueError: if ``mats`` is empty, a factor is not 2-D, two neighbouring shapes do not
            match, or the product is not square.

    Example:
        >>> trace_of_product([np.ones((3, 2)), np.ones((2, 4)), np.ones((4, 3))])   # 3 * (2 * 4)
        24.0
    """
    raise NotImplementedError('trace_of_product: not implemented yet. See README.md (ps1_linalg).')


# (add helper functions here if you need them)
