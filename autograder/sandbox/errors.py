"""What can go wrong on the student's side of a call, as exceptions raised in the trusted parent.

Each carries a message written for the student. A check that meets one of these scores zero; the
grader classifies it as ``error`` (``timeout`` for ``StudentTimeout``) and every other check still runs.
Also the wire's own two errors (a malformed message, a value that is not data), which every side of
the channel raises.
"""

from __future__ import annotations

from autograder.status import Status


class StudentError(Exception):
    """Base: the student's code failed to produce a value for this call."""

    status = Status.ERROR

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail  # traceback of the student's own frames, shown for visible checks


class StudentException(StudentError):
    """The student's code raised an exception."""

    def __init__(self, message: str, *, type_names: list[str], detail: str = "", where: str = ""):
        super().__init__(message, detail=detail)
        self.type_names = type_names
        self.where = where

    def is_instance_of(self, exc_type: type[BaseException]) -> bool:
        return f"{exc_type.__module__}.{exc_type.__qualname__}" in self.type_names


class MissingName(StudentError):
    """The module or the function/constant is not in the submission."""


class ImportFailed(StudentError):
    """The student's module raised while being imported (syntax error, failing top-level code)."""


class BadValue(StudentError):
    """The student's code returned something that is not plain data."""


class StudentCrashed(StudentError):
    """The student's process ended in the middle of a call (``os._exit``, a segfault, a kill)."""


class StudentTimeout(StudentError):
    """The call did not finish within its time limit."""

    status = Status.TIMEOUT


# ---------------------------------------------------------------- the wire's own errors (sandbox.wire)


class WireError(Exception):
    """The other side sent something that is not a well-formed message of this protocol."""


class EncodeError(Exception):
    """A value cannot be sent: its type is not plain data."""
