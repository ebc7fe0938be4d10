"""Correct adapter counts written differently: numpy arithmetic, numpy integers returned."""

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
