"""Public checks of problem 5, Adadelta and Shampoo: Adadelta against torch.optim.Adadelta with the
default settings, Distributed Shampoo's test matrix for matrix_inverse_root, and the first step of
Shampoo (the orthogonalised gradient U V^T, as Muon's).

Expected values come from torch.optim and first principles, never from a reference solution. The
hidden checks add other settings, parameter groups, float32, trajectories and more shapes.
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.checks import assert_close, expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("adaptive2")

optimizer_trajectories = import_file("_ps4_methods_optimizer_trajectories",
                                     Path(__file__).parent / "optimizer_trajectories.py")
optimizers_driver = optimizer_trajectories.optimizers_driver
first_divergence = optimizer_trajectories.first_divergence


def test_adadelta_matches_torch_with_defaults(student):
    """Adadelta: 15 steps with the default settings equal torch.optim.Adadelta's (float64, 1e-10)"""
    assert student.adaptive2.Adadelta is not None  # a missing class or a broken import: reported as such
    want = optimizers_driver().run_trajectory(torch.optim.Adadelta, defaults={}, steps=15, seed=0)
    got = student.driver("optimizers").trajectory("Adadelta", {}, steps=15, seed=0)
    problem = first_divergence(got, want, 1e-10, "Adadelta()")
    assert problem is None, problem


def test_matrix_inverse_root_of_distributed_shampoos_matrix(student):
    """matrix_inverse_root: Distributed Shampoo's test matrix to the power -1/2"""
    A = torch.tensor([[1195.0, -944.0, -224.0], [-944.0, 746.0, 177.0], [-224.0, 177.0, 42.0]],
                     dtype=torch.float64)
    got = student.adaptive2.matrix_inverse_root(A, 2)
    expect_type(got, torch.Tensor, "matrix_inverse_root(A, 2)")
    expected = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, -3.0], [1.0, -3.0, 18.0]])
    assert_close(got.numpy(), expected, rtol=0.0, atol=1e-8, what="matrix_inverse_root(A, 2)")


def test_shampoos_first_step_is_orthogonalised(student):
    """Shampoo: with beta = 0 the first step is lr * U V^T (all singular values of the step / lr are 1)"""
    rng = np.random.default_rng(0)
    W, G = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    lr = 0.1
    step = student.driver("optimizers").first_step("Shampoo", W, G, {"lr": lr, "beta": 0.0})
    expect_type(step, np.ndarray, "the first step of Shampoo")
    U, _, Vt = np.linalg.svd(G, full_matrices=False)
    singular = np.linalg.svd(step / lr, compute_uv=False)
    assert np.all(np.abs(singular - 1.0) <= 1e-6), (
        "Shampoo(lr=0.1, beta=0): the singular values of the first step / lr are not all 1: the "
        "preconditioners are (G G^T)^(-1/4) and (G^T G)^(-1/4), exponent -1/4 on each side")
    assert_close(step, lr * U @ Vt, rtol=0.0, atol=1e-8, what="the first step of Shampoo(lr=0.1, beta=0)")
