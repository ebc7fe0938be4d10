"""Hidden checks of problem 1, multidimensional scaling: stress, gradient and Guttman step against
the reference on random embeddings, coincident points, input validation, gradient-descent
trajectories, convergence on exact distance matrices of 6, 15 and 34 points, and the course's
experiment (gradient descent reaches zero stress where Nelder-Mead stalls).

Inputs come from the ``rng`` fixture (secret); expected values are the reference's, computed here.
Stress values of returned embeddings are recomputed here, never taken from the sandbox. Messages
name steps and sizes of differences, never the hidden inputs.
"""

import functools
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close, student_raises
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("mds")

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
counted_runs = import_file("_ps4_methods_counted_runs", PUBLIC / "counted_runs.py")
returned_values = import_file("_ps4_methods_returned_values", PUBLIC / "returned_values.py")
run, as_float = counted_runs.run, returned_values.as_float
as_array = functools.partial(returned_values.as_array, reveal_shape=False)

TRAJECTORY = 1e-9  # |x - x_ref| <= TRAJECTORY * (1 + |x_ref|) entrywise


def points(rng, N, p=2):
    return rng.uniform(0.0, 10.0, (N, p))


def distances(P):
    diff = P[:, None, :] - P[None, :, :]
    return np.sqrt(np.sum(diff * diff, axis=2))


def noisy_dissimilarities(rng, N):
    """Symmetric, non-negative, zero diagonal, not exactly Euclidean."""
    D = distances(points(rng, N, 3)) * rng.uniform(0.8, 1.2, (N, N))
    D = np.triu(D, 1)
    return D + D.T


def gd(student, f, x0, lr, n_steps):
    """The student's iterates on f (counted here); checks the budget: n_steps gradients, no f."""
    f.reset_counts()
    out = run(student, "mds", "gradient_descent", f, x0, lr=lr, n_steps=n_steps)
    x = as_array(out["result"], (n_steps + 1, len(x0)), "gradient_descent(f, x0, lr, n_steps)")
    assert out["x0_unchanged"], "gradient_descent modified x0 in place; copy it before updating"
    assert (f.gradients, f.evaluations) == (n_steps, 0), (
        f"gradient_descent called f.grad {f.gradients} times and f {f.evaluations} times in "
        f"{n_steps} steps; it must call f.grad exactly n_steps times and never f")
    return x


def stress_of(x, D):
    """The stress of a flattened embedding, computed here (never taken from the sandbox)."""
    X = np.asarray(x, dtype=float).reshape(D.shape[0], -1)
    return 0.5 * float(np.sum((distances(X) - D) ** 2))


def global_start(reference, f, rng, P, D, n_steps):
    """A start from which the reference's gradient descent (lr = 1/(4N)) reaches the global minimum
    in n_steps: a random one if one of ten does (it can stop in a local minimum from others), else a
    random perturbation of the true configuration P."""
    N = len(D)
    candidates = [rng.standard_normal(2 * N) * 3 for _ in range(10)]
    candidates.append(P.ravel() + 0.5 * rng.standard_normal(2 * N))
    for x0 in candidates:
        if stress_of(reference.mds.gradient_descent(f, x0, 1 / (4 * N), n_steps)[-1], D) <= 1e-10 * total(D):
            break
    f.reset_counts()
    return x0


def total(D):
    """sum over pairs i < j of D_ij^2: the stress of putting every point at one place."""
    return 0.5 * float(np.sum(D * D))


@pytest.mark.weight(2)
def test_stress_matches_the_reference(student, reference, rng):
    """stress: equals the reference on random embeddings in 1 to 3 dimensions"""
    for p in (1, 2, 3):
        N = int(rng.integers(4, 30))
        X, D = rng.standard_normal((N, p)) * 4, noisy_dissimilarities(rng, N)
        got = as_float(student.mds.stress(X, D), "stress(X, D)")
        expected = reference.mds.stress(X, D)
        if got == pytest.approx(2 * expected, rel=1e-9):
            raise AssertionError("stress(X, D) is twice the stress: count each unordered pair once")
        assert got == pytest.approx(expected, rel=1e-12), (
            f"stress(X, D) with p = {p} differs from the stress by a relative {abs(got / expected - 1):.2e}")


@pytest.mark.weight(3)
def test_stress_grad_matches_the_reference(student, reference, rng):
    """stress_grad: equals the reference and central differences on random embeddings"""
    for p in (1, 2, 3):
        N = int(rng.integers(4, 30))
        X, D = rng.standard_normal((N, p)) * 4, noisy_dissimilarities(rng, N)
        got = as_array(student.mds.stress_grad(X, D), (N, p), "stress_grad(X, D)")
        expected = reference.mds.stress_grad(X, D)
        scale = float(np.max(np.abs(expected)))
        assert_close(got, expected, rtol=1e-10, atol=1e-10 * scale, what=f"stress_grad(X, D) with p = {p}")


def test_coincident_points_contribute_nothing(student, reference, rng):
    """stress_grad and guttman_step: two coincident points give finite values (their pair adds 0)"""
    N = 8
    X, D = rng.standard_normal((N, 2)), noisy_dissimilarities(rng, N)
    X[3] = X[5]
    got = as_array(student.mds.stress_grad(X, D), (N, 2), "stress_grad(X, D) with x_3 = x_5")
    assert np.all(np.isfinite(got)), (
        "stress_grad: a pair of coincident points gave nan or inf; such a pair contributes 0")
    assert_close(got, reference.mds.stress_grad(X, D), rtol=1e-10, atol=1e-10,
                 what="stress_grad(X, D) with x_3 = x_5")
    step = as_array(student.mds.guttman_step(X, D), (N, 2), "guttman_step(X, D) with x_3 = x_5")
    assert_close(step, reference.mds.guttman_step(X, D), rtol=1e-10, atol=1e-10,
                 what="guttman_step(X, D) with x_3 = x_5 (b_ij = 0 when d_ij = 0)")


