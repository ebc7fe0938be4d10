"""Problem 5 — Kronecker products (KroneckerBERT): a matrix-vector product with ``A ⊗ B`` without
forming it, and the nearest Kronecker product of a matrix (Van Loan and Pitsianis).

Conventions (README.md has the details, a worked example and the tolerances):

- ``np.kron(A, B)`` is ``A ⊗ B``: entry ``[i*p2 + k, j*q2 + l] = A[i, j] * B[k, l]``.
- Vectors are flattened row-major (numpy's ``ravel``): for ``X`` of shape (q1, q2),
  ``(A ⊗ B) X.ravel() = (A @ X @ B.T).ravel()``.
- Inputs are numpy arrays of real floats (float64 or float32).
"""

from __future__ import annotations

import numpy as np


def kron_matvec(A, B, x) -> np.ndarray:
    """``np.kron(A, B) @ x`` without forming ``np.kron(A, B)``.

    Args:
        A: (p1, q1), B: (p2, q2), x: (q1 * q2,) numpy arrays of one float dtype.

    Returns:
        The product, shape ``(p1 * p2,)``, ``x``'s dtype (a numpy array).

    Raises:
        ValueError: if the shapes do not fit.
    """
    # BEGIN SOLUTION
    A, B, x = np.asarray(A), np.asarray(B), np.asarray(x)
    if A.ndim != 2 or B.ndim != 2 or x.ndim != 1 or x.shape[0] != A.shape[1] * B.shape[1]:
        raise ValueError(f"shapes {A.shape}, {B.shape}, {x.shape} do not fit kron(A, B) @ x")
    X = x.reshape(A.shape[1], B.shape[1])
    return (A @ X @ B.T).reshape(-1)
    # END SOLUTION


def nearest_kronecker(M, shape_a, shape_b):
    """``(A, B)`` of the given shapes minimising ``||M - np.kron(A, B)||_F``.

    Rearrange ``M`` (p1 p2 x q1 q2) into ``R(M) = M.reshape(p1, p2, q1, q2).transpose(0, 2, 1, 3)
    .reshape(p1 q1, p2 q2)``: then ``||M - A ⊗ B||_F = ||R(M) - vec(A) vec(B)^T||_F`` (row-major
    vec), and the best rank-1 approximation of ``R(M)`` gives ``A`` and ``B``. Only the product is
    unique: ``(c A, B / c)`` is as good for any ``c != 0``.

    Args:
        M: a 2-D float array of shape ``(p1 * p2, q1 * q2)``;
        shape_a: ``(p1, q1)``; shape_b: ``(p2, q2)`` (tuples or lists of ints >= 1).

    Returns:
        ``(A, B)`` as numpy arrays of shapes ``shape_a`` and ``shape_b``.

    Raises:
        ValueError: if ``M``'s shape is not ``(p1 * p2, q1 * q2)``.
    """
    # BEGIN SOLUTION
    M = np.asarray(M)
    (p1, q1), (p2, q2) = (tuple(int(v) for v in shape_a), tuple(int(v) for v in shape_b))
    if M.ndim != 2 or M.shape != (p1 * p2, q1 * q2):
        raise ValueError(f"M has shape {M.shape}; expected ({p1 * p2}, {q1 * q2})")
    R = M.reshape(p1, p2, q1, q2).transpose(0, 2, 1, 3).reshape(p1 * q1, p2 * q2)
    U, s, Vt = np.linalg.svd(R, full_matrices=False)
    root = np.sqrt(s[0])
    return (U[:, 0] * root).reshape(p1, q1), (Vt[0] * root).reshape(p2, q2)
    # END SOLUTION
