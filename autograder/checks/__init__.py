"""What check authors import: assertions with teaching messages and the student-side errors."""

from autograder.checks.assertions import PartialCredit, assert_close, expect_type, student_raises
from autograder.sandbox.errors import (
    BadValue,
    ImportFailed,
    MissingName,
    StudentCrashed,
    StudentError,
    StudentException,
    StudentTimeout,
)

__all__ = [
    "BadValue", "ImportFailed", "MissingName", "PartialCredit", "StudentCrashed", "StudentError",
    "StudentException", "StudentTimeout", "assert_close", "expect_type", "student_raises",
]
