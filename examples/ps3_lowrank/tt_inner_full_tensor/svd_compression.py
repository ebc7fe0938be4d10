"""Problem 2 — compressing a layer: truncated and randomized SVD, the rank for an energy fraction, and
Fisher-weighted SVD.

Conventions (README.md has the details, worked examples and the tolerances):

- Matrices are 2-D numpy arrays of real floats (float64 or float32). ``randomized_svd`` also accepts
  a ``problems.CountedMatrix`` (or any object with ``shape``, ``dtype``, ``matmat`` and ``rmatmat``).
- SVDs are returned as numpy and torch return them: ``U, s, Vt`` with ``A ~ U @ np.diag(s) @ Vt``
  (``Vt``, not ``V``).
- ``rng`` is what ``np.random.default_rng`` accepts: a ``numpy.random.Generator`` or an int seed
  (SPEC 7). Draw every random number from ``np.random.default_rng(rng)``, nothing else.
- ``sklearn.utils.extmath.randomized_svd``, ``scipy.sparse.linalg.svds`` and ``torch.svd_lowrank``
  are banned.
"""

from __future__ import annotations

import numpy as np


def randomized_svd(A, k: int, *, oversample: int = 10, power_iters: int = 2, rng):
    """A rank-``k`` SVD of ``A`` by the randomized range finder (Halko, Martinsson, Tropp 2011).

    With ``l = k + oversample`` columns, making exactly ``power_iters + 1`` products with ``A``
    and as many with ``A^T`` (the passes over ``A`` that the grader counts):

        Omega = rng.standard_normal((n, l));  Q = qr(A @ Omega)
        power_iters times:  Q = qr(A^T @ Q);  Q = qr(A @ Q)       # re-orthonormalise each time
        B = (A^T @ Q)^T   (l x n);  Ub, s, Vt = svd(B);  U = Q @ Ub;  keep the first k.

    If ``A`` is a numpy array, its products are ``A @ X`` and ``A.T @ Y``; otherwise use
    ``A.matmat(X)`` and ``A.rmatmat(Y)`` (a ``problems.CountedMatrix``); ``A.shape`` works for both.

    Args:
        A: an m x n numpy array (float64 or float32), or a ``problems.CountedMatrix``.
        k: the rank, an int with ``1 <= k <= min(m, n)``.
        oversample: extra columns, an int >= 0 (the block has ``k + oversample`` columns).
        power_iters: the number of power iterations q, an int >= 0.
        rng: a ``numpy.random.Generator`` or an int seed; the same value gives the same output.

    Returns:
        ``(U, s, Vt)``: ``U`` (m, k) and ``Vt`` (k, n) with orthonormal columns / rows, ``s`` (k,)
        non-negative and non-increasing; float64 (float32 also allowed for float32 input).

    Raises:
        ValueError: if ``k`` is out of range, or ``oversample`` or ``power_iters`` is negative.
    """
    # BEGIN SOLUTION
    m, n = (int(d) for d in A.shape)
    if isinstance(A, np.ndarray):
        def matmat(X):
            return A @ X

        def rmatmat(Y):
            return A.T @ Y
    else:
        matmat, rmatmat = A.matmat, A.rmatmat
    for name, value, low in (("k", k, 1), ("oversample", oversample, 0),
                             ("power_iters", power_iters, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be an int >= {low}; got {value!r}")
    if k > min(m, n):
        raise ValueError(f"k must be at most min(m, n) = {min(m, n)}; got {k}")
    gen = np.random.default_rng(rng)
    omega = gen.standard_normal((n, int(k) + int(oversample)))
    Q, _ = np.linalg.qr(np.asarray(matmat(omega), dtype=np.float64))
    for _ in range(int(power_iters)):
        Z, _ = np.linalg.qr(np.asarray(rmatmat(Q), dtype=np.float64))
        Q, _ = np.linalg.qr(np.asarray(matmat(Z), dtype=np.float64))
    B = np.asarray(rmatmat(Q), dtype=np.float64).T
    Ub, s, Vt = np.linalg.svd(B, full_matrices=False)
    return (Q @ Ub)[:, :k], s[:k], Vt[:k]
    # END SOLUTION


def compress_layer(W, r: int):
    """Factors ``(A, B)``, ``A`` (m, r) and ``B`` (r, n), with ``A @ B`` a best rank-``r``
    approximation of ``W`` (Eckart-Young). How ``Sigma_r`` is split between them is yours.

    Args:
        W: an m x n numpy array (float64 or float32).
        r: an int with ``0 <= r <= min(m, n)``.

    Raises:
        ValueError: if ``W`` is not 2-D or ``r`` is out of range.
    """
    # BEGIN SOLUTION
    W = _matrix(W, "W")
    if isinstance(r, bool) or not isinstance(r, int | np.integer) or not 0 <= r <= min(W.shape):
        raise ValueError(f"r must be an int in [0, min(m, n)]; got {r!r}")
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    return U[:, :r] * s[:r], Vt[:r].copy()
    # END SOLUTION


def rank_for_energy(W, delta: float) -> int:
    """The least ``r`` with ``sigma_1^2 + ... + sigma_r^2 >= (1 - delta) ||W||_F^2``.

    Args:
        W: a 2-D numpy array (float64 or float32).
        delta: the fraction of the energy you may lose, ``0 < delta < 1``.

    Returns:
        ``r`` as a Python ``int`` (0 for the zero matrix).

    Raises:
        ValueError: if ``W`` is not 2-D or ``delta`` is not in (0, 1).
    """
    # BEGIN SOLUTION
    W = _matrix(W, "W")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1); got {delta!r}")
    energy = np.linalg.svd(W, compute_uv=False).astype(np.float64) ** 2
    total = energy.sum()
    if total == 0:
        return 0
    return int(np.searchsorted(np.cumsum(energy), (1 - delta) * total) + 1)
    # END SOLUTION


def fisher_weighted_svd(W, fisher, r: int):
    """Factors ``(A, B)`` of rank ``r`` minimising ``||D (W - A B)||_F`` with ``D = diag(sqrt(I_i))``
    and ``I_i = sum_j fisher[i, j]`` (the information of row i: Hsu et al. 2022, FWSVD).

    The answer: ``A = D^-1 U_r Sigma_r``, ``B = V_r^T`` from the SVD ``D W = U Sigma V^T`` (any split
    of ``Sigma_r`` between the factors).

    Args:
        W: an m x n numpy array; fisher: an m x n array of non-negative numbers (e.g. squared
            gradients); r: an int with ``0 <= r <= min(m, n)``.

    Returns:
        ``(A, B)``, shapes ``(m, r)`` and ``(r, n)``.

    Raises:
        ValueError: if shapes differ, ``fisher`` has a negative entry, a row of ``fisher`` sums to 0
            (``D`` would be singular), or ``r`` is out of range.
    """
    # BEGIN SOLUTION
    W, fisher = _matrix(W, "W"), _matrix(fisher, "fisher")
    if W.shape != fisher.shape:
        raise ValueError(f"W and fisher need the same shape; got {W.shape} and {fisher.shape}")
    if np.any(fisher < 0):
        raise ValueError("fisher must be non-negative")
    importance = fisher.astype(np.float64).sum(axis=1)
    if np.any(importance <= 0):
        raise ValueError("every row of fisher needs a positive sum (D would be singular)")
    d = np.sqrt(importance)
    A, B = compress_layer(W * d[:, None], r)
    return A / d[:, None], B
    # END SOLUTION


# BEGIN SOLUTION: # (add helper functions here if you need them)
def _matrix(A, name: str) -> np.ndarray:
    """``A`` as a 2-D float array, or ValueError."""
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array; got {A.ndim} dimension(s)")
    return A if A.dtype.kind == "f" else A.astype(np.float64)
# END SOLUTION
