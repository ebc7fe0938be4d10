"""Driver: runs one of the student's methods on a test function that stays in the grader.

Trusted harness code that runs in the sandbox next to the student's modules and returns plain data
only. It decides and counts nothing: ``f`` is a stand-in for the grader's counted function (an
``Oracle``) whose calls are served and counted in the grader; the checks compare what comes back
with values they compute themselves. Hidden inputs arrive as arguments, never as code.
"""

import importlib

import numpy as np


def run(module, function, f, x0, kwargs):
    """``<module>.<function>(f, x0, **kwargs)`` with ``f`` the grader's function (through a stand-in).

    Returns ``{"result": what the method returned, "x0_unchanged": whether the array passed as x0
    still holds its values}``.
    """
    method = getattr(importlib.import_module(module), function)
    x0 = np.array(x0, dtype=np.float64)
    before = x0.copy()
    result = method(f, x0, **kwargs)
    return {"result": _plain(result), "x0_unchanged": bool(np.array_equal(x0, before))}


def _plain(value):
    """numpy arrays, numbers, strings, and tuples/lists of those, as they are; other objects as
    numpy arrays when numpy can make real numbers of them, else as their type's name."""
    if isinstance(value, (tuple, list)):
        return np.asarray(value) if _numeric(value) else [_plain(v) for v in value]
    if isinstance(value, (np.ndarray, int, float, str, bool, np.generic)) or value is None:
        return value
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - odd objects
        return f"<{type(value).__name__}>"
    return array if array.dtype.kind in "biuf" else f"<{type(value).__name__}>"


def _numeric(value):
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except Exception:  # noqa: BLE001 - ragged lists
        return False
