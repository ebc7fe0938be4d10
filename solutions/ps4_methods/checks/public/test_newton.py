"""Public checks of problem 3, Newton's method: on f = cos x + cos y pure Newton converges to the
maximum from (0.5, 0.4) while damped Newton goes to the minimum; critical points in 2-D.

Expected values come from first principles (the statement's formulas and the given ``problems.py``),
never from a reference solution. The hidden checks add whole trajectories, the Armijo condition at
every step, more starts and functions, 3x3 classification cases and counted oracle budgets.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("newton")

counted_runs = import_file("_ps4_methods_counted_runs", Path(__file__).parent / "counted_runs.py")
run = counted_runs.run


def iterates(value, rows, n, what):
    expect_type(value, np.ndarray, what)
    if value.ndim != 2 or value.shape[1] != n or (rows is not None and value.shape[0] != rows):
        raise AssertionError(f"{what} returned an array of shape {value.shape}; expected "
                             f"({rows if rows is not None else 'k + 1'}, {n})")
    return value


def test_pure_newton_climbs_to_the_maximum(student, given):
    """newton: from (0.5, 0.4) on cos x + cos y pure Newton converges to the maximum (0, 0)"""
    f = given.problems.CosineBumps()
    x = iterates(run(student, "newton", "newton", f, [0.5, 0.4], n_steps=8)["result"], 9, 2,
                 "newton(f, x0, n_steps=8)")
    assert np.array_equal(x[0], [0.5, 0.4]), "newton: row 0 must be x0"
    assert np.max(np.abs(x[-1])) <= 1e-10, (
        f"newton(f, (0.5, 0.4), 8) ended at {x[-1]}; pure Newton converges to the maximum (0, 0) here")
    assert (f.gradients, f.hessians, f.evaluations) == (8, 8, 0), (
        f"newton(f, x0, n_steps=8) called f.grad {f.gradients}, f.hess {f.hessians} and f "
        f"{f.evaluations} times; expected 8, 8 and 0")


def test_damped_newton_descends_to_the_minimum(student, given):
    """damped_newton: from (0.5, 0.4) it decreases f at every step, ends near (pi, pi), calls f 7 times"""
    f = given.problems.CosineBumps()
    x = iterates(run(student, "newton", "damped_newton", f, [0.5, 0.4], n_steps=50)["result"], None, 2,
                 "damped_newton(f, x0, n_steps=50)")
    values = np.cos(x[:, 0]) + np.cos(x[:, 1])
    assert np.all(np.diff(values) < 0), "damped_newton: f(x_k) must decrease strictly at every step"
    assert np.max(np.abs(x[-1] - np.pi)) <= 1e-5, (
        f"damped_newton(f, (0.5, 0.4), 50) ended at {x[-1]}; expected the minimum (pi, pi)")
    counts = (f.evaluations, f.gradients, f.hessians)
    assert counts == (7, 6, 5), (
        f"damped_newton(f, (0.5, 0.4), 50) called f, f.grad and f.hess {counts} times; the statement's "
        "worked example needs (7, 6, 5): f(x0) once, then one call per trial point")


@pytest.mark.parametrize("H, kind", [
    ([[2.0, 0.0], [0.0, 1.0]], "minimum"), ([[-1.0, 0.5], [0.5, -1.0]], "maximum"),
    ([[1.0, 0.0], [0.0, -1.0]], "saddle"), ([[1.0, 0.0], [0.0, 0.0]], "degenerate")])
def test_classify_in_two_dimensions(student, H, kind):
    """classify_critical_point: the four kinds in 2-D"""
    got = student.newton.classify_critical_point(np.array(H))
    expect_type(got, str, "classify_critical_point(H)")
    assert got == kind, f"classify_critical_point({H}) did not return {kind!r}"
