"""Problem 2 — the Frobenius norm via the SVD, and the best rank-r approximation.

Seminar 1, task 2 asks you to prove that ||A||_F^2 = sigma_1^2 + ... + sigma_q^2 with q = min(m, n).
That proof is a written answer (graded by hand where the course uses nbgrader). This file is the
computational side: the Frobenius norm from the singular values, the best rank-r approximation
(Eckart-Young), its error computed from the singular values alone, and the largest rank for which
storing a truncated SVD takes less memory than the dense matrix.

Conventions (see README.md for the details, a worked example and the tolerances):

- ``A`` is a 2-D numpy array of real floats (float64 or float32), of any shape m x n; it may be
  rank-deficient, tall, wide or 1 x 1.
- ``r`` is an int >= 0; it may exceed min(m, n).
- ``np.linalg.svd(A, full_matrices=False)`` returns ``U, s, Vt`` with ``A = U @ np.diag(s) @ Vt``
  and ``s`` sorted in decreasing order.
"""

from __future__ import annotations

import numpy as np


def frobenius_norm_svd(A) -> float:
    """The Frobenius norm of ``A``, computed from its singular values.

    Args:
        A: a 2-D numpy array (float64 or float32).

    Returns:
        sqrt(sigma_1^2 + ... + sigma_q^2), q = min(m, n), as a Python ``float`` (a numpy scalar
        or a 0-d array is accepted too).

    Raises:
        ValueError: if ``A`` is not 2-D (``np.linalg.svd`` raises ``LinAlgError``, a subclass of
            ``ValueError``, for 1-D input: that is fine).

    Example:
        >>> frobenius_norm_svd(np.array([[3.0, 0.0], [4.0, 5.0]]))   # sigma = sqrt(45), sqrt(5)
        7.071067811865476
    """
    raise NotImplementedError('frobenius_norm_svd: not implemented yet. See README.md (ps1_linalg).')


def best_rank_approx(A, r: int) -> np.ndarray:
    """A best approximation of ``A`` of rank at most ``r`` in the Frobenius norm (Eckart-Young).

    Keep the ``r`` largest singular values and their singular vectors: with
    ``A = U diag(s) Vt``, the answer is ``U[:, :r] @ diag(s[:r]) @ Vt[:r]``.

    Args:
        A: a 2-D numpy array (float64 or float32), m x n.
        r: an int >= 0. ``r = 0`` gives the zero matrix; ``r >= rank(A)`` gives ``A`` itself
            (up to rounding), also when ``r > min(m, n)``.

    Returns:
        A numpy array of shape ``(m, n)``: float64 for float64 input; float32 or float64 for
        float32 input. When singular values repeat, several matrices are best: any one is fine.

    Raises:
        ValueError: if ``r`` is negative, or ``A`` is not 2-D.

    Example:
        >>> best_rank_approx(np.array([[3.0, 0.0], [4.0, 5.0]]), 1)
        array([[1.5, 1.5],
               [4.5, 4.5]])
    """
    raise NotImplementedError('best_rank_approx: not implemented yet. See README.md (ps1_linalg).')


def rank_approx_error(A, r: int) -> float:
    """The error ||A - A_r||_F of the best rank-``r`` approximation, from the singular values alone.

    By Eckart-Young and the identity of task 2, it is sqrt(sigma_{r+1}^2 + ... + sigma_q^2): you
    do not need to form ``A_r`` (the checks judge the value, so forming it also passes, but it
    costs a full reconstruction for one number).

    Args:
        A: a 2-D numpy array (float64 or float32).
        r: an int >= 0; the error is 0 when ``r >= rank(A)``, and ||A||_F when ``r = 0``.

    Returns:
        The error as a Python ``float`` (a numpy scalar or a 0-d array is accepted too).

    Raises:
        ValueError: if ``r`` is negative, or ``A`` is not 2-D.

    Example:
        >>> rank_approx_error(np.array([[3.0, 0.0], [4.0, 5.0]]), 1)      # sqrt(5)
        2.2360679774997894
    """
    raise NotImplementedError('rank_approx_error: not implemented yet. See README.md (ps1_linalg).')


def storage_rank_bound(n: int, m: int) -> int:
    """The largest rank ``r`` for which a rank-r SVD is strictly cheaper to store than the matrix.

    Storing ``U_r`` (n x r), the ``r`` singular values and ``V_r`` (m x r) takes ``r (n + m + 1)``
    numbers; the dense n x m matrix takes ``n m``. Return the largest ``r >= 0`` with
    ``r (n + m + 1) < n m`` (strictly: at equality nothing is saved). Mind the case where
    ``n m / (n + m + 1)`` is a whole number.

    Args:
        n, m: the matrix's shape, ints with 1 <= n, m <= 10**6.

    Returns:
        ``r`` as a Python ``int`` (0 when even rank 1 saves nothing).

    Raises:
        ValueError: if ``n`` or ``m`` is smaller than 1.

    Example:
        >>> storage_rank_bound(768, 768)      # BERT-base: 768 * 768 / 1537 = 383.75
        383
    """
    raise NotImplementedError('storage_rank_bound: not implemented yet. See README.md (ps1_linalg).')


# (add helper functions here if you need them)
