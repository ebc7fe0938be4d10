"""Correct adapters written differently: numpy arithmetic, numpy integers returned, the interleaved
tensor of the TT-matrix by moveaxis."""

import numpy as np


def lora_params(d, k, r):
    if d < 1 or k < 1 or r < 0:
        raise ValueError("need d, k >= 1 and r >= 0")
    return np.int64(r) * (d + k)


def tt_params(shape, ranks):
    shape = np.asarray(shape, dtype=np.int64)
    if shape.size == 0 or (shape < 1).any():
        raise ValueError("mode sizes must be >= 1")
    if np.ndim(ranks) == 0:
        if ranks < 1:
            raise ValueError("rank must be >= 1")
        ranks = np.r_[1, np.full(shape.size - 1, ranks), 1]
    ranks = np.asarray(ranks, dtype=np.int64)
    if ranks.size != shape.size + 1 or ranks[0] != 1 or ranks[-1] != 1 or (ranks < 1).any():
        raise ValueError("ranks must be [1, ..., 1] with one more entry than the modes")
    return np.sum(ranks[:-1] * shape * ranks[1:])


def tt_matrix(W, row_shape, col_shape, max_rank):
    W = np.asarray(W, dtype=float)
    rows, cols = list(row_shape), list(col_shape)
    d = len(rows)
    if len(cols) != d or max_rank < 1 or W.shape != (np.prod(rows), np.prod(cols)):
        raise ValueError("shapes do not fit W")
    # the interleaved tensor, built with einsum-style index juggling: axes (m1, n1, m2, n2, ...)
    T = np.moveaxis(W.reshape(rows + cols), list(range(d, 2 * d)), [2 * k + 1 for k in range(d)])
    T = T.reshape([m * n for m, n in zip(rows, cols, strict=True)])
    cores, r_prev, C = [], 1, T
    for k in range(d - 1):
        U, s, Vt = np.linalg.svd(C.reshape(r_prev * T.shape[k], -1), full_matrices=False)
        r = min(max_rank, len(s))
        cores.append(U[:, :r].reshape(r_prev, rows[k], cols[k], r))
        C = s[:r, None] * Vt[:r]
        r_prev = r
    cores.append(C.reshape(r_prev, rows[-1], cols[-1], 1))
    return cores
