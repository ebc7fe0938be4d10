"""The counted matrix of problem set 3: a matrix you may only touch through products with it.

Given to you as it is: do not change it (grading uses this original). ``randomized_svd`` (problem 2)
receives either a numpy array or such a matrix; the grader counts how many passes over ``A`` your
algorithm makes, i.e. how many times it calls ``matmat`` and ``rmatmat``.
"""

from __future__ import annotations

import numpy as np


class CountedMatrix:
    """A real m x n matrix that is reached only through block products, each one counted.

    Attributes: ``shape`` (``(m, n)``), ``dtype`` (the name of the matrix's dtype, e.g. ``"float64"``:
    ``np.dtype(A.dtype)`` works for this and for a numpy array alike), ``matmat_calls`` and
    ``rmatmat_calls`` (calls so far), ``matmat_columns`` and ``rmatmat_columns`` (columns of the
    blocks multiplied so far). ``reset_calls()`` sets the counters back to 0.
    """

    def __init__(self, A):
        A = np.array(A)
        if A.ndim != 2 or A.dtype.kind != "f":
            raise ValueError("CountedMatrix needs a 2-D array of real floats")
        A.setflags(write=False)
        self._A = A
        self.shape = tuple(int(d) for d in A.shape)
        self.dtype = str(A.dtype)
        self.reset_calls()

    def matmat(self, X) -> np.ndarray:
        """``A @ X`` for a block ``X`` of shape ``(n, l)``; counts one call and ``l`` columns."""
        X = self._block(X, self.shape[1], "matmat", "(n, l)")
        self.matmat_calls += 1
        self.matmat_columns += X.shape[1]
        return self._A @ X

    def rmatmat(self, Y) -> np.ndarray:
        """``A.T @ Y`` for a block ``Y`` of shape ``(m, l)``; counts one call and ``l`` columns."""
        Y = self._block(Y, self.shape[0], "rmatmat", "(m, l)")
        self.rmatmat_calls += 1
        self.rmatmat_columns += Y.shape[1]
        return self._A.T @ Y

    def reset_calls(self) -> None:
        """Set every counter back to 0."""
        self.matmat_calls = self.rmatmat_calls = 0
        self.matmat_columns = self.rmatmat_columns = 0

    @staticmethod
    def _block(X, rows: int, what: str, shape: str) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[0] != rows or X.dtype.kind not in "biuf":
            raise ValueError(f"{what} takes a 2-D block of real numbers of shape {shape}; "
                             f"got shape {X.shape}")
        return X

    def __repr__(self) -> str:
        return f"CountedMatrix(shape={self.shape}, dtype={self.dtype})"
