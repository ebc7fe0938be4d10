"""A scalar a student's function returned, validated as a finite float (a Python float, or a 0-d or
1-element float array). Shared by the hidden checks of ps3_lowrank (cr_id, tensors); not released."""

import numpy as np

from autograder.checks import expect_type


def as_float(value, what):
    """``value`` as a finite float, or an AssertionError naming ``what``."""
    if type(value) is np.ndarray and value.shape in ((), (1,)) and value.dtype.kind == "f":
        value = float(value.reshape(-1)[0])
    expect_type(value, float, what)
    if not np.isfinite(value):
        raise AssertionError(f"{what} returned {value!r}; expected a finite number")
    return value
