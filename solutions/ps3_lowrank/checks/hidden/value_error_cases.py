"""Input validation judged over several bad inputs: partial credit for the share that raise
ValueError. Shared by the hidden checks of ps3_lowrank; not released."""

from autograder.checks import PartialCredit, student_raises


def count_value_errors(cases) -> None:
    """Run each (description, call); partial credit for the ones that raise ValueError."""
    missed = []
    for description, call in cases:
        try:
            with student_raises(ValueError, description):
                call()
        except AssertionError:
            missed.append(description)
    if missed:
        raise PartialCredit(1 - len(missed) / len(cases),
                            "expected ValueError, and got none, on: " + "; ".join(missed))
