"""Hidden checks of problem 2, Nelder-Mead: best-vertex sequences and evaluation counts equal to the
reference (itself equal to scipy.optimize's) on random quartics in 1 to 8 dimensions, zero components
in x0, a given initial simplex, the evaluation and iteration budgets, scipy's 5-D Rosenbrock
iteration test, and input validation.

Inputs come from the ``rng`` fixture (secret). Expected values are the reference's, computed here;
f_best is recomputed here from x_best. Messages name rows and sizes, never the hidden inputs.
"""

import functools
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize

from autograder.checks import student_raises
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("nelder_mead")

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
counted_runs = import_file("_ps4_methods_counted_runs", PUBLIC / "counted_runs.py")
returned_values = import_file("_ps4_methods_returned_values", PUBLIC / "returned_values.py")
run = counted_runs.run
unpack = functools.partial(returned_values.nelder_mead_result, reveal_shape=False)

# |x - x_ref| <= TOLERANCE * (1 + |x_ref|) entrywise. Not 1e-12: the same rules computed in another
# floating-point order (the centroid as (sum of all - worst) / n, x_r as xbar + (xbar - x_h), ...) agree
# with the reference to rounding for dozens of iterations and then drift by up to ~1e-9 in long runs
# (measured on 200 random quartics: 21% differ beyond 1e-12, none beyond 1e-6). A rule mistake
# moves the path by O(1).
TOLERANCE = 1e-6
PREFIX = 60  # iterations of a long high-accuracy run compared with scipy (rounding drift starts later)


def compare(given, reference, student, problem, kwargs, x0, what, **options):
    """The student's run against the reference's: rows, vertices, evaluations (reported and counted
    here), f_best."""
    f = getattr(given.problems, problem)(**kwargs)
    x_ref, f_ref, best_ref, n_ref = reference.nelder_mead.nelder_mead(f, np.asarray(x0, float), **options)
    f.reset_counts()
    x, fx, best, n_fev = unpack(run(student, "nelder_mead", "nelder_mead", f, x0, **options)["result"],
                                f.n, what)
    calls = f.evaluations
    if "max_fev" in options and calls > options["max_fev"]:
        raise AssertionError(f"{what}: called f {calls} times, over the budget max_fev; stop before an "
                             "evaluation that would exceed it")
    rows = min(len(best), len(best_ref))
    off = ~(np.abs(best[:rows] - best_ref[:rows]) <= TOLERANCE * (1 + np.abs(best_ref[:rows])))
    if off.any():
        k = int(np.argmax(off.any(axis=1)))
        hint = ("the initial simplex or its ordering" if k == 0 else
                "the first iteration (reflection, expansion and their acceptance rules)" if k == 1 else
                "an iteration's choice of step (compare the rules of the statement one by one)")
        raise AssertionError(f"{what}: the best vertex first differs after iteration {k} "
                             f"(row {k} of best_per_iter); check {hint}")
    if len(best) != len(best_ref):
        more = "more" if len(best) > len(best_ref) else "fewer"
        raise AssertionError(f"{what}: {more} iterations than the rules take; check the stopping rule and "
                             "the budgets")
    if calls != n_ref or f.gradients or f.hessians:
        raise AssertionError(f"{what}: called f {'more' if calls > n_ref else 'fewer'} times than the rules "
                             f"take (or called f.grad or f.hess, which is not allowed)")
    if n_fev != calls:
        raise AssertionError(f"{what}: reported n_fev = {n_fev} but called f {calls} times")
    if not np.all(np.abs(x - x_ref) <= TOLERANCE * (1 + np.abs(x_ref))):
        raise AssertionError(f"{what}: x_best is not the best vertex of the final simplex")
    assert fx == pytest.approx(f(x), rel=1e-12, abs=1e-14), f"{what}: f_best is not f(x_best)"


@pytest.mark.weight(5)
def test_random_quartics_follow_the_rules(student, reference, given, rng):
    """nelder_mead: best vertices and evaluation counts equal the reference's on random quartics (2-8 dims)"""
    # In 8 dimensions the default budget (1600 evaluations) ends about one run in six: max_fev = 5000
    # lets every run end by the tolerances, so the case tests the rules and not the budget.
    for number, (n, options) in enumerate(((2, {}), (3, {}), (5, {}), (8, {"max_fev": 5000})), 1):
        kwargs = {"n": n, "seed": int(rng.integers(2**31))}
        x0 = rng.uniform(-2.0, 2.0, n)
        compare(given, reference, student, "Quartic", kwargs, x0, f"nelder_mead on hidden case {number} of 4",
                **options)


