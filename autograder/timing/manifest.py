"""A ``[[timing]]`` entry of the manifest made concrete: its ``Variant`` (sizes drawn from the
check's seed) and its ``Workload`` (the trusted file it names, imported once in the grading process).
The pytest side (one check per entry) is ``checks.timing_check``; ``release`` reads the baseline's name.
"""

from __future__ import annotations

import hashlib

import numpy as np

from autograder.problemset import ProblemSet, ProblemSetError, TimingCheck, Variant
from autograder.timing.workload import Workload
from autograder.trusted_files import import_file


def variant(table: dict | None, rng: np.random.Generator) -> Variant | None:
    """A manifest table as a Variant; sizes written ``{ between = [lo, hi] }`` are drawn from ``rng``
    (the check's secret seed: the student cannot know the size in advance)."""
    if table is None:
        return None
    sizes = {}
    for key, value in table["sizes"].items():
        if type(value) is dict and set(value) == {"between"}:
            low, high = (int(v) for v in value["between"])
            value = int(rng.integers(low, high + 1))
        sizes[key] = value
    options = {k: tuple(v) if k == "warmups" else v for k, v in table.items() if k != "sizes"}
    return Variant(sizes=sizes, **options)


def load_workload(pset: ProblemSet, entry: TimingCheck) -> Workload:
    """The ``Workload`` an entry names (``"file.py:NAME"`` in the hidden checks), imported once."""
    file, _, name = entry.workload.partition(":")
    hidden = pset.hidden_checks_dir
    if hidden is None:
        raise ProblemSetError(f"timing check {entry.id!r} needs the hidden checks of {pset.id}")
    path = hidden / file
    if not path.is_file():
        raise ProblemSetError(f"timing check {entry.id!r}: no workload file {path}")
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    module = import_file(f"_autograder_timing_{digest}", path)
    workload = getattr(module, name, None)
    if not isinstance(workload, Workload):
        raise ProblemSetError(f"timing check {entry.id!r}: {path} defines no Workload named {name}")
    return workload
