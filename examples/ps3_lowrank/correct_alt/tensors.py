"""Correct tensor decompositions written differently: transposes instead of moveaxis, einsum mode
products, HOOI errors from the core's norm, TT inner product by matrix products, and CP-ALS with
Kolda's Fortran-order unfolding and its matching Khatri-Rao product (the update is the same)."""

import numpy as np


def unfold(X, mode):
    X = np.asarray(X)
    if not 0 <= mode < X.ndim:
        raise ValueError("mode out of range")
    order = [mode] + [m for m in range(X.ndim) if m != mode]
    return X.transpose(order).reshape(X.shape[mode], -1)


def fold(M, mode, shape):
    shape = list(shape)
    order = [mode] + [m for m in range(len(shape)) if m != mode]
    full = np.asarray(M).reshape([shape[m] for m in order])
    return full.transpose(np.argsort(order))


def mode_dot(X, U, mode):
    X, U = np.asarray(X), np.asarray(U)
    if U.ndim != 2 or U.shape[1] != X.shape[mode]:
        raise ValueError("U must be (J, I_mode)")
    letters = "abcdefghijklmnop"[:X.ndim]
    out = letters[:mode] + "z" + letters[mode + 1:]
    return np.einsum(f"{letters},z{letters[mode]}->{out}", X, U)


def tucker_to_tensor(core, factors):
    out = core
    for n, U in enumerate(factors):
        out = mode_dot(out, U, n)
    return out


def _check_ranks(X, ranks):
    if len(ranks) != X.ndim or any(not 1 <= r <= s for r, s in zip(ranks, X.shape)):
        raise ValueError("ranks out of range")


def _core(X, factors):
    G = X
    for n, U in enumerate(factors):
        G = mode_dot(G, U.T, n)
    return G


def hosvd(X, ranks):
    X = np.asarray(X, dtype=float)
    _check_ranks(X, ranks)
    factors = [np.linalg.svd(unfold(X, n), full_matrices=False)[0][:, :r] for n, r in enumerate(ranks)]
    return _core(X, factors), factors


def _tucker_error(X, G):
    norm = np.linalg.norm(X)
    return float(np.sqrt(max(norm**2 - np.linalg.norm(G) ** 2, 0.0)) / norm)


def hooi(X, ranks, n_iter):
    X = np.asarray(X, dtype=float)
    if n_iter < 0:
        raise ValueError("n_iter >= 0")
    G, factors = hosvd(X, ranks)
    errors = [_tucker_error(X, G)]
    for _ in range(n_iter):
        for n in range(X.ndim):
            Y = X
            for m in range(X.ndim):
                if m != n:
                    Y = mode_dot(Y, factors[m].T, m)
            factors[n] = np.linalg.svd(unfold(Y, n), full_matrices=False)[0][:, :ranks[n]]
        G = _core(X, factors)
        errors.append(_tucker_error(X, G))
    return G, factors, np.array(errors)


def tt_svd(X, *, max_rank=None, rel_eps=None):
    X = np.asarray(X, dtype=float)
    if max_rank is None and rel_eps is None:
        raise ValueError("give max_rank or rel_eps")
    d = X.ndim
    delta = None if rel_eps is None else rel_eps * np.linalg.norm(X) / np.sqrt(d - 1)
    cores, r_prev, C = [], 1, X
    for k in range(d - 1):
        U, s, Vt = np.linalg.svd(C.reshape(r_prev * X.shape[k], -1), full_matrices=False)
        r = len(s)
        if delta is not None:
            r = 1
            while r < len(s) and np.sqrt(np.sum(s[r:] ** 2)) > delta:
                r += 1
        if max_rank is not None:
            r = min(r, max_rank)
        r = max(r, 1)
        cores.append(U[:, :r].reshape(r_prev, X.shape[k], r))
        C = np.diag(s[:r]) @ Vt[:r]
        r_prev = r
    cores.append(C.reshape(r_prev, X.shape[-1], 1))
    return cores


def tt_to_full(cores):
    out = np.ones((1, 1))
    shape = []
    for G in cores:
        shape.append(G.shape[1])
        out = (out @ G.reshape(G.shape[0], -1)).reshape(-1, G.shape[2])
    return out.reshape(shape)


def tt_inner(a, b):
    if len(a) != len(b):
        raise ValueError("different lengths")
    W = np.ones((1, 1))
    for x, y in zip(a, b):
        if x.shape[1] != y.shape[1]:
            raise ValueError("different mode sizes")
        # W_new[c, e] = sum_{a', n, b'} W[a', b'] x[a', n, c] y[b', n, e]
        Wy = (W @ y.reshape(y.shape[0], -1)).reshape(x.shape[0], -1)  # (ra, n * rb')
        W = x.reshape(-1, x.shape[2]).T @ Wy.reshape(-1, y.shape[2])
    return W[0, 0]  # a numpy scalar


def _unfold_f(X, n):
    return np.reshape(np.moveaxis(X, n, 0), (X.shape[n], -1), order="F")


def _khatri_rao_f(mats):
    out = mats[0]
    for U in mats[1:]:  # the later factor's row index varies slowest: matches order="F"
        out = np.einsum("ir,jr->jir", out, U).reshape(-1, out.shape[1])
    return out


def _cp_error(X, factors):
    full = np.einsum("ir,jr->ijr", factors[0], factors[1])
    for U in factors[2:]:
        full = np.einsum("...r,kr->...kr", full, U)
    return float(np.linalg.norm(X - full.sum(-1)) / np.linalg.norm(X))


def cp_als(X, rank, init, n_iter):
    X = np.asarray(X, dtype=float)
    factors = [np.array(U, dtype=float) for U in init]
    if len(factors) != X.ndim or any(U.shape != (s, rank) for U, s in zip(factors, X.shape)):
        raise ValueError("init does not match X and rank")
    if n_iter < 0:
        raise ValueError("n_iter >= 0")
    errors = [_cp_error(X, factors)]
    for _ in range(n_iter):
        for n in range(X.ndim):
            others = [factors[m] for m in range(X.ndim) if m != n]
            V = np.prod([U.T @ U for U in others], axis=0)
            factors[n] = np.linalg.solve(V, (_unfold_f(X, n) @ _khatri_rao_f(others)).T).T
        errors.append(_cp_error(X, factors))
    return factors, errors


def cp_to_tensor(factors):
    full = np.einsum("ir,jr->ijr", factors[0], factors[1])
    for U in factors[2:]:
        full = np.einsum("...r,kr->...kr", full, U)
    return full.sum(-1)
