"""Problem 1 — matrix chain order.

Multiplying k matrices gives the same result in every parenthesization (up to rounding), but the
work can differ by orders of magnitude. Here you count that work, find the cheapest order by
dynamic programming, and use it to multiply a chain of numpy arrays or torch tensors.

Conventions (see README.md for the details and a worked example):

- ``dims`` is a sequence of k + 1 positive integers; matrix i has shape ``dims[i] x dims[i + 1]``.
- An *order* is either an int i (matrix i on its own) or a pair ``(left, right)`` of orders, e.g.
  ``((0, 1), 2)`` means (A0 A1) A2. Pairs may be tuples or lists. Read left to right, the leaves of
  an order must be exactly 0, 1, ..., k - 1.
- Multiplying a p x q matrix by a q x r matrix costs p * q * r scalar multiplications.
"""

from __future__ import annotations

import numpy as np

# Seminar 1, task 1. For b = A1 A2 A3 x with dense n x n matrices A_i and a vector x in R^n,
# which way of computing b is best?
#   1: left to right, ((A1 A2) A3) x      2: right to left, A1 (A2 (A3 x))
#   3: it makes no difference             4: the two ways give different results
# BEGIN SOLUTION: TASK1_ANSWER = None  # your answer: 1, 2, 3 or 4
TASK1_ANSWER = 2
# END SOLUTION


def chain_cost(dims, order) -> int:
    """Number of scalar multiplications to multiply the chain ``dims`` in the given ``order``.

    Args:
        dims: k + 1 positive integers (list, tuple or 1-D integer array); matrix i is
            ``dims[i] x dims[i + 1]``.
        order: a full parenthesization of the matrices 0, ..., k - 1: an int for one matrix,
            or a pair (tuple or list of exactly two elements) of orders, nested as deep as needed.

    Returns:
        The cost as a Python ``int``; 0 for a single matrix.

    Raises:
        ValueError: if ``dims`` has fewer than two entries or an entry that is not a positive
            integer, or if ``order`` is not a full binary bracketing of 0, ..., k - 1 in this
            sequence (an index missing, repeated, out of range or out of place; a pair that does
            not have exactly two elements; a leaf that is not an int, ``bool`` included).

    Example:
        >>> chain_cost([10, 30, 5, 60], ((0, 1), 2))
        4500
    """
    # BEGIN SOLUTION
    dims = _checked_dims(dims)
    k = len(dims) - 1

    def walk(node, first: int) -> tuple[int, int]:
        """Cost of the sub-order ``node`` whose first leaf must be ``first``; returns
        (cost, index of its last leaf)."""
        if isinstance(node, tuple | list):
            if len(node) != 2:
                raise ValueError(f"a pair in the order has {len(node)} element(s); expected 2")
            left_cost, middle = walk(node[0], first)
            right_cost, last = walk(node[1], middle + 1)
            return left_cost + right_cost + dims[first] * dims[middle + 1] * dims[last + 1], last
        if isinstance(node, bool | np.bool_) or not isinstance(node, int | np.integer):
            raise ValueError(f"a leaf of the order is {node!r}; leaves are int matrix indices")
        if first >= k:
            raise ValueError(f"the order has more leaves than the {k} matrices of the chain")
        if int(node) != first:
            raise ValueError(f"matrix {int(node)} stands where matrix {first} should be: the "
                             f"leaves of an order must read 0, 1, ..., {k - 1} from left to right")
        return 0, first

    cost, last = walk(order, 0)
    if last != k - 1:
        raise ValueError(f"the order covers matrices 0..{last}; the chain has {k} matrices")
    return int(cost)
    # END SOLUTION


