"""Public checks of problem 4, sparsity: soft-thresholding, one ISTA step, ridge's normal equations
and the statement's projection example.

Expected values come from first principles (the statement's formulas), never from a reference
solution. The hidden checks add trajectories, optimality (KKT) conditions, supports, and the
l1-versus-l2 sparsity property.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("sparsity")

returned_values = import_file("_ps4_methods_returned_values", Path(__file__).parent / "returned_values.py")
array = returned_values.as_array

A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 3.0], [2.0, 1.0, 1.0]])
B = np.array([1.0, -2.0, 0.5, 3.0])


def test_soft_threshold_of_a_small_vector(student):
    """soft_threshold: (3, -0.5, 1, -2) at t = 1 is (2, 0, 0, -1)"""
    got = array(student.sparsity.soft_threshold(np.array([3.0, -0.5, 1.0, -2.0]), 1.0), (4,),
                "soft_threshold(x, 1.0)")
    assert_close(got, np.array([2.0, 0.0, 0.0, -1.0]), rtol=0.0, atol=1e-15, what="soft_threshold(x, 1.0)")


def test_first_ista_step(student):
    """lasso_ista: the first step from 0 is soft_threshold(lr A^T b, lr lam) with lr = 1/||A||_2^2"""
    lam = 0.8
    lr = 1.0 / np.linalg.norm(A, 2) ** 2
    g = lr * (A.T @ B)
    step = np.sign(g) * np.maximum(np.abs(g) - lr * lam, 0.0)
    got = array(student.sparsity.lasso_ista(A, B, lam, 1), (2, 3), "lasso_ista(A, b, lam, n_steps=1)")
    assert_close(got, np.array([np.zeros(3), step]), rtol=1e-12, atol=1e-15, what="lasso_ista(A, b, lam, 1)")


def test_ridge_solves_the_normal_equations(student):
    """ridge: (A^T A + lam I) x = A^T b"""
    lam = 0.5
    got = array(student.sparsity.ridge(A, B, lam), (3,), "ridge(A, b, lam)")
    residual = (A.T @ A + lam * np.eye(3)) @ got - A.T @ B
    assert np.max(np.abs(residual)) <= 1e-10, (
        f"ridge(A, b, 0.5): (A^T A + lam I) x - A^T b is {residual}, not 0; the penalty is lam/2 ||x||^2")


def test_projection_of_the_statement_example(student):
    """project_l1_ball: (3, -1, 0.5) onto the l1 ball of radius 2 is (2, 0, 0)"""
    got = array(student.sparsity.project_l1_ball(np.array([3.0, -1.0, 0.5]), 2.0), (3,),
                "project_l1_ball(v, 2.0)")
    assert_close(got, np.array([2.0, 0.0, 0.0]), rtol=0.0, atol=1e-14, what="project_l1_ball(v, 2.0)")
