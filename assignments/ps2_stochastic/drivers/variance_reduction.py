"""Driver for problem 1: runs one of the student's methods on the grader's ``FiniteSumLogistic``.

Trusted harness code that runs in the sandbox next to the student's ``variance_reduction.py`` and
returns plain data only. It decides and counts nothing: ``problem`` is a stand-in for the grader's
problem object (an ``Oracle``), whose gradient calls are served and counted in the grader; the checks
compare what comes back with values they compute themselves. Hidden inputs arrive as arguments.
"""

import numpy as np


def sgd(problem, x0, lr, n_steps, seed):
    """``variance_reduction.sgd`` on the grader's problem; see ``_run`` for what comes back."""
    return _run("sgd", problem, x0, lr, n_steps, None, seed)


def sag(problem, x0, lr, n_steps, seed):
    """``variance_reduction.sag`` on the grader's problem; see ``_run`` for what comes back."""
    return _run("sag", problem, x0, lr, n_steps, None, seed)


def saga(problem, x0, lr, n_steps, seed):
    """``variance_reduction.saga`` on the grader's problem; see ``_run`` for what comes back."""
    return _run("saga", problem, x0, lr, n_steps, None, seed)


def svrg(problem, x0, lr, n_epochs, epoch_length, seed):
    """``variance_reduction.svrg`` on the grader's problem; see ``_run`` for what comes back."""
    return _run("svrg", problem, x0, lr, n_epochs, epoch_length, seed)


def _run(method, problem, x0, lr, length, epoch_length, seed):
    """Call ``variance_reduction.<method>`` on ``problem`` (the grader's, through a stand-in).

    ``length`` is ``n_steps`` (sgd, sag, saga) or ``n_epochs`` (svrg); the generator is
    ``np.random.default_rng(seed)``; ``x0`` reaches the method in the float dtype it was sent in.
    Returns a dict: ``iterates`` (the returned value as a numpy
    array, or None with ``problem`` saying why it is not an array of real numbers), ``x0_unchanged``
    (whether the array passed as x0 still holds its values) and ``draws`` (how many
    ``rng.integers(problem.m)`` draws bring a fresh generator to the state the method left ``rng``
    in, counting up to two more than the contract's; -1 if none does). Oracle calls are counted by
    the grader, not here.
    """
    import variance_reduction

    rng = np.random.default_rng(seed)
    x0 = np.array(x0, dtype=None if np.asarray(x0).dtype.kind == "f" else np.float64)  # float32 stays
    x0_before = x0.copy()
    function = getattr(variance_reduction, method)
    if method == "svrg":
        result = function(problem, x0, lr, length, epoch_length, rng)
    else:
        result = function(problem, x0, lr, length, rng)
    iterates, why = _as_numeric_array(result)
    expected_draws = length * epoch_length if method == "svrg" else length
    return {
        "iterates": iterates,
        "problem": why,
        "x0_unchanged": bool(np.array_equal(x0, x0_before)),
        "draws": _draws(rng, seed, problem.m, expected_draws),
    }


def _as_numeric_array(value):
    """``(array, "")`` for an array-like of real numbers, ``(None, reason)`` otherwise."""
    try:
        array = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - ragged lists and odd objects
        return None, f"a {type(value).__name__} that numpy cannot turn into an array ({exc})"
    if array.dtype.kind not in "biuf":
        return None, f"a {type(value).__name__} of dtype {array.dtype} (expected real numbers)"
    return np.array(array), ""


def _draws(rng, seed, m, expected):
    """The number k <= expected + 2 such that k draws of ``integers(m)`` from a fresh generator give
    ``rng``'s state, or -1; checks only use it to explain a mismatch."""
    state = rng.bit_generator.state
    fresh = np.random.default_rng(seed)
    for k in range(expected + 3):
        if fresh.bit_generator.state == state:
            return k
        fresh.integers(m)
    return -1