@pytest.mark.weight(2)
def test_zero_components_and_one_dimension(student, reference, given, rng):
    """nelder_mead: zero components of x0 (step 0.00025) and n = 1 follow the rules"""
    x0 = rng.uniform(-2.0, 2.0, 4)
    x0[[1, 3]] = 0.0
    compare(given, reference, student, "Quartic", {"n": 4, "seed": int(rng.integers(2**31))}, x0,
            "nelder_mead with zeros in x0")
    compare(given, reference, student, "Quartic", {"n": 1, "seed": int(rng.integers(2**31))},
            rng.uniform(-2, 2, 1), "nelder_mead in one dimension")


@pytest.mark.weight(2)
def test_a_given_initial_simplex(student, reference, given, rng):
    """nelder_mead: a given initial simplex is used as it is (3, 4 and 6 dimensions)"""
    for n in (3, 4, 6):
        simplex = rng.uniform(-2.0, 2.0, (n + 1, n))
        compare(given, reference, student, "Quartic", {"n": n, "seed": int(rng.integers(2**31))}, simplex[0],
                f"nelder_mead with an initial_simplex in {n} dimensions", initial_simplex=simplex)


@pytest.mark.weight(3)
def test_budgets_stop_the_method(student, reference, given, rng):
    """nelder_mead: max_iter, xatol/fatol and max_fev stop the run as the statement says"""
    kwargs = {"n": 5, "seed": int(rng.integers(2**31))}
    x0 = rng.uniform(-2.0, 2.0, 5)
    compare(given, reference, student, "Quartic", kwargs, x0, "nelder_mead with max_iter",
            max_iter=int(rng.integers(10, 30)))
    compare(given, reference, student, "Quartic", kwargs, x0, "nelder_mead with tolerances 1e-3",
            xatol=1e-3, fatol=1e-3)
    # Every budget from n + 1 to n + 40: some of them end in the middle of an expansion or a shrink.
    kwargs = {"n": 3, "seed": int(rng.integers(2**31))}
    x0 = rng.uniform(-2.0, 2.0, 3)
    for max_fev in range(4, 44):
        compare(given, reference, student, "Quartic", kwargs, x0, "nelder_mead with max_fev", max_fev=max_fev)


def test_rosenbrock_as_in_scipys_iteration_test(student, given, rng):
    """nelder_mead: scipy's 5-D Rosenbrock test (xatol=1e-8): scipy's first 60 iterations, then convergence"""
    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2]) + rng.uniform(-0.01, 0.01, 5)
    f = scipy.optimize.rosen
    expected = scipy.optimize.minimize(f, x0, method="Nelder-Mead",
                                       options={"xatol": 1e-8, "return_all": True})
    what = "nelder_mead(Rosenbrock(5), x0, xatol=1e-8)"
    g = given.problems.Rosenbrock(5)
    x, fx, best, n_fev = unpack(run(student, "nelder_mead", "nelder_mead", g, x0, xatol=1e-8)["result"],
                                5, what)
    allvecs = np.array(expected.allvecs)
    rows = min(len(best), len(allvecs), PREFIX + 1)
    off = ~(np.abs(best[1:rows] - allvecs[1:rows]) <= TOLERANCE * (1 + np.abs(allvecs[1:rows])))
    if off.any():
        raise AssertionError(f"{what}: the best vertex first differs from scipy's after iteration "
                             f"{int(np.argmax(off.any(axis=1))) + 1}")
    assert n_fev == g.evaluations, f"{what}: reported n_fev = {n_fev} but called f {g.evaluations} times"
    assert g(x) <= 1e-12 and abs(fx - g(x)) <= 1e-14, (
        f"{what}: did not converge to the minimum (scipy reaches f < 1e-12), or f_best is not f(x_best)")
    assert len(best) - 1 <= 1.2 * (expected.nit - 1), f"{what}: far more iterations than scipy takes"


def test_max_fev_below_n_plus_one_is_rejected(student, given):
    """nelder_mead: max_fev < n + 1 raises ValueError"""
    with student_raises(ValueError, "nelder_mead(f, x0, max_fev=2) with n = 3"):
        run(student, "nelder_mead", "nelder_mead", given.problems.BergerEntropy(), np.zeros(3), max_fev=2)
