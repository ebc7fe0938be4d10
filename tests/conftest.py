"""Shared helpers for the engine's tests: the toy course, and submissions written on the fly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from autograder.grading.grade import grade_submission
from autograder.problemset import ProblemSet, load_problem_set

REPO = Path(__file__).resolve().parent.parent


def pytest_itemcollected(item):
    """For ``make test``'s parallel run (pytest-xdist, ``--dist loadgroup``): the tests of one file go
    to one worker (its module-scoped fixtures, e.g. a course built once, are then built once), except
    those marked ``independent`` (each is spread on its own) or already in a group of their own."""
    if not (item.get_closest_marker("xdist_group") or item.get_closest_marker("independent")):
        item.add_marker(pytest.mark.xdist_group(item.module.__name__))


TOY_COURSE = Path(__file__).resolve().parent / "data" / "course"


@pytest.fixture(scope="session")
def toy() -> ProblemSet:
    return load_problem_set(TOY_COURSE / "solutions" / "toy")


@pytest.fixture
def toy_submission(tmp_path):
    """Write a toy submission: the reference files, with some replaced or removed."""

    def make(replace: dict[str, str | None] | None = None) -> Path:
        folder = tmp_path / "submission"
        folder.mkdir()
        for name in ("arith.py", "arrays.py"):
            shutil.copyfile(TOY_COURSE / "solutions" / "toy" / name, folder / name)
        for name, text in (replace or {}).items():
            if text is None:
                (folder / name).unlink()
            else:
                (folder / name).write_text(text)
        return folder

    return make


@pytest.fixture
def grade_toy(toy, toy_submission):
    """Grade a toy submission made from the reference with some files replaced."""

    def grade(replace: dict[str, str | None] | None = None, **kwargs):
        return grade_submission(toy, toy_submission(replace), **kwargs)

    return grade


def processes_with(token: str) -> list[int]:
    """Host pids whose command line holds ``token`` (PID namespaces hide the child's own view)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and token in open(f"/proc/{entry}/cmdline", "rb").read().decode(
                    errors="replace"):
                found.append(int(entry))
        except OSError:
            continue
    return found


def by_name(result) -> dict:
    return {t.nodeid.rsplit("::", 1)[-1]: t for t in result.tests}
