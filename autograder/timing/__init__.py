"""Timing checks that a noisy machine cannot fail and a student cannot fool (see docs/authoring.md).

``runner`` (trusted parent) orchestrates, ``harness`` (sent to the sandboxed child) measures,
``judge`` (parent) decides, ``workload`` holds what the check author writes.
"""

from autograder.timing.runner import POLICIES, Timing, TimingFlagged, TimingResult, Variant
from autograder.timing.workload import Workload

__all__ = ["POLICIES", "Timing", "TimingFlagged", "TimingResult", "Variant", "Workload"]
