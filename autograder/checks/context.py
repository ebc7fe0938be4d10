"""What one grading run knows that checks must not: the problem set, the submission's folder, the
hidden checks' secret and the seeds drawn from it. Stashed on pytest's config by the grading run's
recorder (``grading.recorder``); the fixtures (``checks.fixtures``) read it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.problemset import MANIFEST, ProblemSet, load_problem_set


@dataclass
class GradingContext:
    """What one grading run knows that checks must not: stashed on the pytest config."""

    pset: ProblemSet
    submission_dir: Path
    secret: str = ""
    reference_root: Path | None = None  # the solutions folder; None when grading on a student machine
    fingerprint: str = ""  # the submission's contents (grade.tree_digest): mixed into hidden seeds
    tripped: set[str] = field(default_factory=set)  # banned names the children's tripwires saw


CONTEXT = pytest.StashKey[GradingContext]()


def grading_context(request: pytest.FixtureRequest) -> GradingContext:
    """The grading run's context, or (plain pytest in a released folder) one made from its path."""
    ctx = request.config.stash.get(CONTEXT, None)
    if ctx is not None:
        return ctx
    for folder in Path(request.path).resolve().parents:
        if (folder / MANIFEST).is_file():
            return GradingContext(pset=load_problem_set(folder), submission_dir=folder)
    raise pytest.UsageError(f"no {MANIFEST} above {request.path}: run pytest in a released folder")


def check_seed(secret: str, nodeid: str) -> int:
    """The seed of a check's ``rng``, from ``seed_secret`` and the check's node id."""
    digest = hashlib.sha256(f"{secret}\0{nodeid}".encode()).digest()
    return int.from_bytes(digest[:16], "little")


def seed_secret(ctx: GradingContext, check_file: Path) -> str:
    """What a check's random inputs are drawn from. Public checks: nothing (students reproduce their
    inputs with plain pytest). Every other check: the hidden checks' secret mixed with the
    submission's fingerprint, so regrading the same files draws the same inputs, and inputs that
    leak from one submission's grading say nothing about another's."""
    if not ctx.secret or ctx.pset.public_checks_dir.resolve() in check_file.resolve().parents:
        return ""
    return hashlib.sha256(f"{ctx.secret}\0{ctx.fingerprint}".encode()).hexdigest()
