"""A check's status: the one vocabulary of outcomes, and how each status looks in every output.

The lowest layer: it imports nothing from ``autograder``. The sandbox's errors, the timing verdicts,
the grading outcome, the reports and the nbgrader kernel all speak it; nobody keeps a table of their
own. A ``Status`` is a ``str``: JSON holds the plain word (``"passed"``), unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASSED = "passed"  # full credit (or the check's share, with partial credit: then FAILED)
    FAILED = "failed"  # the student's answer is wrong (partial credit possible)
    ERROR = "error"  # the student's code raised, crashed or is missing; or the grader failed
    TIMEOUT = "timeout"  # over a time limit, or not run within the submission's budget
    SKIPPED = "skipped"  # did not apply (no GPU, say): its points go to the problem's other checks

    @property
    def mark(self) -> str:
        """One terminal character: ✓ ✗ ! ⏱ -."""
        return _LOOKS[self][0]

    @property
    def emoji(self) -> str:
        """For Markdown (job summaries, pull-request comments)."""
        return _LOOKS[self][1]

    @property
    def colour(self) -> str:
        """A rich style name for terminals."""
        return _LOOKS[self][2]


_LOOKS = {
    Status.PASSED: ("✓", "✅", "green"),
    Status.FAILED: ("✗", "❌", "red"),
    Status.ERROR: ("!", "💥", "red"),
    Status.TIMEOUT: ("⏱", "⏱️", "yellow"),
    Status.SKIPPED: ("-", "⏭️", "dim"),
}
