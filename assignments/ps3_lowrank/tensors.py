"""Problem 4 — tensor decompositions: unfoldings and mode products, Tucker (HOSVD and HOOI), the
tensor train (TT-SVD and the TT inner product) and CP by alternating least squares.

Conventions (README.md has the details, worked examples and the tolerances):

- Tensors are numpy arrays of real floats (float64 or float32) with ``d >= 2`` dimensions; modes are
  numbered from 0.
- Unfoldings are in C order (tensorly's): ``unfold(X, n) = np.moveaxis(X, n, 0).reshape(X.shape[n],
  -1)``, *not* Kolda and Bader's Fortran order.
- ``mode_dot(X, U, n)`` takes ``U`` of shape ``(J, I_n)``: ``(X x_n U)[..., j, ...] = sum_i
  U[j, i] X[..., i, ...]``.
- TT cores are 3-D arrays ``G_k`` of shape ``(r_{k-1}, n_k, r_k)`` with ``r_0 = r_d = 1``.
- ``tensorly``, ``tntorch``, ``tt`` (ttpy) and ``teneva`` are banned; numpy's ``pinv`` and
  ``lstsq`` too (problem 1): use ``np.linalg.solve`` or ``np.linalg.svd``.
"""

from __future__ import annotations

import numpy as np


def unfold(X, mode: int) -> np.ndarray:
    """The mode-``mode`` unfolding: shape ``(I_mode, prod of the other sizes)``, C order."""
    raise NotImplementedError('unfold: not implemented yet. See README.md (ps3_lowrank).')


def fold(M, mode: int, shape) -> np.ndarray:
    """The inverse of ``unfold``: ``fold(unfold(X, n), n, X.shape)`` is ``X``."""
    raise NotImplementedError('fold: not implemented yet. See README.md (ps3_lowrank).')


def mode_dot(X, U, mode: int) -> np.ndarray:
    """The mode-``mode`` product ``X x_mode U`` with ``U`` of shape ``(J, I_mode)``: the result has
    ``J`` in place of ``I_mode``.

    Raises:
        ValueError: if ``U`` is not 2-D or ``U.shape[1] != X.shape[mode]``.
    """
    raise NotImplementedError('mode_dot: not implemented yet. See README.md (ps3_lowrank).')


def tucker_to_tensor(core, factors) -> np.ndarray:
    """``core x_0 U_0 x_1 U_1 ... x_{d-1} U_{d-1}``."""
    raise NotImplementedError('tucker_to_tensor: not implemented yet. See README.md (ps3_lowrank).')


def hosvd(X, ranks):
    """The truncated higher-order SVD: ``U_n`` = the ``ranks[n]`` leading left singular vectors of
    ``unfold(X, n)``, and the core ``G = X x_0 U_0^T ... x_{d-1} U_{d-1}^T``.

    Args:
        X: a d-dimensional array; ranks: d ints with ``1 <= ranks[n] <= X.shape[n]``.

    Returns:
        ``(G, factors)``: ``G`` of shape ``ranks``, ``factors`` a list of d arrays ``(I_n, r_n)`` with
        orthonormal columns.

    Raises:
        ValueError: if ``len(ranks) != X.ndim`` or a rank is out of range.
    """
    raise NotImplementedError('hosvd: not implemented yet. See README.md (ps3_lowrank).')


def hooi(X, ranks, n_iter: int):
    """Tucker by higher-order orthogonal iteration, from the HOSVD.

    One sweep updates modes 0, 1, ..., d-1 in turn, each with the newest other factors:
    ``U_n`` = the ``ranks[n]`` leading left singular vectors of ``unfold(Y, n)``, where ``Y`` is
    ``X`` multiplied in every mode ``m != n`` by ``U_m^T``. After ``n_iter`` sweeps the core is
    ``G = X x_0 U_0^T ... x_{d-1} U_{d-1}^T``.

    Returns:
        ``(G, factors, rel_errors)``: as ``hosvd``, and ``n_iter + 1`` relative errors
        ``||X - tucker_to_tensor(G, factors)||_F / ||X||_F``: of the HOSVD, then after each sweep.

    Raises:
        ValueError: as ``hosvd``, or if ``n_iter < 0``.
    """
    raise NotImplementedError('hooi: not implemented yet. See README.md (ps3_lowrank).')


