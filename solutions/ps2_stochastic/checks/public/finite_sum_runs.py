"""Variance-reduction checks' runs: a student's method run in the sandbox on a ``FiniteSumLogistic``
that stays in the grader (its gradients counted here), the gap f(x_k) - f* of the iterates, the
oracle budget each method has, and the statement's step sizes and budgets for convergence.

Shared by the public and hidden checks of ps2_stochastic (released with the public checks, so
nothing secret here: problem sizes and seeds are the checks' arguments).
"""

import numpy as np

from autograder.checks import Oracle

CONVERGED = 1e-7  # f(x) - f* that SAG, SAGA and SVRG reach within the stated budgets
SETTINGS = {  # the statement's budgets: lr in units of 1/L_max, steps or epochs in units of m
    "sag": {"lr": 1 / 16, "length": 25, "text": "sag(lr = 1/(16 L_max), 25m steps)"},
    "saga": {"lr": 1 / 3, "length": 20, "text": "saga(lr = 1/(3 L_max), 20m steps)"},
    "svrg": {"lr": 1 / 3, "length": 8, "epoch_length": 2,
             "text": "svrg(lr = 1/(3 L_max), 8 epochs of 2m inner steps)"},
}


def run(student, given, method: str, kwargs: dict, x0, lr: float, length: int, epoch_length=None,
        seed: int = 0) -> dict:
    """Run the student's method in the sandbox through the driver (see drivers/) on the given
    problem ``FiniteSumLogistic(**kwargs)``, which stays here: the student's code reaches it through
    an Oracle stand-in and every gradient is counted here. ``x0`` goes as it is (dtype included)."""
    getattr(student.variance_reduction, method)  # a missing function or a broken import: reported as such
    driver = getattr(student.driver("variance_reduction"), method)
    problem = given.problems.FiniteSumLogistic(**kwargs)
    oracle = Oracle(problem, methods=("f", "grad", "grad_i", "reset_calls"),
                    attributes=("m", "n", "mu", "L", "L_max"), properties=("calls",))
    x0 = np.asarray(x0)
    if method == "svrg":
        out = driver(oracle, x0, float(lr), length, epoch_length, seed)
    else:
        out = driver(oracle, x0, float(lr), length, seed)
    # counted here, by the grader: the student's code never holds the counter
    return dict(out, calls=oracle.counts.get("grad_i", 0) + problem.m * oracle.counts.get("grad", 0))


def gaps(problem, x: np.ndarray) -> np.ndarray:
    """f(x_k) - f* for each row x_k, on the problem as the grader holds it."""
    margins = (x @ problem.A.T) * problem.y
    values = np.mean(np.logaddexp(0.0, -margins), axis=1) + 0.5 * problem.mu * np.sum(x * x, axis=1)
    return values - problem.f_star


def budget(method: str, m: int, length: int, epoch_length: int | None) -> tuple[int, str]:
    """The component gradients ``method`` may evaluate (grad_i counts 1, grad counts m), and the rule."""
    if method == "sgd":
        return length, "n_steps"
    if method in ("sag", "saga"):
        return m + length, "m + n_steps (m grad_i for the table at x0, then 1 per step)"
    return length * (m + 2 * epoch_length), \
        "n_epochs * (m + 2 * epoch_length) (one full gradient per epoch, 2 grad_i per inner step)"
