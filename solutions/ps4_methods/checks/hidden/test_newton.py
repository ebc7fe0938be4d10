"""Hidden checks of problem 3, Newton's method: pure and damped trajectories against the reference
on cos x + cos y, Rosenbrock and logistic regression; the Armijo condition and monotone decrease at
every damped step (recomputed here); where pure Newton ends; quadratic convergence on logistic
regression; and the classification of critical points in 1 to 5 dimensions.

Inputs come from the ``rng`` fixture (secret). Expected values are the reference's, computed here;
function values are computed here, never taken from the sandbox.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("newton")

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
counted_runs = import_file("_ps4_methods_counted_runs", PUBLIC / "counted_runs.py")
run = counted_runs.run

TOLERANCE = 1e-9  # |x - x_ref| <= TOLERANCE * (1 + |x_ref|) entrywise


def iterates(student, function, f, x0, **options):
    """The student's iterates of ``newton.<function>`` on f (counted here, reset first)."""
    f.reset_counts()
    out = run(student, "newton", function, f, x0, **options)
    x = out["result"]
    what = f"{function}(f, x0, ...)"
    expect_type(x, np.ndarray, what)
    if x.ndim != 2 or x.shape[1] != len(x0):
        raise AssertionError(f"{what} returned an array of the wrong shape; expected (k + 1, n)")
    assert out["x0_unchanged"], f"{function} modified x0 in place; copy it before updating"
    return x


def compare(x, expected, what):
    if x.shape != expected.shape:
        more = "more" if x.shape[0] > expected.shape[0] else "fewer"
        raise AssertionError(f"{what}: {more} steps than the rules take (check the stop at ||g|| <= gtol)")
    off = ~(np.abs(x - expected) <= TOLERANCE * (1 + np.abs(expected)))
    if off.any():
        raise AssertionError(f"{what}: the iterates first differ at row {int(np.argmax(off.any(axis=1)))}")


def starts(rng):
    """Near the maximum, near the minimum, near a saddle of cos x + cos y (shifted by 2 pi k)."""
    shift = 2 * np.pi * rng.integers(-1, 2, 2)
    return [(rng.uniform(0.2, 0.6, 2) * rng.choice([-1, 1], 2) + shift, "maximum"),
            (np.pi + rng.uniform(0.2, 0.6, 2) * rng.choice([-1, 1], 2) + shift, "minimum"),
            (np.array([rng.uniform(0.2, 0.5), np.pi + rng.uniform(-0.4, 0.4)]) + shift, "saddle")]


@pytest.mark.weight(3)
def test_pure_newton_goes_to_the_nearest_critical_point(student, reference, given, rng):
    """newton: on cos x + cos y trajectories equal the reference's, ending at a maximum, minimum or saddle"""
    for start, kind in starts(rng):
        f = given.problems.CosineBumps()
        expected = reference.newton.newton(given.problems.CosineBumps(), start, 10)
        x = iterates(student, "newton", f, start, n_steps=10)
        compare(x, expected, f"newton from a start near a {kind}")
        assert (f.gradients, f.hessians, f.evaluations) == (10, 10, 0), (
            f"newton(f, x0, n_steps=10) called f.grad, f.hess and f {f.gradients}, {f.hessians} and "
            f"{f.evaluations} times; expected 10, 10 and 0")
        got = reference.newton.classify_critical_point(f.hess(x[-1]))
        assert got == kind and np.max(np.abs(f.grad(x[-1]))) <= 1e-10, (
            f"newton from a start near a {kind} did not converge to that {kind}")


@pytest.mark.weight(2)
def test_pure_newton_is_quadratic_on_logistic_regression(student, reference, given, rng):
    """newton: on logistic regression, at most 8 steps to ||grad f|| <= 1e-10, the reference's iterates"""
    kwargs = {"m": 200, "n": int(rng.integers(5, 15)), "mu": 0.1, "seed": int(rng.integers(2**31))}
    f = given.problems.Logistic(**kwargs)
    x0 = rng.standard_normal(f.n) * 0.3
    x = iterates(student, "newton", f, x0, n_steps=8)
    expected = reference.newton.newton(given.problems.Logistic(**kwargs), x0, 8)
    compare(x, expected, "newton on logistic regression")
    assert np.linalg.norm(f.grad(x[-1])) <= 1e-10, "newton: 8 steps did not reach ||grad f|| <= 1e-10"


