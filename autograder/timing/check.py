"""The ``[[timing]]`` entries of a problem set's manifest, as hidden pytest checks.

``grading.grade`` adds this file to a grading run whose problem set declares timing checks and whose
hidden checks are at hand; each entry becomes one check (``test_timing[<id>]``) with the entry's
problem, weight and a name that says what is timed against what. The numbers (sizes per device,
thresholds, policy) come from the manifest, the trusted functions (inputs, baseline, best) from the
workload file it names.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from autograder.checks.plugin import CONTEXT, import_file
from autograder.problemset import ProblemSet, ProblemSetError, TimingCheck
from autograder.timing.runner import Timing, Variant
from autograder.timing.workload import Workload


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "timing_check" not in metafunc.fixturenames:
        return
    context = metafunc.config.stash.get(CONTEXT, None)
    entries = context.pset.timing if context is not None else ()
    metafunc.parametrize("timing_check", [
        pytest.param(entry, id=entry.id, marks=[
            pytest.mark.problem(entry.problem), pytest.mark.weight(entry.weight),
            pytest.mark.visibility("hidden"),
            pytest.mark.name(f"{entry.function} is fast enough (timed against "
                             f"{load_workload(context.pset, entry).name})"),
        ]) for entry in entries])


def test_timing(timing_check: TimingCheck, timing: Timing, rng: np.random.Generator, request) -> None:
    """A timing check declared in the manifest."""
    pset = request.config.stash[CONTEXT].pset
    timing.compare(timing_check.target, load_workload(pset, timing_check),
                   device_policy=timing_check.device_policy,
                   cpu=variant(timing_check.cpu, rng), gpu=variant(timing_check.gpu, rng))


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
