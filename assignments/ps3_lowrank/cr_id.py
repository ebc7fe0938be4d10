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
    raise NotImplementedError('cr_probabilities: not implemented yet. See README.md (ps3_lowrank).')


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
    raise NotImplementedError('cr_product: not implemented yet. See README.md (ps3_lowrank).')


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
    raise NotImplementedError('cr_expected_sq_error: not implemented yet. See README.md (ps3_lowrank).')


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
    raise NotImplementedError('interp_decomp: not implemented yet. See README.md (ps3_lowrank).')


# (add helper functions here if you need them)
