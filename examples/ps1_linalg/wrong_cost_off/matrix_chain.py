# Off-by-one in optimal_order's split cost (dims[t], not dims[t + 1]); chain_cost and TASK1_ANSWER right.
"""Matrix chain order."""

import numpy as np

TASK1_ANSWER = 2


def check_dims(dims):
    dims = [int(d) if isinstance(d, (int, np.integer)) and not isinstance(d, bool) else d
            for d in dims]
    if len(dims) < 2 or any(type(d) is not int or d <= 0 for d in dims):
        raise ValueError("dims must be at least two positive integers")
    return dims


def chain_cost(dims, order):
    dims = check_dims(dims)
    k = len(dims) - 1

    def go(o, start):  # returns (cost, next index)
        if isinstance(o, (tuple, list)):
            if len(o) != 2:
                raise ValueError("pairs need two elements")
            c1, mid = go(o[0], start)
            c2, end = go(o[1], mid)
            return c1 + c2 + dims[start] * dims[mid] * dims[end], end
        if type(o) is not int or o != start or o >= k:
            raise ValueError(f"unexpected leaf {o!r}")
        return 0, start + 1

    cost, end = go(order, 0)
    if end != k:
        raise ValueError("the order does not cover the whole chain")
    return cost


def optimal_order(dims):
    dims = check_dims(dims)
    k = len(dims) - 1
    m = [[0] * k for _ in range(k)]
    s = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            m[i][j] = None
            for t in range(i, j):
                c = m[i][t] + m[t + 1][j] + dims[i] * dims[t] * dims[j + 1]
                if m[i][j] is None or c < m[i][j]:
                    m[i][j], s[i][j] = c, t

    def build(i, j):
        return i if i == j else (build(i, s[i][j]), build(s[i][j] + 1, j))

    return m[0][k - 1], build(0, k - 1)


def chain_product(mats):
    if not mats:
        raise ValueError("empty chain")
    for i, m in enumerate(mats):
        if m.ndim != 2 and not (m.ndim == 1 and i == len(mats) - 1):
            raise ValueError(f"factor {i} has the wrong number of dimensions")
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise ValueError(f"factors {i} and {i + 1} do not fit")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1] if mats[-1].ndim == 2 else 1]
    _, order = optimal_order(dims)

    def mult(o):
        return mats[o] if isinstance(o, int) else mult(o[0]) @ mult(o[1])

    return mult(order)