@pytest.mark.weight(2)
def test_guttman_step_matches_the_reference(student, reference, rng):
    """guttman_step: equals the reference on random embeddings"""
    for p in (2, 3):
        N = int(rng.integers(4, 30))
        X, D = rng.standard_normal((N, p)) * 4, noisy_dissimilarities(rng, N)
        got = as_array(student.mds.guttman_step(X, D), (N, p), "guttman_step(X, D)")
        expected = reference.mds.guttman_step(X, D)
        assert_close(got, expected, rtol=1e-10, atol=1e-12 * float(np.max(np.abs(expected))),
                     what=f"guttman_step(X, D) with p = {p}")


@pytest.mark.parametrize("case", ["asymmetric", "negative", "diagonal", "shape"])
def test_invalid_dissimilarities_are_rejected(student, rng, case):
    """stress, stress_grad, guttman_step: an invalid D raises ValueError"""
    N = 5
    X, D = rng.standard_normal((N, 2)), noisy_dissimilarities(rng, N)
    if case == "asymmetric":
        D[1, 3] += 0.5
    elif case == "negative":
        D[1, 3] = D[3, 1] = -1.0
    elif case == "diagonal":
        D[2, 2] = 1.0
    else:
        D = D[:4, :4]
    what = "a D of the wrong shape" if case == "shape" else f"a D with a {case} entry"
    for name in ("stress", "stress_grad", "guttman_step"):
        with student_raises(ValueError, f"{name}(X, D) with {what}"):
            getattr(student.mds, name)(X, D)


@pytest.mark.weight(3)
def test_gradient_descent_trajectories(student, reference, given, rng):
    """gradient_descent: trajectories equal the reference's (MDS and Rosenbrock), n_steps gradients"""
    N = int(rng.integers(5, 12))
    D = distances(points(rng, N))
    cases = [("MDSProblem", {"D": D}, rng.standard_normal(2 * N) * 3, 1 / (4 * N), 60),
             ("Rosenbrock", {"n": 4}, rng.uniform(-1.5, 1.5, 4), 1e-3, 80),
             ("MDSProblem", {"D": D}, rng.standard_normal(2 * N), 0.0, 3)]
    for number, (name, kwargs, x0, lr, n_steps) in enumerate(cases, 1):
        f = getattr(given.problems, name)(**kwargs)
        expected = reference.mds.gradient_descent(getattr(given.problems, name)(**kwargs), x0, lr, n_steps)
        x = gd(student, f, x0, lr, n_steps)
        off = ~(np.abs(x - expected) <= TRAJECTORY * (1 + np.abs(expected)))
        if off.any():
            k = int(np.argmax(off.any(axis=1)))
            raise AssertionError(f"gradient_descent on hidden case {number} of {len(cases)}: the iterates "
                                 f"first differ at row {k} (row 0 = x0, row k = x0 after k steps "
                                 "x <- x - lr * f.grad(x))")


@pytest.mark.weight(2)
@pytest.mark.parametrize("N", [6, 15, 34])
def test_gradient_descent_reaches_zero_stress(student, reference, given, rng, N):
    """gradient_descent: on exact distances of N points, 500 steps at lr = 1/(4N) reach zero stress"""
    P = points(rng, N)
    D = distances(P)
    f = given.problems.MDSProblem(D)
    x0 = global_start(reference, f, rng, P, D, 500)
    x = gd(student, f, x0, 1 / (4 * N), 500)
    final = stress_of(x[-1], D) / total(D)
    assert final <= 1e-10, (
        f"gradient_descent on {N} points: the stress after 500 steps is {final:.1e} of sum D_ij^2; "
        "the reference reaches below 1e-10 from the same start")


@pytest.mark.weight(2)
def test_gradient_descent_beats_nelder_mead(student, reference, given, rng):
    """the course's experiment: on 15 cities your GD reaches zero stress, your Nelder-Mead stalls"""
    # From a start where the reference's gradient descent reaches the global minimum (it can stop
    # in a local one from others).
    N = 15
    P = points(rng, N)
    D = distances(P)
    f = given.problems.MDSProblem(D)
    x0 = global_start(reference, f, rng, P, D, 200)
    x = gd(student, f, x0, 1 / (4 * N), 200)
    gd_final = stress_of(x[-1], D) / total(D)
    assert gd_final <= 1e-6, (f"gradient_descent: 200 steps at lr = 1/(4N) on 15 points left the stress at "
                              f"{gd_final:.1e} of sum D_ij^2; gradient descent should reach below 1e-6")
    f = given.problems.MDSProblem(D)
    out = run(student, "nelder_mead", "nelder_mead", f, x0, max_fev=200 * 2 * N)
    assert f.evaluations <= 200 * 2 * N, (
        f"nelder_mead called f {f.evaluations} times with max_fev = {200 * 2 * N}")
    result = out["result"]
    if not isinstance(result, list) or len(result) != 4:
        raise AssertionError("nelder_mead must return (x_best, f_best, best_per_iter, n_fev)")
    x_best = np.asarray(result[0], dtype=float).reshape(-1)
    assert x_best.shape == (2 * N,), "nelder_mead returned x_best of the wrong shape"
    nm_final = stress_of(x_best, D) / total(D)
    assert nm_final > 1e-6, (
        f"nelder_mead reached a stress of {nm_final:.1e} of sum D_ij^2 on 15 points in "
        f"{200 * 2 * N} evaluations; scipy's Nelder-Mead stalls far above 1e-6 there: check that "
        "your nelder_mead follows the statement's rules")
