"""Assertions for check authors, with failure messages that teach (after ``torch.testing.assert_close``).

Each raises ``AssertionError`` with a message written for the student, or ``PartialCredit``.
Messages name what was compared and how it differs, never the hidden inputs themselves; where the
full message repeats what the student's code returned (a shape, a dtype, a type name, an index), a
``CheckFailure`` also carries the message a hidden check shows instead (see ``checks.redact``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from autograder.checks.redact import exception_kind
from autograder.sandbox.errors import StudentException


class PartialCredit(Exception):
    """Raise from a check to award ``fraction`` of its points with ``message``."""

    def __init__(self, fraction: float, message: str):
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must lie in [0, 1]")
        super().__init__(message)
        self.fraction = float(fraction)
        self.message = message


class CheckFailure(AssertionError):
    """A failed assertion with two messages: the full one (``str(exc)``) for visible checks, and
    ``hidden_message`` for hidden ones: the same property and margin, without the values the
    student's code chose or the hidden inputs determine (shapes, dtypes, type names, positions)."""

    def __init__(self, message: str, hidden_message: str):
        super().__init__(message)
        self.hidden_message = hidden_message


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
        raise CheckFailure(f"{what} has shape {a.shape}; expected shape {e.shape}",
                           f"{what} does not have the expected shape")
    if a.dtype.kind not in "biufc":
        raise CheckFailure(f"{what} is not numeric (dtype {a.dtype})", f"{what} is not numeric")
    if not np.all(np.isfinite(a)):
        bad = np.argwhere(~np.isfinite(a))
        raise CheckFailure(f"{what} contains {len(bad)} non-finite value(s), the first at "
                           f"index {tuple(int(i) for i in bad[0])}",
                           f"{what} contains non-finite values")
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
    largest_abs, largest_rel = f"{float(diff[i_abs]):.3g}", f"{float(rel[i_rel]):.3g}"
    tolerance = f"(rtol={rtol:g}, atol={atol:g})"
    raise CheckFailure(
        f"{what} is not close enough: {n_bad} of {n} element(s) differ beyond the tolerance "
        f"{tolerance}; greatest absolute difference {largest_abs}{where_abs}, greatest relative "
        f"difference {largest_rel}{where_rel}",
        f"{what} is not close enough: some elements differ beyond the tolerance {tolerance}; "
        f"greatest absolute difference {largest_abs}, greatest relative difference {largest_rel}",
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
            raised = exc.type_names[0].rsplit(".", 1)[-1] if exc.type_names else "?"
            raise CheckFailure(f"{what} should raise {exc_type.__name__}; it raised {raised}",
                               f"{what} should raise {exc_type.__name__}; it raised "
                               f"{exception_kind(exc)}") from None
        return
    raise AssertionError(f"{what} should raise {exc_type.__name__}; it returned normally")
