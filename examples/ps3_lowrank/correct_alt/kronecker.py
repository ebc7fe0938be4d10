"""Correct Kronecker products written differently: einsum for the matvec, the rearrangement by
blocks in a loop for the nearest Kronecker product, the scale put on A."""

import numpy as np


def kron_matvec(A, B, x):
    A, B, x = np.asarray(A), np.asarray(B), np.asarray(x)
    if x.shape != (A.shape[1] * B.shape[1],):
        raise ValueError("x has the wrong length")
    return np.einsum("ij,jl,kl->ik", A, x.reshape(A.shape[1], B.shape[1]), B, optimize=True).ravel()


def nearest_kronecker(M, shape_a, shape_b):
    (p1, q1), (p2, q2) = shape_a, shape_b
    M = np.asarray(M, dtype=float)
    if M.shape != (p1 * p2, q1 * q2):
        raise ValueError("M has the wrong shape")
    R = np.empty((p1 * q1, p2 * q2))
    for i in range(p1):
        for j in range(q1):
            R[i * q1 + j] = M[i * p2:(i + 1) * p2, j * q2:(j + 1) * q2].ravel()
    U, s, Vt = np.linalg.svd(R)
    return (s[0] * U[:, 0]).reshape(p1, q1), Vt[0].reshape(p2, q2)
