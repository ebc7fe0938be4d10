"""What a student's function returned, validated: a float, an array of a given shape, the tuple
``nelder_mead`` returns. Each failure is an AssertionError with a message for the student.

Shared by the public and hidden checks of ps4_methods (released with the public checks, so nothing
secret here). Hidden checks pass ``reveal_shape=False``: their shapes come from hidden sizes, so
their messages point to the statement instead of quoting them.
"""

import numpy as np

from autograder.checks import expect_type


def as_float(value, what: str) -> float:
    """A Python float (numpy scalars arrive as one) or a 0-d/1-element float array."""
    if type(value) is np.ndarray and value.shape in ((), (1,)) and value.dtype.kind == "f":
        value = float(value.reshape(-1)[0])
    expect_type(value, float, what)
    return value


def as_array(value, shape, what: str, *, reveal_shape: bool = True) -> np.ndarray:
    """A numpy array of exactly ``shape``."""
    expect_type(value, np.ndarray, what)
    if value.shape != shape:
        if reveal_shape:
            raise AssertionError(f"{what} returned an array of shape {value.shape}; expected {shape}")
        raise AssertionError(f"{what} returned an array of the wrong shape (the statement gives its shape)")
    return value


def nelder_mead_result(result, n: int, what: str, *, reveal_shape: bool = True):
    """``nelder_mead``'s (x_best, f_best, best_per_iter, n_fev) for a function of ``n`` variables."""
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
        if reveal_shape:
            raise AssertionError(f"{what} returned x_best of shape {x.shape} and best_per_iter of shape "
                                 f"{best.shape}; expected ({n},) and (n_iter + 1, {n})")
        raise AssertionError(f"{what} returned x_best or best_per_iter of the wrong shape; expected (n,) "
                             "and (n_iter + 1, n)")
    return x, fx, best, n_fev
