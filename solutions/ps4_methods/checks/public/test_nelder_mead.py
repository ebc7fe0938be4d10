"""Public checks of problem 2, Nelder-Mead: scipy's own test (the Berger entropy function from 0)
reproduced vertex for vertex against scipy.optimize, and the shape of a given initial simplex.

Expected values come from scipy.optimize.minimize(method="Nelder-Mead") run here, never from a
reference solution. The hidden checks add random functions in 1 to 8 dimensions, budgets, zero
components in x0, given simplices and the evaluation count under a counted oracle.
"""

from pathlib import Path

import numpy as np
import pytest
import scipy.optimize

from autograder.checks import assert_close, student_raises
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("nelder_mead")

counted_runs = import_file("_ps4_methods_counted_runs", Path(__file__).parent / "counted_runs.py")
returned_values = import_file("_ps4_methods_returned_values", Path(__file__).parent / "returned_values.py")
run, unpack = counted_runs.run, returned_values.nelder_mead_result


def test_berger_entropy_as_in_scipys_test(student, given):
    """nelder_mead: scipy's test function from 0: the same vertices as scipy and 165 evaluations"""
    x0 = np.zeros(3)
    expected = scipy.optimize.minimize(given.problems.BergerEntropy(), x0, method="Nelder-Mead",
                                       options={"maxiter": 1001, "return_all": True})
    f = given.problems.BergerEntropy()
    out = run(student, "nelder_mead", "nelder_mead", f, x0, max_iter=1000)
    what = "nelder_mead(BergerEntropy(), zeros(3), max_iter=1000)"
    x, fx, best, n_fev = unpack(out["result"], 3, what)
    assert n_fev == expected.nfev == 165, f"{what} reported {n_fev} evaluations; scipy needs 165"
    assert f.evaluations == 165 and f.gradients == 0, (
        f"{what} called f {f.evaluations} times (and f.grad {f.gradients} times); scipy calls f 165 times")
    allvecs = np.array(expected.allvecs)
    assert best.shape == allvecs.shape, (
        f"{what} returned {best.shape[0]} rows of best_per_iter; expected {allvecs.shape[0]} "
        f"(the initial simplex and {allvecs.shape[0] - 1} iterations)")
    assert_close(best[1:], allvecs[1:], rtol=1e-9, atol=1e-12, what=f"{what}: best_per_iter[1:]")
    assert_close(x, expected.x, rtol=1e-9, atol=1e-12, what=f"{what}: x_best")
    assert fx == pytest.approx(expected.fun, rel=1e-12), f"{what}: f_best is not f(x_best)"


def test_a_simplex_of_the_wrong_shape_is_rejected(student, given):
    """nelder_mead: an initial simplex that is not (n + 1, n) raises ValueError"""
    with student_raises(ValueError, "nelder_mead(f, x0, initial_simplex=<3 x 3 for n = 3>)"):
        run(student, "nelder_mead", "nelder_mead", given.problems.BergerEntropy(), np.zeros(3),
            initial_simplex=np.eye(3))
