"""Hidden checks of problem 1, variance reduction: trajectories under the sampling contract, the
oracle budget, convergence, SGD's noise floor, SVRG's geometric decrease, and the returned arrays.

Inputs (problem sizes and data seeds, x0, generator seeds) come from the ``rng`` fixture, so they are
secret. Expected trajectories are the reference's, computed here in the parent on the given
``FiniteSumLogistic`` (the ``given`` fixture); f values are computed here too, never taken from the
sandbox. Messages say which case and what kind of difference, never the hidden inputs nor a number
computed from the student's results (a step, a size, a ratio).
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import PartialCredit, StudentError, StudentException, StudentTimeout, redact
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("variance_reduction")

METHODS = ("sgd", "sag", "saga", "svrg")
TOLERANCE = 1e-9  # trajectories: |x - x_ref| <= TOLERANCE * (1 + |x_ref|) entrywise
PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
finite_sum_runs = import_file("_ps2_stochastic_finite_sum_runs", PUBLIC / "finite_sum_runs.py")
run, gaps, budget = finite_sum_runs.run, finite_sum_runs.gaps, finite_sum_runs.budget
CONVERGED, SETTINGS = finite_sum_runs.CONVERGED, finite_sum_runs.SETTINGS


# ---------------------------------------------------------------------------- helpers


def seed_from(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31))


def default_problem(rng: np.random.Generator) -> dict:
    return {"m": 200, "n": 10, "mu": 0.1, "seed": seed_from(rng)}


def odd_problem(rng: np.random.Generator) -> dict:
    """A problem whose sizes differ from the defaults (catches hard-coded m or n)."""
    return {"m": int(rng.integers(25, 90)), "n": int(rng.integers(3, 13)),
            "mu": float(rng.uniform(0.05, 0.3)), "seed": seed_from(rng)}


def point(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    """A random x0 with norm ``radius``."""
    x = rng.standard_normal(n)
    return radius * x / np.linalg.norm(x)


def call_text(method: str) -> str:
    if method == "svrg":
        return "svrg(problem, x0, lr, n_epochs, epoch_length, rng)"
    return f"{method}(problem, x0, lr, n_steps, rng)"


def iterates(out: dict, rows: int, n: int, method: str, *, finite: bool = True) -> np.ndarray:
    """The returned array, validated without revealing the hidden sizes."""
    what = call_text(method)
    shape = "(n_epochs + 1, problem.n)" if method == "svrg" else "(n_steps + 1, problem.n)"
    x = out["iterates"]
    if x is None:
        raise AssertionError(f"{what} returned something that is not an array of real numbers; return "
                             f"a numpy array of shape {shape}")
    if x.ndim != 2 or x.shape != (rows, n):
        detail = ("an array with too many or too few rows" if x.ndim == 2 and x.shape[1] == n else
                  "an array of another shape")
        raise AssertionError(f"{what} returned {detail}; expected shape {shape}, row 0 being x0")
    if x.dtype.kind != "f" or x.dtype.itemsize < 8:
        raise AssertionError(f"{what} returned an array of another dtype; return float64 iterates")
    if finite and not np.isfinite(x).all():
        raise AssertionError(f"{what} produced non-finite values (the iteration diverged)")
    return x


def student_failure(exc: StudentError) -> str:
    """A short description of a failure of the student's code that carries no text the student's
    code chose (a type name, a message, a file or function name): only fixed categories and a line."""
    if isinstance(exc, StudentException):
        line = redact.student_line(exc.where)
        return f"raised {redact.exception_kind(exc)}" + (f" ({line})" if line else "")
    if isinstance(exc, StudentTimeout):
        return "did not finish in time"
    return "failed (the module is missing, did not import, crashed or returned something unreadable)"


# ---------------------------------------------------------------------------- returned arrays


def test_methods_return_well_formed_iterates(student, given, rng):
    """all methods: well-formed iterates (shape, float64, row 0 = x0, x0 unchanged, zero steps, float32 x0)"""
    kwargs = odd_problem(rng)
    n = kwargs["n"]
    lengths = (0, int(rng.integers(3, 8)), int(rng.integers(3, 8)))
    cases = {method: [(length, point(rng, n, 1.0).astype(np.float32 if number == 2 else np.float64),
                       int(rng.integers(2, 6)) if method == "svrg" else None, seed_from(rng))
                      for number, length in enumerate(lengths)] for method in METHODS}
    problems = []
    for method in METHODS:
        try:
            for length, x0, epoch_length, seed in cases[method]:
                out = run(student, given, method, kwargs, x0, 0.3, length, epoch_length, seed)
                x = iterates(out, length + 1, n, method)
                if not np.array_equal(x[0], x0):
                    raise AssertionError(f"{method}: row 0 of the result must be x0 itself")
                if x0.dtype == np.float32 and length and np.array_equal(x[1], x[1].astype(np.float32)):
                    raise AssertionError(f"{method}: from a float32 x0 the iterates were computed in "
                                         f"float32; compute in float64 (x = x0.astype(np.float64))")
                if not out["x0_unchanged"]:
                    raise AssertionError(f"{method}: x0 was modified in place; copy it before updating")
        except AssertionError as exc:
            problems.append(str(exc))
        except StudentError as exc:
            problems.append(f"{call_text(method)} {student_failure(exc)}")
    if problems:
        raise PartialCredit((len(METHODS) - len(problems)) / len(METHODS), "; ".join(problems))


# ---------------------------------------------------------------------------- trajectories


def trajectory_cases(rng: np.random.Generator, method: str) -> list[tuple]:
    """(problem kwargs, lr in units of 1/L_max, length, epoch_length in units of m or None)."""
    if method == "svrg":
        return [(default_problem(rng), 1.0, 4, 0.5), (odd_problem(rng), 0.5, 3, 2.0),
                (default_problem(rng), 1 / 16, 5, 0.25)]
    return [(default_problem(rng), 1.0, 400, None), (odd_problem(rng), 0.5, 300, None),
            (default_problem(rng), 1 / 16, 300, None)]


def explain(method: str, k: int, draws: int, expected_draws: int) -> str:
    if k == 0:
        return "row 0 must be x0 itself"
    if draws != expected_draws:
        return ("your code drew a different number of values from rng than the contract's one "
                "rng.integers(problem.m) per " + ("inner step" if method == "svrg" else "step")
                if draws >= 0 else "your code used rng differently from the contract (one "
                "rng.integers(problem.m) per step, nothing else)")
    if method == "svrg":
        if k == 1:
            return ("the first epoch already differs: check the inner update, that y_0 is the snapshot "
                    "and that the new snapshot is the last inner iterate")
        return ("the first epoch agrees: check what must be recomputed at the start of each epoch "
                "(the full gradient at the new snapshot) and that the inner loop starts from it")
    if k == 1 and method == "sgd":
        return "the first step should be x0 - lr * grad_i(x0, i_1): check the update and the index"
    if k == 1:
        return ("the first step should be x0 - lr * grad f(x0), since the table built at x0 averages to "
                "grad f(x0): check how the table and the average are built and updated")
    if method == "sgd":
        return "check that each step uses the current iterate and a fresh index"
    return ("check the table and average updates (average += (g_new - g_old) / m) and whether the "
            "step uses the average before or after the update, as the statement says")


@pytest.mark.parametrize("method", [pytest.param("sgd", marks=pytest.mark.weight(3))] + [
    pytest.param(method, marks=pytest.mark.weight(4)) for method in ("sag", "saga", "svrg")])
def test_trajectory_matches_the_reference_under_the_contract(student, reference, given, rng, method):
    """trajectory equals the reference's under the sampling contract"""
    cases = trajectory_cases(rng, method)
    for number, (kwargs, lr_units, length, epoch_units) in enumerate(cases, 1):
        problem = given.problems.FiniteSumLogistic(**kwargs)
        x0 = point(rng, problem.n, float(rng.uniform(0.5, 2.0)))
        lr = lr_units / problem.L_max
        seed = seed_from(rng)
        epoch_length = None if epoch_units is None else max(1, int(epoch_units * problem.m))
        method_of = getattr(reference.variance_reduction, method)
        if method == "svrg":
            expected = method_of(problem, x0, lr, length, epoch_length, np.random.default_rng(seed))
        else:
            expected = method_of(problem, x0, lr, length, np.random.default_rng(seed))
        out = run(student, given, method, kwargs, x0, lr, length, epoch_length, seed)
        x = iterates(out, length + 1, problem.n, method, finite=False)
        off = np.abs(x - expected) > TOLERANCE * (1.0 + np.abs(expected))
        off |= ~np.isfinite(x)
        if off.any():
            k = int(np.argmax(off.any(axis=1)))
            draws = length * epoch_length if method == "svrg" else length
            where = {0: "in row 0", 1: "at the first " + ("epoch" if method == "svrg" else "step")}.get(
                k, "after the first " + ("epoch" if method == "svrg" else "step") + " agrees")
            raise AssertionError(
                f"{call_text(method)} on hidden case {number} of {len(cases)}: the iterates differ from "
                f"the reference {where} (by more than {TOLERANCE:g} * (1 + |x|)). Hint: "
                f"{explain(method, k, out['draws'], draws)}")


