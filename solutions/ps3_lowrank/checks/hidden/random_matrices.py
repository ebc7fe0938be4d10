"""Random test matrices of the hidden checks of ps3_lowrank: orthonormal columns, and matrices with
a chosen spectrum (so that ranks, gaps and condition numbers are known). Not released."""

import numpy as np


def orthonormal_columns(rng, rows, cols):
    """A random rows x cols matrix with orthonormal columns."""
    q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q


def with_spectrum(rng, m, n, s):
    """A random m x n matrix whose nonzero singular values are ``s``."""
    s = np.asarray(s, dtype=np.float64)
    return (orthonormal_columns(rng, m, s.size) * s) @ orthonormal_columns(rng, n, s.size).T
