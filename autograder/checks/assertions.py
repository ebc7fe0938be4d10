"""Assertions for check authors, with failure messages that teach (after ``torch.testing.assert_close``).

Each raises ``AssertionError`` with a message written for the student, or ``PartialCredit``.
Messages name what was compared and how it differs, never the hidden inputs themselves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from autograder.sandbox.errors import StudentException


class PartialCredit(Exception):
    """Raise from a check to award ``fraction`` of its points with ``message``."""

    def __init__(self, fraction: float, message: str):
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must lie in [0, 1]")
        super().__init__(message)
        self.fraction = float(fraction)
        self.message = message


def _type_name(t) -> str:
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def expect_type(value, types, what: str) -> None:
    """Fail unless ``type(value)`` is exactly one of ``types`` (subclasses are not accepted)."""
    types = types if isinstance(types, tuple) else (types,)
    if type(value) not in types:
        allowed = " or ".join(_type_name(t) for t in types)
        raise AssertionError(f"{what} returned a {_type_name(type(value))}; expected {allowed}")


def assert_close(actual, expected, *, rtol: float, atol: float = 0.0, what: str) -> None:
    """Compare numbers or arrays elementwise: ``|actual - expected| <= atol + rtol * |expected|``.

    ``actual`` must have ``expected``'s shape. The message gives the number of mismatches and the
    greatest absolute and relative differences with their positions.
    """
    a = _as_array(actual)
    e = _as_array(expected)
    if a.shape != e.shape:
        raise AssertionError(f"{what} has shape {a.shape}; expected shape {e.shape}")
    if a.dtype.kind not in "biufc":
        raise AssertionError(f"{what} is not numeric (dtype {a.dtype})")
    if not np.all(np.isfinite(a)):
        bad = np.argwhere(~np.isfinite(a))
        raise AssertionError(f"{what} contains {len(bad)} non-finite value(s), the first at "
                             f"index {tuple(int(i) for i in bad[0])}")
    a = a.astype(np.result_type(a.dtype, np.float64))
    e = e.astype(np.result_type(e.dtype, np.float64))
    diff = np.abs(a - e)
    allowed = atol + rtol * np.abs(e)
    bad = diff > allowed
    if not bad.any():
        return
    n_bad, n = int(bad.sum()), diff.size
    i_abs = np.unravel_index(int(np.argmax(diff)), diff.shape)
    rel = diff / np.where(np.abs(e) > 0, np.abs(e), np.inf)
    i_rel = np.unravel_index(int(np.argmax(rel)), rel.shape)
    where_abs = f" at index {tuple(int(i) for i in i_abs)}" if diff.ndim else ""
    where_rel = f" at index {tuple(int(i) for i in i_rel)}" if diff.ndim else ""
    raise AssertionError(
        f"{what} is not close enough: {n_bad} of {n} element(s) differ beyond the tolerance "
        f"(rtol={rtol:g}, atol={atol:g}); greatest absolute difference {float(diff[i_abs]):.3g}"
        f"{where_abs}, greatest relative difference {float(rel[i_rel]):.3g}{where_rel}"
    )


def _as_array(x) -> np.ndarray:
    if type(x).__module__ == "torch":
        x = x.detach().cpu()
        x = x.float() if str(x.dtype) == "torch.bfloat16" else x
        return x.numpy()
    return np.asarray(x)


@contextlib.contextmanager
def student_raises(exc_type: type[BaseException], what: str) -> Iterator[None]:
    """Assert that the student code called inside the block raises ``exc_type`` (or a subclass)."""
    try:
        yield
    except StudentException as exc:
        if not exc.is_instance_of(exc_type):
            raise AssertionError(f"{what} should raise {exc_type.__name__}; it raised "
                                 f"{exc.type_names[0].rsplit('.', 1)[-1] if exc.type_names else '?'}"
                                 ) from None
        return
    raise AssertionError(f"{what} should raise {exc_type.__name__}; it returned normally")
