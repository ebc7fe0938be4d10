"""Timing checks that a noisy machine cannot fail and a student cannot fool (see docs/authoring.md).

``runner`` (trusted parent) makes the inputs, holds the clock and orchestrates a trusted child (the
baseline) and the student's child; ``harness`` (sent to both children) stages, runs and hands back one
call and measures nothing; ``judge`` (parent) decides; ``workload`` holds what the check author writes.
"""

from autograder.problemset import Variant
from autograder.timing.runner import (
    POLICIES,
    Timing,
    TimingFlagged,
    TimingInconclusive,
    TimingResult,
)
from autograder.timing.workload import Workload

__all__ = ["POLICIES", "Timing", "TimingFlagged", "TimingInconclusive", "TimingResult", "Variant",
           "Workload"]