@pytest.mark.weight(3)
def test_damped_newton_trajectories(student, reference, given, rng):
    """damped_newton: trajectories equal the reference's (cos x + cos y, Rosenbrock, options)"""
    cases = [("CosineBumps", {}, start, {"n_steps": 30}) for start, _ in starts(rng)]
    cases.append(("Rosenbrock", {"n": 3}, rng.uniform(-1.5, 1.5, 3), {"n_steps": 60}))
    cases.append(("CosineBumps", {}, rng.uniform(0.2, 0.6, 2),
                  {"n_steps": 30, "delta": 0.3, "c": 0.3, "beta": 0.3, "gtol": 1e-4}))
    for number, (name, kwargs, x0, options) in enumerate(cases, 1):
        mirror = getattr(given.problems, name)(**kwargs)
        expected = reference.newton.damped_newton(mirror, x0, **options)
        f = getattr(given.problems, name)(**kwargs)
        x = iterates(student, "damped_newton", f, x0, **options)
        what = f"damped_newton on hidden case {number} of {len(cases)}"
        compare(x, expected, what)
        got = (f.evaluations, f.gradients, f.hessians)
        wanted = (mirror.evaluations, mirror.gradients, mirror.hessians)
        assert got == wanted, (
            f"{what}: called f, f.grad and f.hess {got} times, not as the rules do: f(x0) once, "
            "then one call per trial point; f.hess only when ||g|| > gtol")


@pytest.mark.weight(3)
def test_damped_newton_steps_satisfy_armijo(student, reference, given, rng):
    """damped_newton: every step decreases f and satisfies the Armijo condition; it ends at a minimum"""
    for start, kind in starts(rng):
        f = given.problems.CosineBumps()
        x = iterates(student, "damped_newton", f, start, n_steps=40)
        for k in range(len(x) - 1):
            g = f.grad(x[k])
            step = x[k + 1] - x[k]
            assert f(x[k + 1]) < f(x[k]), (
                f"damped_newton from a start near a {kind}: step {k + 1} does not decrease f")
            assert f(x[k + 1]) <= f(x[k]) + 1e-4 * (g @ step) + 1e-15, (
                f"damped_newton from a start near a {kind}: step {k + 1} violates the Armijo condition")
        assert reference.newton.classify_critical_point(f.hess(x[-1])) == "minimum", (
            f"damped_newton from a start near a {kind} did not end at a minimum")


CASES = [  # (H, kind): 3x3 cases where the sign of det H misleads, and degenerate ones
    (np.diag([-1.0, -2.0, -3.0]), "maximum"),    # det < 0
    (np.diag([1.0, -1.0, -1.0]), "saddle"),      # det > 0
    (np.diag([2.0, 1.0, 3.0]), "minimum"),
    (np.diag([2.0, 0.0, 3.0]), "degenerate"),
    (np.diag([-2.0, 0.0, -3.0]), "degenerate"),
    (np.diag([2.0, 0.0, -3.0]), "saddle"),
    (np.array([[5.0]]), "minimum"),
    (np.array([[-1e-3]]), "maximum"),
]


@pytest.mark.weight(3)
def test_classify_in_higher_dimensions(student, reference, given, rng):
    """classify_critical_point: 1-D to 5-D Hessians, including 3x3 ones where det H misleads"""
    cases = list(CASES)
    for n in (3, 4, 5):
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        for signs in (np.ones(n), -np.ones(n), np.r_[1.0, -np.ones(n - 1)], np.r_[np.ones(n - 1), 0.0]):
            H = Q @ np.diag(signs * rng.uniform(0.5, 2.0, n)) @ Q.T
            cases.append((0.5 * (H + H.T), reference.newton.classify_critical_point(0.5 * (H + H.T))))
    wrong = []
    for H, kind in cases:
        got = student.newton.classify_critical_point(H)
        expect_type(got, str, "classify_critical_point(H)")
        if got != kind:
            wrong.append(f"a {H.shape[0]}x{H.shape[0]} {kind} not classified as {kind!r}")
    assert not wrong, (f"classify_critical_point: {len(wrong)} of {len(cases)} hidden cases wrong, e.g. "
                       f"{wrong[0]}; decide by the signs of the eigenvalues (det H decides only in 2-D)")
