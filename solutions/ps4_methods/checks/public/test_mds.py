"""Public checks of problem 1, multidimensional scaling: the stress of a worked example, the gradient
against central differences, scikit-learn's Guttman-transform example, two steps of gradient descent
and the input validation.

Expected values come from first principles (the statement's formulas and the given ``problems.py``),
never from a reference solution. The hidden checks add random embeddings, coincident points, whole
trajectories, convergence on exact distance matrices, the course's GD-vs-Nelder-Mead experiment and a
timing check of ``stress_grad``.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close, student_raises
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("mds")

counted_runs = import_file("_ps4_methods_counted_runs", Path(__file__).parent / "counted_runs.py")
returned_values = import_file("_ps4_methods_returned_values", Path(__file__).parent / "returned_values.py")
run, as_float, as_array = counted_runs.run, returned_values.as_float, returned_values.as_array

# Three points at distances 3 (0-1), 4 (0-2), 5 (1-2); D asks for 4, 3 and 5.
X3 = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
D3 = np.array([[0.0, 4.0, 3.0], [4.0, 0.0, 5.0], [3.0, 5.0, 0.0]])
# Borg & Groenen (2005), p. 154, as in scikit-learn's test_smacof: one Guttman transform of Z.
SIM = np.array([[0, 5, 3, 4], [5, 0, 2, 2], [3, 2, 0, 1], [4, 2, 1, 0]], dtype=float)
Z = np.array([[-0.266, -0.539], [0.451, 0.252], [0.016, -0.238], [-0.200, 0.524]])
Z_NEXT = np.array([[-1.415, -2.471], [1.633, 1.107], [0.249, -0.067], [-0.468, 1.431]])


def test_stress_of_a_worked_example(student):
    """stress: the statement's 3-point example is 2 (each unordered pair counted once)"""
    value = as_float(student.mds.stress(X3, D3), "stress(X, D)")
    if value == pytest.approx(4.0):
        raise AssertionError("stress(X, D) returned 4.0 for the statement's example, twice the stress: "
                             "count each unordered pair i < j once")
    assert value == pytest.approx(2.0, rel=1e-12), f"stress(X, D) returned {value!r}; expected 2.0"


def test_stress_grad_matches_central_differences(student, given):
    """stress_grad: agrees with central differences of the stress on a 5-point example"""
    rng = np.random.default_rng(0)
    P = rng.uniform(0, 5, (5, 2))
    D = np.linalg.norm(P[:, None] - P[None], axis=2)
    X = rng.standard_normal((5, 2))
    f = given.problems.MDSProblem(D)
    h = 1e-6
    expected = np.array([(f(X.ravel() + h * e) - f(X.ravel() - h * e)) / (2 * h)
                         for e in np.eye(10)]).reshape(5, 2)
    got = as_array(student.mds.stress_grad(X, D), (5, 2), "stress_grad(X, D)")
    assert_close(got, expected, rtol=1e-6, atol=1e-6, what="stress_grad(X, D)")


def test_guttman_step_reproduces_borg_and_groenen(student):
    """guttman_step: the Borg & Groenen example of scikit-learn's tests, to 3 decimals"""
    got = as_array(student.mds.guttman_step(Z, SIM), (4, 2), "guttman_step(Z, D)")
    assert_close(got, Z_NEXT, rtol=0.0, atol=1.5e-3, what="guttman_step(Z, D)")


def test_two_steps_of_gradient_descent(student, given):
    """gradient_descent: two steps on the Rosenbrock function follow x - lr * grad f(x), two gradients"""
    f = given.problems.Rosenbrock(2)
    x0 = np.array([-1.2, 1.0])
    lr = 1e-3
    expected = [x0]
    for _ in range(2):
        expected.append(expected[-1] - lr * f.grad(expected[-1]))
    f.reset_counts()
    out = run(student, "mds", "gradient_descent", f, x0, lr=lr, n_steps=2)
    got = as_array(out["result"], (3, 2), "gradient_descent(f, x0, lr, n_steps=2)")
    assert_close(got, np.array(expected), rtol=1e-12, what="gradient_descent(f, x0, lr, n_steps=2)")
    assert out["x0_unchanged"], "gradient_descent modified x0 in place; copy it before updating"
    assert (f.gradients, f.evaluations) == (2, 0), (
        f"gradient_descent(f, x0, lr, n_steps=2) called f.grad {f.gradients} times and f "
        f"{f.evaluations} times; it must call f.grad exactly n_steps times and never f")


def test_an_asymmetric_matrix_is_rejected(student):
    """stress: an asymmetric D raises ValueError"""
    D = D3.copy()
    D[0, 1] = 3.5
    with student_raises(ValueError, "stress(X, D) with an asymmetric D"):
        student.mds.stress(X3, D)
