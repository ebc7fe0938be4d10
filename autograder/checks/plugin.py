"""The pytest plugin every check run loads: the markers checks use and the fixtures (``checks.fixtures``).

A grading run passes this module to pytest with its recorder (``grading.recorder``); a released
folder's ``conftest.py`` imports everything here so that plain ``pytest`` works for students too
(then without a recorder). ``import_file`` is here for check authors (trusted helper modules).
"""

from __future__ import annotations

import pytest

from autograder.checks.fixtures import (
    _autograder_sandboxes,
    feedback,
    given,
    reference,
    rng,
    student,
    timing,
)
from autograder.trusted_files import import_file

__all__ = ["_autograder_sandboxes", "feedback", "given", "import_file", "pytest_configure", "reference",
           "rng", "student", "timing"]

MARKERS = (
    "problem(id): the problem a check belongs to (required)",
    "weight(w): the check's share of its problem's points (default 1)",
    "call_timeout(seconds): time limit for each call into the student's code",
    "visibility(v): visible, hidden or after_due_date (default: by folder)",
    "name(text): the check's name in reports (default: the docstring's first line)",
)
VISIBILITIES = ("visible", "hidden", "after_due_date")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
