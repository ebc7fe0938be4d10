"""What check authors import: assertions with teaching messages, the student-side errors, and
``Oracle`` (an object the student's code calls while it stays, and is counted, in the grader)."""

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
from autograder.sandbox.oracle import Oracle

__all__ = [
    "BadValue", "ImportFailed", "MissingName", "Oracle", "PartialCredit", "StudentCrashed", "StudentError",
    "StudentException", "StudentTimeout", "assert_close", "expect_type", "student_raises",
]
