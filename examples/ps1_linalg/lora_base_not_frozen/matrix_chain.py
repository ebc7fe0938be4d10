# A correct solution written differently from the reference (memoized recursion, lists as orders): full marks.
"""Matrix chain order."""

from functools import lru_cache

import numpy as np

TASK1_ANSWER = 2


def _dims(dims):
    dims = list(dims)
    if len(dims) < 2:
        raise ValueError("need at least two dims")
    for d in dims:
        if type(d) is bool or not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(f"bad dimension {d!r}")
    return [int(d) for d in dims]


def _leaves(order, out):
    """Collect the leaves of order into out, checking that every node is a pair."""
    if isinstance(order, (list, tuple)):
        if len(order) != 2:
            raise ValueError("every pair must have two elements")
        _leaves(order[0], out)
        _leaves(order[1], out)
    elif type(order) is int:
        out.append(order)
    else:
        raise ValueError(f"leaf {order!r} is not an int")
    return out


def chain_cost(dims, order):
    dims = _dims(dims)
    if _leaves(order, []) != list(range(len(dims) - 1)):
        raise ValueError("the leaves must be 0, 1, ..., k-1 in order")

    def shape_cost(node):  # (rows, cols, cost)
        if isinstance(node, int):
            return dims[node], dims[node + 1], 0
        r1, c1, x = shape_cost(node[0])
        r2, c2, y = shape_cost(node[1])
        return r1, c2, x + y + r1 * c1 * c2

    return shape_cost(order)[2]


def optimal_order(dims):
    dims = _dims(dims)

    @lru_cache(maxsize=None)
    def best(i, j):  # (cost, order) for matrices i..j
        if i == j:
            return 0, i
        options = []
        for s in range(i, j):
            left, right = best(i, s)[0], best(s + 1, j)[0]
            options.append((left + right + dims[i] * dims[s + 1] * dims[j + 1], s))
        cost, s = min(options)
        return cost, [best(i, s)[1], best(s + 1, j)[1]]

    k = len(dims) - 1
    for j in range(k):  # fill short sub-chains first so that the recursion stays shallow
        for i in range(j, -1, -1):
            best(i, j)
    return best(0, k - 1)


def chain_product(mats):
    if len(mats) == 0:
        raise ValueError("no matrices")
    *front, last = mats
    if any(m.ndim != 2 for m in front) or last.ndim not in (1, 2):
        raise ValueError("all factors must be 2-D, except a 1-D vector at the end")
    vector = last.ndim == 1
    mats = list(front) + [last.reshape(-1, 1) if vector else last]
    for a, b in zip(mats, mats[1:]):
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"shapes {tuple(a.shape)} and {tuple(b.shape)} do not match")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    order = optimal_order(dims)[1]

    def run(node):
        return mats[node] if isinstance(node, int) else run(node[0]) @ run(node[1])

    result = run(order)
    return result.reshape(-1) if vector else result