# ---------------------------------------------------------------------------- oracle budget


@pytest.mark.weight(2)
@pytest.mark.parametrize("method", METHODS)
def test_oracle_budget_on_hidden_problems(student, given, rng, method):
    """oracle budget on hidden problems"""
    for _ in range(2):
        kwargs = odd_problem(rng)
        if method == "svrg":
            length, epoch_length = int(rng.integers(2, 5)), int(rng.integers(5, 30))
        else:
            length, epoch_length = int(rng.integers(10, 60)), None
        out = run(student, given, method, kwargs, point(rng, kwargs["n"], 1.0), 0.2, length, epoch_length,
                  seed_from(rng))
        expected, rule = budget(method, kwargs["m"], length, epoch_length)
        if out["calls"] != expected:
            more = "more" if out["calls"] > expected else "fewer"
            raise AssertionError(
                f"{call_text(method)} evaluated {more} component gradients than its budget on a hidden "
                f"problem (grad_i counts 1, grad counts m); the budget is exactly {rule}")


# ---------------------------------------------------------------------------- behaviour


@pytest.mark.weight(2)
@pytest.mark.parametrize("method", ["sag", "saga", "svrg"])
def test_converges_within_the_budget_on_hidden_problems(student, given, rng, method):
    """converges to f - f* < 1e-7 within the budget on hidden problems"""
    s = SETTINGS[method]
    finals = []
    for _ in range(3):
        kwargs = default_problem(rng)
        problem = given.problems.FiniteSumLogistic(**kwargs)
        x0 = point(rng, problem.n, float(rng.uniform(0.0, 2.0)))
        lr = s["lr"] / problem.L_max
        if method == "svrg":
            out = run(student, given, method, kwargs, x0, lr, s["length"], s["epoch_length"] * problem.m,
                      seed_from(rng))
            rows = s["length"] + 1
        else:
            out = run(student, given, method, kwargs, x0, lr, s["length"] * problem.m, seed=seed_from(rng))
            rows = s["length"] * problem.m + 1
        finals.append(float(gaps(problem, iterates(out, rows, problem.n, method))[-1]))
    failed = [f for f in finals if not f < CONVERGED]
    if failed:
        raise AssertionError(
            f"{method} with the statement's step and budget ends above f(x) - f* = {CONVERGED:g} on a "
            f"hidden problem; a correct {method} gets there with a wide margin")


