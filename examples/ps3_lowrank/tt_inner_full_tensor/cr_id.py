"""Problem 3 — a few columns instead of all: the CR approximation of a matrix product (sampled
column-row pairs) and the interpolative (skeleton) decomposition.

Conventions (README.md has the details, worked examples and the tolerances):

- Matrices are 2-D numpy arrays of real floats (float64 or float32).
- ``rng`` is what ``np.random.default_rng`` accepts: a ``numpy.random.Generator`` or an int seed
  (SPEC 7). ``cr_product`` makes exactly one draw, ``rng.choice(n, size=r, replace=True, p=p)``
  from ``np.random.default_rng(rng)``: that sampling contract makes its output exact.
- ``scipy.linalg.interpolative`` is banned; ``scipy.linalg.qr(..., pivoting=True)`` and
  ``scipy.linalg.solve_triangular`` are allowed (so is ``np.linalg.svd``; ``np.linalg.pinv`` and
  ``lstsq`` are banned in every file, problem 1).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg


def cr_probabilities(A, B) -> np.ndarray:
    """The optimal sampling probabilities for ``A @ B``: ``p_i ∝ ||A[:, i]|| * ||B[i, :]||``.

    Args:
        A: m x n, B: n x p (2-D float arrays).

    Returns:
        ``p``, shape ``(n,)``, float64, non-negative, summing to 1.

    Raises:
        ValueError: if an input is not 2-D, the inner sizes differ, or every product of norms is 0
            (``A @ B`` is then 0 for a structural reason and ``p`` is undefined).
    """
    # BEGIN SOLUTION
    A, B = _pair(A, B)
    weights = np.linalg.norm(A, axis=0) * np.linalg.norm(B, axis=1)
    total = weights.sum()
    if not total > 0:
        raise ValueError("every column of A or the matching row of B is zero: p is undefined")
    return weights / total
    # END SOLUTION


def cr_product(A, B, r: int, rng) -> np.ndarray:
    """The CR approximation of ``A @ B`` from ``r`` sampled column-row pairs.

    Draw ``idx = rng.choice(n, size=r, replace=True, p=p)`` once, with ``p = cr_probabilities(A, B)``
    and ``rng = np.random.default_rng(rng)``; return
    ``sum_t A[:, idx[t]] B[idx[t], :] / (r p[idx[t]])``, an unbiased estimate of ``A @ B``.

    Args:
        A: m x n, B: n x p; r: the number of samples, an int >= 1; rng: a Generator or int seed.

    Returns:
        The estimate, shape ``(m, p)``, float64.

    Raises:
        ValueError: as ``cr_probabilities``, or if ``r < 1``.
    """
    # BEGIN SOLUTION
    p = cr_probabilities(A, B)
    A, B = _pair(A, B)
    if isinstance(r, bool) or not isinstance(r, int | np.integer) or r < 1:
        raise ValueError(f"r must be an int >= 1; got {r!r}")
    idx = np.random.default_rng(rng).choice(A.shape[1], size=int(r), replace=True, p=p)
    scale = 1.0 / (r * p[idx])
    return (A[:, idx].astype(np.float64) * scale) @ B[idx].astype(np.float64)
    # END SOLUTION


def cr_expected_sq_error(A, B, r: int, p=None) -> float:
    """``E ||AB - CR||_F^2`` for ``r`` samples drawn with probabilities ``p`` (default: the optimal
    ones): ``(sum_i ||a_i||^2 ||b_i||^2 / p_i - ||AB||_F^2) / r``, ``a_i`` the columns of ``A``,
    ``b_i`` the rows of ``B``.

    A term with ``p_i = 0`` counts 0 when ``a_i = 0`` or ``b_i = 0`` (it is never drawn and
    contributes nothing); otherwise the estimate is biased and this raises ``ValueError``.

    Returns:
        A Python ``float`` (a numpy scalar or 0-d array is accepted too).

    Raises:
        ValueError: as ``cr_probabilities``; if ``r < 1``; if ``p`` has the wrong shape, a negative
            entry, does not sum to 1 (within 1e-9), or is 0 where ``||a_i|| ||b_i|| > 0``.
    """
    # BEGIN SOLUTION
    A, B = _pair(A, B)
    if isinstance(r, bool) or not isinstance(r, int | np.integer) or r < 1:
        raise ValueError(f"r must be an int >= 1; got {r!r}")
    if p is None:
        p = cr_probabilities(A, B)
    p = np.asarray(p, dtype=np.float64)
    if p.shape != (A.shape[1],) or np.any(p < 0) or abs(p.sum() - 1) > 1e-9:
        raise ValueError("p must be n non-negative probabilities summing to 1")
    A, B = A.astype(np.float64), B.astype(np.float64)
    weights = np.sum(A * A, axis=0) * np.sum(B * B, axis=1)
    if np.any((p == 0) & (weights > 0)):
        raise ValueError("p is 0 for a pair with a non-zero product: the estimate would be biased")
    used = p > 0
    total = np.sum(weights[used] / p[used])
    return float((total - np.linalg.norm(A @ B) ** 2) / r)
    # END SOLUTION


def interp_decomp(A, k: int):
    """An interpolative decomposition ``A ~ A[:, J] @ P`` of rank ``k``.

    ``J`` holds ``k`` distinct column indices (the skeleton) and ``P`` (k x n) satisfies
    ``P[:, J] = I_k``. The intended method: column-pivoted QR ``A[:, perm] = Q R``, ``J = perm[:k]``,
    ``T`` the least-squares solution of ``R11 T = R12``, ``P[:, perm] = [I_k, T]``.
    (From ``scipy.linalg.interpolative.interp_decomp(A, k)``'s ``(idx, proj)``: ``J = idx[:k]``,
    ``P = hstack([eye(k), proj])[:, argsort(idx)]``.)

    Args:
        A: an m x n numpy array (float64 or float32); k: an int with ``1 <= k <= n``.

    Returns:
        ``(J, P)``: ``J`` a numpy array of ``k`` distinct ints in ``[0, n)`` (or a list of ints),
        ``P`` a float array of shape ``(k, n)``.

    Raises:
        ValueError: if ``A`` is not 2-D or ``k`` is out of range.
    """
    # BEGIN SOLUTION
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"A must be a 2-D array; got {A.ndim} dimension(s)")
    n = A.shape[1]
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n:
        raise ValueError(f"k must be an int in [1, n]; got {k!r}")
    A = A.astype(np.float64)
    _, R, perm = scipy.linalg.qr(A, mode="economic", pivoting=True)
    k = int(k)
    R11 = R[:k, :k] if R.shape[0] >= k else np.vstack([R[:, :k], np.zeros((k - R.shape[0], k))])
    R12 = R[:k, k:] if R.shape[0] >= k else np.vstack([R[:, k:], np.zeros((k - R.shape[0], n - k))])
    T = _min_norm_solve(R11, R12)
    P = np.zeros((k, n))
    P[:, perm] = np.hstack([np.eye(k), T])
    return perm[:k].astype(np.int64), P
    # END SOLUTION


# BEGIN SOLUTION: # (add helper functions here if you need them)
def _pair(A, B):
    A, B = np.asarray(A), np.asarray(B)
    if A.ndim != 2 or B.ndim != 2:
        raise ValueError("A and B must be 2-D arrays")
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"A @ B is undefined for shapes {A.shape} and {B.shape}")
    return (A if A.dtype.kind == "f" else A.astype(np.float64),
            B if B.dtype.kind == "f" else B.astype(np.float64))


def _min_norm_solve(R, Y):
    """The minimum-norm least-squares solution of ``R X = Y`` via the SVD (R may be singular)."""
    if Y.shape[1] == 0:
        return np.zeros((R.shape[1], 0))
    U, s, Vt = np.linalg.svd(R)
    keep = s > max(R.shape) * np.finfo(np.float64).eps * (s[0] if s.size else 0.0)
    return (Vt[keep].T / s[keep]) @ (U[:, keep].T @ Y)
# END SOLUTION
