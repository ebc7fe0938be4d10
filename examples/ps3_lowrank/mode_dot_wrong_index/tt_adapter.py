"""Bonus problem 6 — parameter counts of adapters: LoRA against a tensor-train adapter (LoRETTA).

A weight update ``Delta W`` (d x k) is trained either as LoRA, ``B A`` with ``B`` (d x r) and ``A``
(r x k), or as a tensor train: the d * k entries are reshaped into a tensor of shape
``(n_1, ..., n_m)`` (``n_1 * ... * n_m = d * k``) and stored as TT cores ``(r_{i-1}, n_i, r_i)`` with
``r_0 = r_m = 1``; or as a TT-matrix, whose cores carry a row and a column index each. README.md has
the lecture's worked example.
"""

from __future__ import annotations

import numpy as np


def lora_params(d: int, k: int, r: int) -> int:
    """The trainable parameters of LoRA of rank ``r`` on a d x k weight: ``r (d + k)``.

    Raises:
        ValueError: unless d, k >= 1 and r >= 0 are ints.
    """
    # BEGIN SOLUTION
    for name, value, low in (("d", d, 1), ("k", k, 1), ("r", r, 0)):
        _int(name, value, low)
    return int(r) * (int(d) + int(k))
    # END SOLUTION


def tt_params(shape, ranks) -> int:
    """The number of entries of the TT cores of a tensor of the given shape.

    Args:
        shape: the mode sizes ``(n_1, ..., n_m)``, ints >= 1, m >= 1.
        ranks: either one int r >= 1, the TT-rank of every inner bond (``r_0 = r_m = 1``), or the
            full list ``[r_0, r_1, ..., r_m]`` of m + 1 ints >= 1 with ``r_0 = r_m = 1``.

    Returns:
        ``sum_i r_{i-1} n_i r_i`` as a Python ``int``.

    Raises:
        ValueError: if a size or rank is not an int >= 1, or a rank list has the wrong length or
            ends that are not 1.
    """
    # BEGIN SOLUTION
    shape = [_int("shape entry", n, 1) for n in shape]
    if not shape:
        raise ValueError("shape needs at least one mode")
    if isinstance(ranks, int | np.integer) and not isinstance(ranks, bool):
        r = _int("rank", ranks, 1)
        ranks = [1] + [r] * (len(shape) - 1) + [1]
    else:
        ranks = [_int("rank", v, 1) for v in ranks]
        if len(ranks) != len(shape) + 1 or ranks[0] != 1 or ranks[-1] != 1:
            raise ValueError("ranks must be [1, r_1, ..., r_{m-1}, 1], one more than the modes")
    return sum(ranks[i] * n * ranks[i + 1] for i, n in enumerate(shape))
    # END SOLUTION


def tt_matrix(W, row_shape, col_shape, max_rank: int):
    """The TT-matrix of ``W``: cores ``G_k`` of shape ``(r_{k-1}, m_k, n_k, r_k)``, ``r_0 = r_d = 1``,
    with ``W[i, j] = G_1[:, i_1, j_1, :] G_2[:, i_2, j_2, :] ... G_d[:, i_d, j_d, :]``, where
    ``(i_1, ..., i_d)`` is the C-order multi-index of row ``i`` in ``row_shape`` and
    ``(j_1, ..., j_d)`` that of column ``j`` in ``col_shape``.

    Method: ``W.reshape(*row_shape, *col_shape)``, interleave the axes to
    ``(m_1, n_1, m_2, n_2, ...)``, merge each pair into one mode of size ``m_k n_k``, run TT-SVD with
    ``max_rank`` (problem 4's rule), and split each core's middle mode back into ``(m_k, n_k)``.

    Args:
        W: a 2-D float array of shape ``(prod(row_shape), prod(col_shape))``;
        row_shape, col_shape: d ints >= 1 each (the same d >= 1); max_rank: an int >= 1.

    Returns:
        The list of d cores (4-D numpy arrays); cores 0..d-2 are left-orthonormal (reshaped to
        ``(r_{k-1} m_k n_k, r_k)`` they have orthonormal columns).

    Raises:
        ValueError: if the shapes do not match ``W`` or each other, or ``max_rank < 1``.
    """
    # BEGIN SOLUTION
    W = np.asarray(W, dtype=np.float64)
    rows = [_int("row_shape entry", v, 1) for v in row_shape]
    cols = [_int("col_shape entry", v, 1) for v in col_shape]
    _int("max_rank", max_rank, 1)
    d = len(rows)
    if d < 1 or len(cols) != d or W.shape != (int(np.prod(rows)), int(np.prod(cols))):
        raise ValueError("W must have shape (prod(row_shape), prod(col_shape)) with d modes each")
    order = [axis for k in range(d) for axis in (k, d + k)]
    rest = W.reshape(*rows, *cols).transpose(order)
    cores, rank = [], 1
    for k in range(d - 1):
        U, s, Vt = np.linalg.svd(rest.reshape(rank * rows[k] * cols[k], -1), full_matrices=False)
        r = max(1, min(int(max_rank), s.size))
        cores.append(U[:, :r].reshape(rank, rows[k], cols[k], r))
        rest, rank = s[:r, None] * Vt[:r], r
    cores.append(rest.reshape(rank, rows[-1], cols[-1], 1))
    return cores
    # END SOLUTION


# BEGIN SOLUTION: # (add helper functions here if you need them)
def _int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an int >= {low}; got {value!r}")
    return int(value)
# END SOLUTION