@pytest.mark.weight(2)
def test_sgd_with_a_constant_step_stalls_at_a_noise_floor(student, given, rng):
    """sgd: a constant step makes progress, then stalls at a noise floor"""
    for number in range(1, 4):
        kwargs = default_problem(rng)
        problem = given.problems.FiniteSumLogistic(**kwargs)
        x0 = point(rng, problem.n, 5.0)
        n_steps = 20 * problem.m
        out = run(student, given, "sgd", kwargs, x0, 0.5 / problem.L_max, n_steps, seed=seed_from(rng))
        gap = gaps(problem, iterates(out, n_steps + 1, problem.n, "sgd"))
        floor = float(np.mean(gap[-5 * problem.m:]))
        if not floor <= 0.25 * gap[0]:
            raise AssertionError(f"sgd on hidden problem {number}: over the last 5m steps f - f* averages "
                                 f"more than 0.25 times its value at x0; SGD should have made progress")
        if not floor >= 1e-3:
            raise AssertionError(f"sgd on hidden problem {number}: over the last 5m steps f - f* averages "
                                 f"less than 1e-3; with a constant step SGD stalls at a noise floor above "
                                 f"that, so your method is not plain SGD (a full gradient? a shrinking "
                                 f"step?)")


@pytest.mark.weight(2)
def test_svrg_error_shrinks_geometrically(student, given, rng):
    """svrg: f - f* shrinks geometrically (at least halved every epoch)"""
    for number in range(1, 4):
        kwargs = default_problem(rng)
        problem = given.problems.FiniteSumLogistic(**kwargs)
        x0 = point(rng, problem.n, 2.0)
        n_epochs = 6
        out = run(student, given, "svrg", kwargs, x0, 1 / (3 * problem.L_max), n_epochs, 2 * problem.m,
                  seed_from(rng))
        gap = gaps(problem, iterates(out, n_epochs + 1, problem.n, "svrg"))
        for s in range(1, n_epochs + 1):
            if gap[s - 1] > 1e-10 and not gap[s] <= 0.5 * gap[s - 1]:
                raise AssertionError(
                    f"svrg on hidden problem {number}: an epoch did not halve f - f*; a correct svrg "
                    f"shrinks it by at least 2 per epoch here (linear convergence)")