def tt_svd(X, *, max_rank=None, rel_eps=None):
    """The tensor train of ``X`` by TT-SVD (Oseledets 2011): sequential truncated SVDs, left to right.

    Step k (k = 1 .. d-1) takes the SVD of the current remainder reshaped to ``(r_{k-1} n_k, -1)``,
    keeps ``r_k`` singular triplets, makes ``U`` (reshaped to ``(r_{k-1}, n_k, r_k)``) the core
    ``G_k`` and carries ``diag(s) Vt`` on; the last remainder is the last core. ``r_k`` is the smallest
    r whose dropped tail ``(sum_{i>r} s_i^2)^{1/2}`` is at most ``rel_eps ||X||_F / sqrt(d - 1)``
    (when ``rel_eps`` is given), at most ``max_rank`` (when given), and at least 1.

    Args:
        X: a d-dimensional array, d >= 2; max_rank: an int >= 1 or None; rel_eps: a float >= 0 or
            None; at least one of the two.

    Returns:
        The cores, a list of d arrays ``(r_{k-1}, n_k, r_k)``; cores 0..d-2 are left-orthonormal
        (reshaped to ``(r_{k-1} n_k, r_k)`` they have orthonormal columns).

    Raises:
        ValueError: if neither ``max_rank`` nor ``rel_eps`` is given, or one is out of range.
    """
    raise NotImplementedError('tt_svd: not implemented yet. See README.md (ps3_lowrank).')


def tt_to_full(cores) -> np.ndarray:
    """The full tensor of a tensor train, shape ``(n_1, ..., n_d)``."""
    raise NotImplementedError('tt_to_full: not implemented yet. See README.md (ps3_lowrank).')


def tt_inner(a, b) -> float:
    """``<A, B> = sum A[i] B[i]`` of two tensor trains with the same mode sizes, without forming
    either tensor: ``O(d n r^3)`` work, not ``O(n^d)``.

    Returns:
        A Python ``float`` (a numpy scalar or 0-d array is accepted too).

    Raises:
        ValueError: if the trains have different lengths or mode sizes.
    """
    raise NotImplementedError('tt_inner: not implemented yet. See README.md (ps3_lowrank).')


def cp_als(X, rank: int, init, n_iter: int):
    """CP (CANDECOMP/PARAFAC) of rank ``rank`` by alternating least squares from ``init``.

    The model is ``X ~ sum_r U_0[:, r] ∘ U_1[:, r] ∘ ... ∘ U_{d-1}[:, r]``. One sweep updates
    ``U_0, U_1, ..., U_{d-1}`` in turn (Gauss-Seidel: each update uses the newest other factors),
    each to the least-squares minimiser with the others fixed:
    ``U_n = unfold(X, n) @ K_n @ inv(V_n)`` with ``K_n`` the Khatri-Rao product of the other factors
    (in the order that matches the C-order unfolding) and ``V_n`` the Hadamard product of their Gram
    matrices ``U_m^T U_m``. No normalisation.

    Args:
        X: a d-dimensional array; rank: an int >= 1; init: d arrays ``(I_n, rank)`` (not modified);
            n_iter: sweeps, an int >= 0.

    Returns:
        ``(factors, rel_errors)``: the d factors after ``n_iter`` sweeps, and ``n_iter + 1`` relative
        errors ``||X - cp(factors)||_F / ||X||_F``: of ``init``, then after each sweep.

    Raises:
        ValueError: if ``init`` does not match ``X`` and ``rank``, or ``n_iter < 0``.
    """
    raise NotImplementedError('cp_als: not implemented yet. See README.md (ps3_lowrank).')


def cp_to_tensor(factors) -> np.ndarray:
    """The full tensor ``sum_r U_0[:, r] ∘ ... ∘ U_{d-1}[:, r]`` (given: you may use it)."""
    factors = [np.asarray(U) for U in factors]
    shape = tuple(U.shape[0] for U in factors)
    return (factors[0] @ _khatri_rao(factors[1:]).T).reshape(shape)


def _khatri_rao(factors) -> np.ndarray:
    """Column-wise Kronecker product, the first factor's row index varying slowest (C order)."""
    out = np.ones((1, factors[0].shape[1]))
    for U in factors:
        out = (out[:, None, :] * U[None, :, :]).reshape(-1, U.shape[1])
    return out


# (add helper functions here if you need them)
