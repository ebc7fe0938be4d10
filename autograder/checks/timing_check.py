"""The ``[[timing]]`` entries of a problem set's manifest, as hidden pytest checks.

``grading.grade`` adds this file to a grading run whose problem set declares timing checks and whose
hidden checks are at hand; each entry becomes one check (``test_timing[<id>]``) with the entry's
problem, weight and a name that says what is timed against what. The numbers (sizes per device,
thresholds, policy) come from the manifest, the trusted functions (inputs, baseline, best) from the
workload file it names (``timing.manifest``).
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.context import CONTEXT
from autograder.problemset import TimingCheck
from autograder.timing.manifest import load_workload, variant
from autograder.timing.runner import Timing


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
