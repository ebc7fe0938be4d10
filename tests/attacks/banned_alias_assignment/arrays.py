"""Attack: a banned function reached through aliases made by assignment (which the scan once did not
follow), with the tripwire's recording wrapper peeled off so that the child reports nothing."""

import numpy as np

_lib = np
_twice = _lib.multiply
_raw = getattr(_twice, "_original", None) or getattr(_twice, "__wrapped__", None) or _twice


def double(x):
    """Return 2 * x, same type as x."""
    return _raw(x, 2)
