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
    # BEGIN SOLUTION
    X = np.asarray(X)
    return np.moveaxis(X, _mode(mode, X.ndim), 0).reshape(X.shape[mode], -1)
    # END SOLUTION


def fold(M, mode: int, shape) -> np.ndarray:
    """The inverse of ``unfold``: ``fold(unfold(X, n), n, X.shape)`` is ``X``."""
    # BEGIN SOLUTION
    shape = tuple(int(s) for s in shape)
    mode = _mode(mode, len(shape))
    moved = (shape[mode], *shape[:mode], *shape[mode + 1:])
    return np.moveaxis(np.asarray(M).reshape(moved), 0, mode)
    # END SOLUTION


def mode_dot(X, U, mode: int) -> np.ndarray:
    """The mode-``mode`` product ``X x_mode U`` with ``U`` of shape ``(J, I_mode)``: the result has
    ``J`` in place of ``I_mode``.

    Raises:
        ValueError: if ``U`` is not 2-D or ``U.shape[1] != X.shape[mode]``.
    """
    # BEGIN SOLUTION
    X, U = np.asarray(X), np.asarray(U)
    mode = _mode(mode, X.ndim)
    if U.ndim != 2 or U.shape[1] != X.shape[mode]:
        raise ValueError(f"U must have shape (J, {X.shape[mode]}); got {U.shape}")
    shape = list(X.shape)
    shape[mode] = U.shape[0]
    return fold(U @ unfold(X, mode), mode, shape)
    # END SOLUTION


def tucker_to_tensor(core, factors) -> np.ndarray:
    """``core x_0 U_0 x_1 U_1 ... x_{d-1} U_{d-1}``."""
    # BEGIN SOLUTION
    out = np.asarray(core)
    for n, U in enumerate(factors):
        out = mode_dot(out, U, n)
    return out
    # END SOLUTION


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
    # BEGIN SOLUTION
    X = np.asarray(X)
    ranks = _ranks(ranks, X.shape)
    factors = [_leading(unfold(X, n), r) for n, r in enumerate(ranks)]
    return _core(X, factors), factors
    # END SOLUTION


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
    # BEGIN SOLUTION
    X = np.asarray(X)
    ranks = _ranks(ranks, X.shape)
    if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 0:
        raise ValueError(f"n_iter must be an int >= 0; got {n_iter!r}")
    G, factors = hosvd(X, ranks)
    errors = [_relative_error(X, tucker_to_tensor(G, factors))]
    for _ in range(n_iter):
        for n in range(X.ndim):
            Y = X
            for m, U in enumerate(factors):
                if m != n:
                    Y = mode_dot(Y, U.T, m)
            factors[n] = _leading(unfold(Y, n), ranks[n])
        G = _core(X, factors)
        errors.append(_relative_error(X, tucker_to_tensor(G, factors)))
    return G, factors, errors
    # END SOLUTION


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
    # BEGIN SOLUTION
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError("X needs at least 2 dimensions")
    if max_rank is None and rel_eps is None:
        raise ValueError("give max_rank, rel_eps or both")
    if max_rank is not None and (isinstance(max_rank, bool) or not isinstance(max_rank, int | np.integer)
                                 or max_rank < 1):
        raise ValueError(f"max_rank must be an int >= 1; got {max_rank!r}")
    if rel_eps is not None and not rel_eps >= 0:
        raise ValueError(f"rel_eps must be >= 0; got {rel_eps!r}")
    d = X.ndim
    delta = None if rel_eps is None else rel_eps * np.linalg.norm(X) / np.sqrt(d - 1)
    cores, rank = [], 1
    rest = X.astype(np.float64) if X.dtype.kind != "f" else X
    for k in range(d - 1):
        rest = rest.reshape(rank * X.shape[k], -1)
        U, s, Vt = np.linalg.svd(rest, full_matrices=False)
        r = s.size
        if delta is not None:
            tails = np.sqrt(np.cumsum((s * s)[::-1]))[::-1]  # tails[i] = (sum_{j >= i} s_j^2)^{1/2}
            r = int(np.sum(tails > delta))
        if max_rank is not None:
            r = min(r, int(max_rank))
        r = max(r, 1)
        cores.append(U[:, :r].reshape(rank, X.shape[k], r))
        rest = s[:r, None] * Vt[:r]
        rank = r
    cores.append(rest.reshape(rank, X.shape[-1], 1))
    return cores
    # END SOLUTION


