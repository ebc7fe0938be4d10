"""Public checks of bonus problem 6, adapter parameter counts: the lecture's worked example.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import expect_type

pytestmark = pytest.mark.problem("tt_adapter")


def test_loretta_worked_example(student):
    """tt_params: a 768 x 64 weight as an (8, 8, 12, 8, 8) tensor with TT-rank 5 has 780 parameters."""
    count = student.tt_adapter.tt_params((8, 8, 12, 8, 8), 5)
    expect_type(count, int, "tt_params((8, 8, 12, 8, 8), 5)")
    assert count == 780, (
        f"tt_params((8, 8, 12, 8, 8), 5) returned {count}; the cores are 1x8x5, 5x8x5, 5x12x5, 5x8x5 "
        f"and 5x8x1: 40 + 200 + 300 + 200 + 40 = 780")


def test_lora_worked_example(student):
    """lora_params: LoRA of rank 8 on a 768 x 64 weight trains 8 (768 + 64) = 6656 parameters."""
    count = student.tt_adapter.lora_params(768, 64, 8)
    expect_type(count, int, "lora_params(768, 64, 8)")
    assert count == 6656, f"lora_params(768, 64, 8) returned {count}; expected 8 * (768 + 64) = 6656"


def test_tt_matrix_of_a_kronecker_product(student):
    """tt_matrix: np.kron(A, B) (A 2 x 3, B 3 x 2) is a TT-matrix of rank 1: two cores, exact."""
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
    B = np.array([[1.0, 1.0], [0.0, 2.0], [3.0, 0.0]])
    cores = student.tt_adapter.tt_matrix(np.kron(A, B), (2, 3), (3, 2), 1)
    expect_type(cores, (list, tuple), "tt_matrix(W, (2, 3), (3, 2), 1)")
    shapes = [np.shape(c) for c in cores]
    assert shapes == [(1, 2, 3, 1), (1, 3, 2, 1)], (
        f"tt_matrix returned cores of shapes {shapes}; expected (1, 2, 3, 1) and (1, 3, 2, 1): "
        f"(r_prev, m_k, n_k, r_next)")
    G1, G2 = (np.asarray(c) for c in cores)
    full = np.einsum("aijb,bklc->ikjl", G1, G2).reshape(6, 6)
    error = float(np.abs(full - np.kron(A, B)).max())
    assert error <= 1e-12, (
        f"the TT-matrix's cores give a matrix {error:.3g} away from np.kron(A, B): "
        f"W[i, j] = G1[:, i1, j1, :] G2[:, i2, j2, :] with i = i1 * 3 + i2, j = j1 * 2 + j2")
