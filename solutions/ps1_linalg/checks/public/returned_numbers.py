"""Numbers a student's ``rates`` functions return, read as a float or as an exact sympy number
(``None`` for anything that is not a number), for the checks to compare.

Shared by the public and hidden checks of ps1_linalg (released with the public checks, so nothing
secret here).
"""

import numpy as np
import sympy


def as_float(value):
    """A returned estimate as a float: a Python int or float, or a 0-d numeric numpy array (numpy
    scalars arrive as Python numbers); None for anything else."""
    if type(value) in (int, float):
        return float(value)
    if type(value) is np.ndarray and value.shape == () and value.dtype.kind in "iuf":
        return float(value)
    return None


def as_sympy_number(value):
    """A returned constant as a sympy number (from a sympy expression, an int, a float or a 0-d
    array); None if it is not a number."""
    if isinstance(value, sympy.Basic):
        return value if value.is_number else None
    if type(value) is int:
        return sympy.Integer(value)
    number = as_float(value)
    return None if number is None else sympy.Float(number, 30)
