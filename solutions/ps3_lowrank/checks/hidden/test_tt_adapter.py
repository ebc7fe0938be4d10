"""Hidden checks of bonus problem 6, adapters: parameter counts on random shapes and ranks (a uniform
int rank and full rank lists), LoRA counts, the TT-matrix of a weight (core shapes, ranks,
left-orthonormality, exact recovery, the TT-SVD error window, rebuilt here in C order), and the invalid
arguments. Counts are exact integers.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("tt_adapter")

HIDDEN = Path(__file__).parent  # the helpers these hidden checks share
value_error_cases = import_file("_ps3_lowrank_value_error_cases", HIDDEN / "value_error_cases.py")


def count(shape, ranks):
    return sum(ranks[i] * n * ranks[i + 1] for i, n in enumerate(shape))


@pytest.mark.weight(2)
def test_tt_params_random(student, rng):
    """tt_params: random shapes with a uniform rank and with a full rank list (m = 1 included)."""
    for _ in range(12):
        m = int(rng.integers(1, 7))
        shape = tuple(int(v) for v in rng.integers(1, 20, size=m))
        if rng.random() < 0.5:
            r = int(rng.integers(1, 9))
            ranks, arg = [1] + [r] * (m - 1) + [1], r
        else:
            ranks = [1] + [int(v) for v in rng.integers(1, 9, size=m - 1)] + [1]
            arg = list(ranks)
        got = student.tt_adapter.tt_params(shape, arg)
        expect_type(got, int, "tt_params(shape, ranks)")
        assert got == count(shape, ranks), (
            "tt_params returned a wrong count: the cores are (r_{i-1}, n_i, r_i) with r_0 = r_m = 1")


def test_lora_params_random(student, rng):
    """lora_params: random d, k and r (r = 0 included)."""
    for d, k, r in [(1, 1, 0), *(tuple(int(v) for v in rng.integers(1, 5000, size=3)) for _ in range(8))]:
        got = student.tt_adapter.lora_params(d, k, r)
        expect_type(got, int, "lora_params(d, k, r)")
        assert got == r * (d + k), "lora_params returned a wrong count: B is d x r and A is r x k"


def test_invalid_arguments_are_rejected(student):
    """Zero sizes, zero ranks, rank lists of the wrong length or with ends other than 1 raise ValueError."""
    t = student.tt_adapter
    cases = [
        ("tt_params with a mode of size 0", lambda: t.tt_params((4, 0, 3), 2)),
        ("tt_params with rank 0", lambda: t.tt_params((4, 5), 0)),
        ("tt_params with a rank list of the wrong length", lambda: t.tt_params((4, 5, 6), [1, 2, 1])),
        ("tt_params with r_0 != 1", lambda: t.tt_params((4, 5), [2, 3, 1])),
        ("lora_params with d = 0", lambda: t.lora_params(0, 5, 2)),
        ("tt_matrix with shapes that do not fit W", lambda: t.tt_matrix(np.ones((6, 4)), (2, 2), (2, 2), 2)),
    ]
    value_error_cases.count_value_errors(cases)


def matrix_full(cores, rows, cols):
    """The matrix of TT-matrix cores (r_prev, m_k, n_k, r_next), C-order row and column indices."""
    out = np.ones((1, 1))
    for core in cores:
        out = np.tensordot(out, core, axes=(-1, 0))
    d = len(rows)
    out = out.reshape([v for k in range(d) for v in (rows[k], cols[k])])
    return out.transpose([2 * k for k in range(d)] + [2 * k + 1 for k in range(d)]).reshape(
        int(np.prod(rows)), int(np.prod(cols)))


def judge_tt_matrix(student, W, rows, cols, max_rank, what):
    cores = student.tt_adapter.tt_matrix(W, rows, cols, max_rank)
    expect_type(cores, (list, tuple), f"tt_matrix on {what}")
    if len(cores) != len(rows):
        raise AssertionError(f"tt_matrix on {what} returned {len(cores)} cores; expected one per mode")
    arrays, rank = [], 1
    for k, core in enumerate(cores):
        expect_type(core, np.ndarray, f"tt_matrix on {what}, core {k}")
        if core.ndim != 4 or core.shape[:3] != (rank, rows[k], cols[k]) or core.shape[3] > max_rank:
            raise AssertionError(f"tt_matrix on {what}: core {k} has shape {core.shape}; expected "
                                 f"(r_prev, m_k, n_k, r_next) with r_prev from the previous core and "
                                 f"r_next <= max_rank")
        rank = core.shape[3]
        arrays.append(core.astype(np.float64))
    if rank != 1:
        raise AssertionError(f"tt_matrix on {what}: the last core's last size must be 1")
    for k, core in enumerate(arrays[:-1]):
        M = core.reshape(-1, core.shape[3])
        if np.linalg.norm(M.T @ M - np.eye(M.shape[1])) > 1e-10:
            raise AssertionError(f"tt_matrix on {what}: core {k} is not left-orthonormal")
    return matrix_full(arrays, rows, cols)


@pytest.mark.weight(2)
def test_tt_matrix(student, rng):
    """tt_matrix: exact on TT-matrices of low rank; on random weights, the error inside the TT-SVD window."""
    for rows, cols, ranks in (((2, 3, 2), (3, 2, 2), (2, 3)), ((4, 3), (2, 5), (3,))):
        ranks = [1, *ranks, 1]
        cores = [rng.standard_normal((ranks[k], m, n, ranks[k + 1]))
                 for k, (m, n) in enumerate(zip(rows, cols, strict=True))]
        W = matrix_full(cores, rows, cols)
        full = judge_tt_matrix(student, W, rows, cols, max(ranks), "a TT-matrix of low rank")
        error = float(np.linalg.norm(full - W) / np.linalg.norm(W))
        assert error <= 1e-9, "tt_matrix does not recover a TT-matrix whose ranks are at most max_rank"
    rows, cols, max_rank = (3, 2, 4), (2, 4, 3), 3
    W = rng.standard_normal((24, 24))
    full = judge_tt_matrix(student, W, rows, cols, max_rank, "a random weight")
    X = W.reshape(*rows, *cols).transpose(0, 3, 1, 4, 2, 5)
    tails = []
    for k in range(len(rows) - 1):
        s = np.linalg.svd(X.reshape(int(np.prod(X.shape[:2 * k + 2])), -1), compute_uv=False)
        tails.append(float(np.sqrt(np.sum(s[max_rank:] ** 2))))
    error = float(np.linalg.norm(full - W))
    tol = 1e-12 * np.linalg.norm(W)
    assert max(tails) - tol <= error <= np.sqrt(np.sum(np.square(tails))) + tol, (
        "tt_matrix on a random weight: the error lies outside the TT-SVD window of the tensor with "
        "modes (m_1 n_1, ..., m_d n_d), C order")
