"""Hidden checks of problem 5, Adadelta and Shampoo: Adadelta against torch.optim.Adadelta with other
settings, weight decay, maximize, two parameter groups and float32; matrix_inverse_root on random
positive definite and singular matrices; Shampoo's first step on several shapes and betas (the
orthogonalised gradient, which the -1/2-exponent bug misses), trajectories against the reference,
a precondition frequency, and a decreasing loss on a least-squares problem.

Seeds come from the ``rng`` fixture (secret). Expected values come from torch.optim and the
reference, computed here. Messages name steps and parameters, never hidden values.
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.checks import assert_close, expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("adaptive2")

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
optimizer_trajectories = import_file("_ps4_methods_optimizer_trajectories",
                                     PUBLIC / "optimizer_trajectories.py")
optimizers_driver = optimizer_trajectories.optimizers_driver
first_divergence = optimizer_trajectories.first_divergence


def seed_from(rng) -> int:
    return int(rng.integers(2**31))


ADADELTA_CASES = [  # (defaults, groups, dtype, rtol)
    ({"lr": 0.5, "rho": 0.95, "eps": 1e-5}, None, "float64", 1e-10),
    ({"lr": 2.0, "weight_decay": 0.1}, None, "float64", 1e-10),
    ({"lr": 0.3, "maximize": True}, None, "float64", 1e-10),
    ({}, ({"lr": 0.5, "rho": 0.8}, {"lr": 1.5, "weight_decay": 0.05}), "float64", 1e-10),
    ({"lr": 0.7}, None, "float32", 1e-5),
]


@pytest.mark.weight(6)
def test_adadelta_matches_torch(student, rng):
    """Adadelta: 20 steps equal torch.optim.Adadelta's (settings, decay, maximize, groups, float32)"""
    assert student.adaptive2.Adadelta is not None  # a missing class or a broken import: reported as such
    driver = optimizers_driver()
    problems = []
    for defaults, groups, dtype, rtol in ADADELTA_CASES:
        seed = seed_from(rng)
        want = driver.run_trajectory(torch.optim.Adadelta, defaults=defaults, groups=groups, dtype=dtype,
                                     steps=20, seed=seed)
        got = student.driver("optimizers").trajectory("Adadelta", defaults, groups, dtype, 20, seed)
        settings = ", ".join(f"{k}={v}" for k, v in defaults.items()) + (", two groups" if groups else "")
        problem = first_divergence(got, want, rtol, f"Adadelta({settings}) in {dtype}")
        if problem:
            problems.append(problem)
    assert not problems, f"{len(problems)} of {len(ADADELTA_CASES)} settings differ: {problems[0]}"


@pytest.mark.weight(3)
def test_matrix_inverse_root_on_random_matrices(student, reference, rng):
    """matrix_inverse_root: p = 2 and 4 on random positive definite matrices, singular ones with eps"""
    for n, p, eps, rank in ((6, 4, 0.0, 6), (5, 2, 0.0, 5), (7, 4, 1e-3, 3), (4, 2, 1e-6, 1)):
        B = torch.tensor(rng.standard_normal((n, rank)), dtype=torch.float64)
        A = B @ B.T + (0.5 * torch.eye(n, dtype=torch.float64) if rank == n else 0.0)
        got = student.adaptive2.matrix_inverse_root(A, p, eps)
        expect_type(got, torch.Tensor, "matrix_inverse_root(A, p, eps)")
        expected = reference.adaptive2.matrix_inverse_root(A, p, eps).numpy()
        scale = float(np.max(np.abs(expected)))
        assert_close(got.numpy(), expected, rtol=0.0, atol=1e-8 * scale,
                     what=f"matrix_inverse_root(A, {p}, eps={eps:g}) for a {n}x{n} matrix of rank {rank}")


@pytest.mark.weight(4)
def test_shampoos_first_step_on_several_shapes(student, rng):
    """Shampoo: the first step is lr (1 - beta)^(-1/2) U V^T for matrices of several shapes"""
    for shape, beta in (((4, 4), 0.0), ((3, 7), 0.0), ((8, 2), 0.9), ((5, 5), 0.999)):
        W, G = rng.standard_normal(shape), rng.standard_normal(shape)
        lr = float(rng.uniform(0.01, 0.5))
        step = student.driver("optimizers").first_step("Shampoo", W, G, {"lr": lr, "beta": beta})
        expect_type(step, np.ndarray, "the first step of Shampoo")
        U, S, Vt = np.linalg.svd(G, full_matrices=False)
        # (L + eps I)^(-1/4) G (R + eps I)^(-1/4) with L = (1 - beta) G G^T, R = (1 - beta) G^T G:
        # U diag(s / sqrt((1 - beta) s^2 + eps)) V^T, about (1 - beta)^(-1/2) U V^T when eps << s^2.
        expected = lr * (U * (S / np.sqrt((1 - beta) * S**2 + 1e-12))) @ Vt
        assert_close(step, expected, rtol=0.0, atol=1e-7 * float(np.max(np.abs(expected))),
                     what=f"the first step of Shampoo(beta={beta}) on a {shape[0]}x{shape[1]} parameter "
                          "(expected about lr (1 - beta)^(-1/2) U V^T: exponent -1/4 on each side)")


@pytest.mark.weight(6)
@pytest.mark.parametrize("defaults", [
    {"lr": 0.05, "beta": 0.9},
    {"lr": 0.02, "beta": 0.99, "eps": 1e-8, "weight_decay": 0.1},
    # eps = 1e-6 here: roots kept for three steps amplify new gradient directions outside the old
    # statistics' range by eps^(-1/4); with eps = 1e-12 (1000x) rounding-level differences between
    # correct implementations (eigh vs SVD) grew to 7e-3 in 12 steps, with 1e-6 they stay below 1e-10.
    {"lr": 0.05, "beta": 0.95, "precondition_frequency": 3, "eps": 1e-6},
], ids=["basic", "decay", "frequency"])
def test_shampoo_trajectories(student, reference, rng, defaults):
    """Shampoo: 12 steps equal the reference's on a network with a bias, a matrix and a 3-D tensor"""
    seed = seed_from(rng)
    want = optimizers_driver().run_trajectory(reference.adaptive2.Shampoo, defaults=defaults, steps=12,
                                              seed=seed)
    got = student.driver("optimizers").trajectory("Shampoo", defaults, None, "float64", 12, seed)
    settings = ", ".join(f"{k}={v}" for k, v in defaults.items())
    problem = first_divergence(got, want, 1e-8, f"Shampoo({settings})")
    assert problem is None, problem


@pytest.mark.weight(2)
def test_shampoo_decreases_a_least_squares_loss(student, rng):
    """Shampoo: on three least-squares problems (float32) the loss decreases at every step, to a quarter"""
    for number in range(1, 4):
        losses = student.driver("optimizers").lstsq_losses("Shampoo", {"lr": 0.01, "beta": 0.9}, 12, 8, 64,
                                                           40, seed_from(rng))
        losses = np.asarray(losses, dtype=float)
        what = f"Shampoo(lr=0.01, beta=0.9) on least-squares problem {number} of 3"
        assert losses.shape == (41,) and np.all(np.isfinite(losses)), f"{what}: the loss became non-finite"
        assert np.all(np.diff(losses) <= 0), f"{what}: the loss increased at some step"
        assert losses[-1] <= 0.25 * losses[0], (
            f"{what}: 40 steps did not reduce the loss to a quarter of its starting value")
