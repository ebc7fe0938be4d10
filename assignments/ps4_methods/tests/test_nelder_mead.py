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

from autograder.checks import Oracle, assert_close, expect_type, student_raises
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("nelder_mead")


def given_problems():
    """The given ``problems.py`` of this problem set (the instructor's copy when grading), imported
    here in the grader, never from the submission."""
    root = next(folder for folder in Path(__file__).resolve().parents
                if (folder / "problemset.toml").is_file())
    return import_file("_autograder_given_ps4_methods_problems", root / "problems.py")


def run(student, module, function, f, x0, **options):
    """``<module>.<function>(f, x0, **options)`` in the sandbox (through drivers/methods.py), with
    ``f`` staying here: the student's code calls it through a stand-in and every call is counted
    here, on ``f`` itself."""
    getattr(getattr(student, module), function)  # a missing function or a broken import: reported as such
    oracle = Oracle(f, methods=("__call__", "grad", "hess"), attributes=("n",))
    return student.driver("methods").run(module, function, oracle, np.asarray(x0, dtype=float), options)


def unpack(result, n: int, what: str):
    """(x_best, f_best, best_per_iter, n_fev), validated."""
    if not isinstance(result, list) or len(result) != 4:
        raise AssertionError(f"{what} must return a tuple (x_best, f_best, best_per_iter, n_fev)")
    x, fx, best, n_fev = result
    expect_type(x, np.ndarray, f"{what}[0] (x_best)")
    if type(fx) is np.ndarray and fx.shape in ((), (1,)):
        fx = float(fx.reshape(-1)[0])
    expect_type(fx, float, f"{what}[1] (f_best)")
    expect_type(best, np.ndarray, f"{what}[2] (best_per_iter)")
    expect_type(n_fev, int, f"{what}[3] (n_fev)")
    if x.shape != (n,) or best.ndim != 2 or best.shape[1] != n:
        raise AssertionError(f"{what} returned x_best of shape {x.shape} and best_per_iter of shape "
                             f"{best.shape}; expected ({n},) and (n_iter + 1, {n})")
    return x, fx, best, n_fev


def test_berger_entropy_as_in_scipys_test(student):
    """nelder_mead: scipy's test function from 0: the same vertices as scipy and 165 evaluations"""
    x0 = np.zeros(3)
    expected = scipy.optimize.minimize(given_problems().BergerEntropy(), x0, method="Nelder-Mead",
                                       options={"maxiter": 1001, "return_all": True})
    f = given_problems().BergerEntropy()
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


def test_a_simplex_of_the_wrong_shape_is_rejected(student):
    """nelder_mead: an initial simplex that is not (n + 1, n) raises ValueError"""
    with student_raises(ValueError, "nelder_mead(f, x0, initial_simplex=<3 x 3 for n = 3>)"):
        run(student, "nelder_mead", "nelder_mead", given_problems().BergerEntropy(), np.zeros(3),
            initial_simplex=np.eye(3))
