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
TASK1_ANSWER = None  # your answer: 1, 2, 3 or 4


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
    raise NotImplementedError('chain_cost: not implemented yet. See README.md (ps1_linalg).')


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
    raise NotImplementedError('optimal_order: not implemented yet. See README.md (ps1_linalg).')


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
    raise NotImplementedError('chain_product: not implemented yet. See README.md (ps1_linalg).')


# (add helper functions here if you need them)
