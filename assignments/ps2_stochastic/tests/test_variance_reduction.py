"""Public checks of problem 1, variance reduction: SGD's update, the first step of SAG, SAGA and
SVRG, the oracle budget and convergence on the public problem ``FiniteSumLogistic(seed=0)``.

Expected values come from first principles (the given ``problems.py`` and the formulas of the
statement), never from a reference solution. The hidden checks add trajectory equality under the
sampling contract, more problems, seeds and step sizes, and behaviour checks.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("variance_reduction")

PUBLIC = {"m": 200, "n": 10, "mu": 0.1, "seed": 0}
finite_sum_runs = import_file("_ps2_stochastic_finite_sum_runs", Path(__file__).parent / "finite_sum_runs.py")
run, gaps, budget = finite_sum_runs.run, finite_sum_runs.gaps, finite_sum_runs.budget
CONVERGED, SETTINGS = finite_sum_runs.CONVERGED, finite_sum_runs.SETTINGS


# ---------------------------------------------------------------------------- helpers


def make_problem(given, kwargs: dict):
    """A ``FiniteSumLogistic`` of the given ``problems.py``, imported here in the grader from the
    problem set (the instructor's copy when grading), never from the submission."""
    return given.problems.FiniteSumLogistic(**kwargs)


def iterates(out: dict, rows: int, n: int, what: str) -> np.ndarray:
    """The returned iterates, validated: a float64 array of shape (rows, n) with finite entries."""
    x = out["iterates"]
    if x is None:
        raise AssertionError(f"{what} returned {out['problem']}; return a numpy array of shape "
                             f"({rows}, {n})")
    if x.shape != (rows, n):
        raise AssertionError(f"{what} returned an array of shape {x.shape}; expected ({rows}, {n}): "
                             f"one row per iterate, row 0 being x0")
    if x.dtype.kind != "f" or x.dtype.itemsize < 8:
        raise AssertionError(f"{what} returned an array of dtype {x.dtype}; return float64 iterates")
    bad = ~np.all(np.isfinite(x), axis=1)
    if bad.any():
        raise AssertionError(f"{what} produced non-finite values from row {int(np.argmax(bad))} on "
                             f"(the iteration diverged)")
    return x


def start(n: int) -> np.ndarray:
    return np.linspace(-1.0, 1.0, n)


# ---------------------------------------------------------------------------- SGD


@pytest.mark.weight(3)
def test_sgd_steps_follow_the_update_and_the_sampling_contract(student, given):
    """sgd: each step is x - lr * grad_i(x, i) with i = rng.integers(m), on the public problem"""
    problem = make_problem(given, PUBLIC)
    x0, lr, n_steps, seed = start(problem.n), 0.5 / problem.L_max, 50, 7
    out = run(student, given, "sgd", PUBLIC, x0, lr, n_steps, seed=seed)
    x = iterates(out, n_steps + 1, problem.n, "sgd(problem, x0, lr, n_steps=50, rng)")
    if not np.array_equal(x[0], x0):
        raise AssertionError("sgd: row 0 of the result must be x0")
    draws = np.random.default_rng(seed)
    for k in range(1, n_steps + 1):
        i = draws.integers(problem.m)
        expected = x[k - 1] - lr * problem.grad_i(x[k - 1], i)
        error = float(np.max(np.abs(x[k] - expected)))
        if error > 1e-12 * (1.0 + float(np.max(np.abs(expected)))):
            raise AssertionError(
                f"sgd: step {k} is not x_{k - 1} - lr * grad_i(x_{k - 1}, i_{k}) with i_{k} the {k}-th "
                f"rng.integers(problem.m) draw (off by {error:.3g}); draw exactly one index per step, "
                f"in order, and use the current iterate")


# ---------------------------------------------------------------------------- first steps


@pytest.mark.weight(2)
@pytest.mark.parametrize("method", ["sag", "saga", "svrg"])
def test_first_step_is_a_full_gradient_step(student, given, method):
    """first step from a table or snapshot at x0 is x0 - lr * grad f(x0)

    From a table (SAG, SAGA) or snapshot (SVRG) built at x0, the correction cancels the sampled
    component: the first step is a full gradient step.
    """
    problem = make_problem(given, PUBLIC)
    x0, lr = start(problem.n), 1.0 / problem.L_max
    if method == "svrg":
        out = run(student, given, method, PUBLIC, x0, lr, 1, epoch_length=1, seed=3)
        what = "svrg(problem, x0, lr, n_epochs=1, epoch_length=1, rng)"
    else:
        out = run(student, given, method, PUBLIC, x0, lr, 1, seed=3)
        what = f"{method}(problem, x0, lr, n_steps=1, rng)"
    x = iterates(out, 2, problem.n, what)
    if not np.array_equal(x[0], x0):
        raise AssertionError(f"{method}: row 0 of the result must be x0")
    expected = x0 - lr * problem.grad(x0)
    error = float(np.max(np.abs(x[1] - expected)))
    if error > 1e-10 * (1.0 + float(np.max(np.abs(expected)))):
        table = ("the table holds grad_i(x0, i) for every i, so the first direction is the full "
                 "gradient" if method != "svrg" else
                 "the correction -grad_i(x~, i) + grad f(x~) cancels grad_i(x0, i) when y_0 = x~ = x0")
        raise AssertionError(f"{what}: row 1 is not x0 - lr * grad f(x0) (off by {error:.3g}); {table}")


# ---------------------------------------------------------------------------- oracle budget


@pytest.mark.parametrize("method", ["sgd", "sag", "saga", "svrg"])
def test_oracle_budget_on_the_public_problem(student, given, method):
    """oracle budget on the public problem"""
    problem = make_problem(given, PUBLIC)
    length, epoch_length = (3, 20) if method == "svrg" else (30, None)
    out = run(student, given, method, PUBLIC, start(problem.n), 0.5 / problem.L_max, length, epoch_length,
              seed=11)
    expected, rule = budget(method, problem.m, length, epoch_length)
    if out["calls"] != expected:
        call = ("svrg(problem, x0, lr, n_epochs=3, epoch_length=20, rng)" if method == "svrg"
                else f"{method}(problem, x0, lr, n_steps=30, rng)")
        raise AssertionError(f"{call} evaluated {out['calls']} component gradients (grad_i counts 1, "
                             f"grad counts m = {problem.m}); the budget is {rule} = {expected}")


# ---------------------------------------------------------------------------- convergence


@pytest.mark.parametrize("method", ["sag", "saga", "svrg"])
def test_converges_on_the_public_problem(student, given, method):
    """converges to f - f* < 1e-7 within the budget on the public problem"""
    problem = make_problem(given, PUBLIC)
    s = SETTINGS[method]
    lr = s["lr"] / problem.L_max
    if method == "svrg":
        out = run(student, given, method, PUBLIC, np.zeros(problem.n), lr, s["length"],
                  s["epoch_length"] * problem.m, seed=5)
        rows = s["length"] + 1
    else:
        out = run(student, given, method, PUBLIC, np.zeros(problem.n), lr, s["length"] * problem.m, seed=5)
        rows = s["length"] * problem.m + 1
    what = s["text"]
    gap = gaps(problem, iterates(out, rows, problem.n, what))
    if not gap[-1] < CONVERGED:
        raise AssertionError(f"{what} ends at f(x) - f* = {gap[-1]:.3g} on FiniteSumLogistic(seed=0); "
                             f"a correct {method} gets below {CONVERGED:g}")