def optimal_order(dims) -> tuple[int, object]:
    """The minimal cost of multiplying the chain ``dims`` and one order that achieves it.

    Use dynamic programming over sub-chains (O(k^3) time, O(k^2) memory): for k = 150 matrices it
    must take well under a second.

    Args:
        dims: k + 1 positive integers, as for ``chain_cost``.

    Returns:
        A tuple ``(cost, order)``: ``cost`` a Python ``int``, ``order`` an order in the format
        ``chain_cost`` takes with ``chain_cost(dims, order) == cost``. Any optimal order is fine
        when several tie. For one matrix: ``(0, 0)``.

    Raises:
        ValueError: for bad ``dims``, as in ``chain_cost``.

    Example:
        >>> optimal_order([10, 30, 5, 60])
        (4500, ((0, 1), 2))
    """
    # BEGIN SOLUTION
    dims = _checked_dims(dims)
    k = len(dims) - 1
    # best[i][j]: minimal cost of the sub-chain i..j; split[i][j]: the last matrix of its left part.
    best = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(2, k + 1):
        for i in range(k - length + 1):
            j = i + length - 1
            row, outer = best[i], dims[i] * dims[j + 1]
            cost, m = min((row[m] + best[m + 1][j] + outer * dims[m + 1], m) for m in range(i, j))
            best[i][j], split[i][j] = cost, m

    def build(i: int, j: int):
        if i == j:
            return i
        m = split[i][j]
        return (build(i, m), build(m + 1, j))

    return int(best[0][k - 1]), build(0, k - 1)
    # END SOLUTION


def chain_product(mats):
    """The product ``mats[0] @ mats[1] @ ... @ mats[k - 1]``, computed in an optimal order.

    Find the order with ``optimal_order`` on the shapes, then multiply in that order with ``@``.
    The last factor may be a 1-D vector: it is treated as a column, and the result is then 1-D.

    Args:
        mats: a non-empty list or tuple of numpy arrays, or of torch tensors (CPU or CUDA); all but
            the last are 2-D, the last is 2-D or 1-D.

    Returns:
        The product, of the same type, dtype and device as the inputs (do not convert torch
        tensors to numpy or move them to another device).

    Raises:
        ValueError: if the list is empty, a factor has the wrong number of dimensions, or two
            neighbouring shapes do not match (``mats[i].shape[1] != mats[i + 1].shape[0]``).
    """
    # BEGIN SOLUTION
    mats = list(mats)
    if not mats:
        raise ValueError("chain_product needs at least one factor")
    for i, a in enumerate(mats):
        allowed = (1, 2) if i == len(mats) - 1 else (2,)
        if a.ndim not in allowed:
            raise ValueError(f"factor {i} has {a.ndim} dimensions; only the last factor may be "
                             f"1-D and all others must be 2-D")
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise ValueError(f"factor {i} has shape {tuple(mats[i].shape)} and factor {i + 1} "
                             f"shape {tuple(mats[i + 1].shape)}: they cannot be multiplied")
    last = mats[-1]
    dims = [int(a.shape[0]) for a in mats] + [int(last.shape[1]) if last.ndim == 2 else 1]
    _, order = optimal_order(dims)

    def evaluate(node):
        # A 1-D last factor is always the right operand of its parent, so ``@`` keeps it a column.
        if isinstance(node, int):
            return mats[node]
        return evaluate(node[0]) @ evaluate(node[1])

    return evaluate(order)
    # END SOLUTION


# BEGIN SOLUTION: # (add helper functions here if you need them)
def _checked_dims(dims) -> list[int]:
    """``dims`` as a list of Python ints, or ValueError."""
    try:
        values = list(dims)
    except TypeError:
        raise ValueError(f"dims must be a sequence of positive ints, not {dims!r}") from None
    if len(values) < 2:
        raise ValueError(f"dims needs at least two entries (one matrix); got {len(values)}")
    for d in values:
        if isinstance(d, bool | np.bool_) or not isinstance(d, int | np.integer) or d <= 0:
            raise ValueError(f"every entry of dims must be a positive int; got {d!r}")
    return [int(d) for d in values]
# END SOLUTION
