"""Hidden checks of problem 4, sparsity: soft-thresholding, ISTA trajectories against the reference,
optimality (KKT) and supports of the lasso, ridge, the l1-versus-l2 sparsity property and the
projection onto the l1 ball (feasibility, optimality, fixed points, radius 0).

Inputs come from the ``rng`` fixture (secret). Expected values are the reference's or conditions
evaluated here; messages never reveal the hidden inputs.
"""

import functools
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close, student_raises
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("sparsity")

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
returned_values = import_file("_ps4_methods_returned_values", PUBLIC / "returned_values.py")
array = functools.partial(returned_values.as_array, reveal_shape=False)

TOLERANCE = 1e-9  # trajectories: |x - x_ref| <= TOLERANCE * (1 + |x_ref|) entrywise


def lasso_instance(rng, m=60, n=20, k=4):
    """A well-conditioned A, a k-sparse truth, small noise; lam well inside (0, ||A^T b||_inf)."""
    A = rng.standard_normal((m, n)) / np.sqrt(m)
    truth = np.zeros(n)
    truth[rng.choice(n, k, replace=False)] = rng.uniform(1.0, 3.0, k) * rng.choice([-1, 1], k)
    b = A @ truth + 0.01 * rng.standard_normal(m)
    lam = 0.1 * float(np.max(np.abs(A.T @ b)))
    return A, b, lam


def test_soft_threshold_on_random_vectors(student, reference, rng):
    """soft_threshold: exact on random vectors and matrices, including t = 0; t < 0 raises ValueError"""
    for x, t in ((rng.standard_normal(50), 0.7), (rng.standard_normal((6, 7)), 0.3),
                 (rng.standard_normal(10), 0.0)):
        got = array(student.sparsity.soft_threshold(x, t), x.shape, "soft_threshold(x, t)")
        assert_close(got, reference.sparsity.soft_threshold(x, t), rtol=0.0, atol=1e-15,
                     what="soft_threshold(x, t)")
    with student_raises(ValueError, "soft_threshold(x, -1.0)"):
        student.sparsity.soft_threshold(np.ones(3), -1.0)


@pytest.mark.weight(3)
def test_ista_trajectories(student, reference, rng):
    """lasso_ista: trajectories equal the reference's, with the default and a given step"""
    A, b, lam = lasso_instance(rng)
    for number, lr in enumerate((None, 0.5 / np.linalg.norm(A, 2) ** 2), 1):
        kwargs = {} if lr is None else {"lr": lr}
        expected = reference.sparsity.lasso_ista(A, b, lam, 100, **kwargs)
        x = array(student.sparsity.lasso_ista(A, b, lam, 100, **kwargs), expected.shape,
                  "lasso_ista(A, b, lam, n_steps)")
        off = ~(np.abs(x - expected) <= TOLERANCE * (1 + np.abs(expected)))
        if off.any():
            raise AssertionError(f"lasso_ista on hidden case {number} of 2: the iterates first differ at "
                                 f"row {int(np.argmax(off.any(axis=1)))}; the threshold is lr * lam")


@pytest.mark.weight(3)
def test_lasso_solution_satisfies_kkt(student, reference, rng):
    """lasso_ista: after 3000 steps the KKT conditions hold to 1e-6 and the support is the reference's"""
    A, b, lam = lasso_instance(rng)
    x = array(student.sparsity.lasso_ista(A, b, lam, 3000), (3001, A.shape[1]),
              "lasso_ista(A, b, lam, 3000)")[-1]
    g = A.T @ (A @ x - b)
    support = x != 0
    residual = max(np.max(np.abs(g[support] + lam * np.sign(x[support])), initial=0.0),
                   np.max(np.abs(g[~support]) - lam, initial=0.0))
    assert residual <= 1e-6, (f"lasso_ista: the KKT residual after 3000 steps is {residual:.1e}; A^T(Ax - b) "
                              "must be -lam sign(x_i) on the support and within [-lam, lam] off it")
    expected = reference.sparsity.lasso_ista(A, b, lam, 3000)[-1] != 0
    assert np.array_equal(support, expected), "lasso_ista: the support (nonzero entries) is not the lasso's"


@pytest.mark.weight(2)
def test_ridge_and_the_sparsity_property(student, reference, rng):
    """ridge: the normal equations; the lasso has at least n - 2k zeros, ridge none"""
    A, b, lam = lasso_instance(rng)
    n = A.shape[1]
    w = array(student.sparsity.ridge(A, b, lam), (n,), "ridge(A, b, lam)")
    assert_close(w, reference.sparsity.ridge(A, b, lam), rtol=1e-10, atol=1e-12, what="ridge(A, b, lam)")
    assert np.all(w != 0), "ridge: the solution has exact zeros; the l2 penalty gives none here"
    x = array(student.sparsity.lasso_ista(A, b, lam, 3000), (3001, n), "lasso_ista(A, b, lam, 3000)")[-1]
    assert np.sum(x == 0) >= n - 8, "lasso_ista: the solution is not sparse (exact zeros expected)"


@pytest.mark.weight(3)
def test_projection_onto_the_l1_ball(student, reference, rng):
    """project_l1_ball: feasible, optimal (the reference's point), fixed inside the ball, 0 for radius 0"""
    for number in range(1, 4):
        v = rng.standard_normal(int(rng.integers(5, 40))) * 3
        r = float(rng.uniform(0.1, 0.9) * np.sum(np.abs(v)))
        p = array(student.sparsity.project_l1_ball(v, r), v.shape, "project_l1_ball(v, radius)")
        assert np.sum(np.abs(p)) <= r * (1 + 1e-12), (
            f"project_l1_ball: hidden case {number}: ||p||_1 > radius")
        assert_close(p, reference.sparsity.project_l1_ball(v, r), rtol=1e-10, atol=1e-12,
                     what=f"project_l1_ball(v, radius) on hidden case {number}")
    v = rng.standard_normal(10)
    p = array(student.sparsity.project_l1_ball(v, 2 * np.sum(np.abs(v))), v.shape,
              "project_l1_ball(v, radius)")
    assert np.array_equal(p, v), "project_l1_ball: a point inside the ball must come back unchanged"
    p = array(student.sparsity.project_l1_ball(v, 0.0), v.shape, "project_l1_ball(v, 0.0)")
    assert np.all(p == 0), "project_l1_ball(v, 0.0) must be the zero vector"