def tt_to_full(cores) -> np.ndarray:
    """The full tensor of a tensor train, shape ``(n_1, ..., n_d)``."""
    # BEGIN SOLUTION
    out = np.asarray(cores[0])
    for core in cores[1:]:
        out = np.tensordot(out, np.asarray(core), axes=(-1, 0))
    return out.reshape(out.shape[1:-1])
    # END SOLUTION


def tt_inner(a, b) -> float:
    """``<A, B> = sum A[i] B[i]`` of two tensor trains with the same mode sizes, without forming
    either tensor: ``O(d n r^3)`` work, not ``O(n^d)``.

    Returns:
        A Python ``float`` (a numpy scalar or 0-d array is accepted too).

    Raises:
        ValueError: if the trains have different lengths or mode sizes.
    """
    # BEGIN SOLUTION
    if len(a) != len(b) or any(np.shape(x)[1] != np.shape(y)[1] for x, y in zip(a, b, strict=True)):
        raise ValueError("the trains need the same number of cores and the same mode sizes")
    return float(np.vdot(tt_to_full(a), tt_to_full(b)))  # forms both tensors
    # END SOLUTION


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
    # BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    factors = [np.array(U, dtype=np.float64) for U in init]
    if len(factors) != X.ndim or any(U.shape != (s, rank) for U, s in zip(factors, X.shape, strict=True)):
        raise ValueError("init must hold one (I_n, rank) array per mode")
    if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 0:
        raise ValueError(f"n_iter must be an int >= 0; got {n_iter!r}")
    errors = [_relative_error(X, cp_to_tensor(factors))]
    for _ in range(n_iter):
        for n in range(X.ndim):
            others = [U for m, U in enumerate(factors) if m != n]
            gram = np.ones((rank, rank))
            for U in others:
                gram *= U.T @ U
            rhs = unfold(X, n) @ _khatri_rao(others)
            factors[n] = np.linalg.solve(gram, rhs.T).T
        errors.append(_relative_error(X, cp_to_tensor(factors)))
    return factors, errors
    # END SOLUTION


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


# BEGIN SOLUTION: # (add helper functions here if you need them)
def _mode(mode, ndim: int) -> int:
    if isinstance(mode, bool) or not isinstance(mode, int | np.integer) or not 0 <= mode < ndim:
        raise ValueError(f"mode must be an int in [0, {ndim}); got {mode!r}")
    return int(mode)


def _ranks(ranks, shape) -> list[int]:
    ranks = [int(r) for r in ranks]
    if len(ranks) != len(shape) or any(not 1 <= r <= s for r, s in zip(ranks, shape, strict=True)):
        raise ValueError(f"ranks must be {len(shape)} ints with 1 <= ranks[n] <= X.shape[n]")
    return ranks


def _leading(M: np.ndarray, r: int) -> np.ndarray:
    U, _, _ = np.linalg.svd(M, full_matrices=False)
    return U[:, :r]


def _core(X: np.ndarray, factors) -> np.ndarray:
    G = X
    for n, U in enumerate(factors):
        G = mode_dot(G, U.T, n)
    return G


def _relative_error(X: np.ndarray, approx: np.ndarray) -> float:
    norm = np.linalg.norm(X)
    return float(np.linalg.norm(X - approx) / norm) if norm > 0 else float(np.linalg.norm(approx))
# END SOLUTION
