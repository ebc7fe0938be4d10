"""Problem 1 — the Moore-Penrose pseudo-inverse from the SVD, and the best factors of ||AB - M||_F.

Conventions (README.md has the details, a worked example and the tolerances):

- Inputs are 2-D numpy arrays of real floats (float64 or float32), of any shape: square, tall, wide,
  rank-deficient or zero. Complex matrices are out of scope.
- ``np.linalg.svd`` is the tool. ``numpy.linalg.pinv``, ``numpy.linalg.lstsq``, ``scipy.linalg.pinv``
  and ``scipy.linalg.lstsq`` are banned in every file of your submission.
"""

from __future__ import annotations

import numpy as np


def pinv(A, rtol=None) -> np.ndarray:
    """The Moore-Penrose pseudo-inverse of ``A`` (m x n), computed from its SVD.

    With ``A = U diag(s) Vt``, singular values ``s_i <= rtol * s_max`` count as zero; the others are
    inverted: ``A+ = V diag(1/s_i) U^T`` over the kept ones.

    Args:
        A: a 2-D numpy array (float64 or float32), m x n.
        rtol: the relative cutoff, a float >= 0. ``None`` (the default) means
            ``max(m, n) * eps`` with ``eps`` the machine epsilon of ``A``'s dtype (scipy's default,
            and numpy's ``rtol=None``; *not* numpy's legacy ``rcond=1e-15``).

    Returns:
        ``A+``, shape ``(n, m)``: float64 for a float64 ``A`` (float32 or float64 for float32). The
        zero matrix gives the zero ``(n, m)`` matrix.

    Raises:
        ValueError: if ``A`` is not 2-D, or ``rtol`` is negative.

    Example:
        >>> pinv(np.array([[1.0, 2.0, 2.0], [2.0, 4.0, 4.0]])) * 45   # A = u v^T: A+ = v u^T / 45
        array([[1., 2.],
               [2., 4.],
               [2., 4.]])
    """
    # BEGIN SOLUTION
    A = _matrix(A, "A")
    if rtol is None:
        rtol = max(A.shape) * float(np.finfo(A.dtype).eps)
    rtol = float(rtol)
    if not rtol >= 0:
        raise ValueError(f"rtol must be a number >= 0; got {rtol!r}")
    m, n = A.shape
    if A.size == 0:
        return np.zeros((n, m), dtype=A.dtype)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    keep = s > rtol * s[0] if s.size else s > 0
    keep &= s > 0
    return (Vt[keep].T / s[keep]) @ U[:, keep].T
    # END SOLUTION


def best_right_factor(A, M) -> np.ndarray:
    """The ``B`` (r x n) that minimises ||A B - M||_F and, among all minimisers, ||B||_F: ``A+ M``.

    Args:
        A: m x r, M: m x n, 2-D float arrays with the same number of rows.

    Returns:
        ``B``, shape ``(r, n)``.

    Raises:
        ValueError: if an input is not 2-D or the row counts differ.
    """
    # BEGIN SOLUTION
    A, M = _matrix(A, "A"), _matrix(M, "M")
    if A.shape[0] != M.shape[0]:
        raise ValueError(f"A and M need the same number of rows; got {A.shape} and {M.shape}")
    return pinv(A) @ M
    # END SOLUTION


def best_left_factor(B, M) -> np.ndarray:
    """The ``A`` (m x r) that minimises ||A B - M||_F and, among all minimisers, ||A||_F: ``M B+``.

    Args:
        B: r x n, M: m x n, 2-D float arrays with the same number of columns.

    Returns:
        ``A``, shape ``(m, r)``.

    Raises:
        ValueError: if an input is not 2-D or the column counts differ.
    """
    # BEGIN SOLUTION
    B, M = _matrix(B, "B"), _matrix(M, "M")
    if B.shape[1] != M.shape[1]:
        raise ValueError(f"B and M need the same number of columns; got {B.shape} and {M.shape}")
    return M @ pinv(B)
    # END SOLUTION


# BEGIN SOLUTION: # (add helper functions here if you need them)
def _matrix(A, name: str) -> np.ndarray:
    """``A`` as a 2-D float array, or ValueError."""
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array; got {A.ndim} dimension(s)")
    return A if A.dtype.kind == "f" else A.astype(np.float64)
# END SOLUTION
