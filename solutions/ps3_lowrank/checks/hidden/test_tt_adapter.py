"""Hidden checks of bonus problem 6, adapter parameter counts: random shapes and ranks (a uniform int
rank and full rank lists), LoRA counts, and the invalid arguments. Counts are exact integers.
"""

import pytest

from autograder.checks import PartialCredit, expect_type, student_raises

pytestmark = pytest.mark.problem("tt_adapter")


def count(shape, ranks):
    return sum(ranks[i] * n * ranks[i + 1] for i, n in enumerate(shape))


@pytest.mark.weight(2)
def test_tt_params_random(student, rng):
    """tt_params: random shapes with a uniform rank and with a full rank list (m = 1 included)."""
    for _ in range(12):
        m = int(rng.integers(1, 7))
        shape = tuple(int(v) for v in rng.integers(1, 20, size=m))
        if rng.random() < 0.5:
            r = int(rng.integers(1, 9))
            ranks, arg = [1] + [r] * (m - 1) + [1], r
        else:
            ranks = [1] + [int(v) for v in rng.integers(1, 9, size=m - 1)] + [1]
            arg = list(ranks)
        got = student.tt_adapter.tt_params(shape, arg)
        expect_type(got, int, "tt_params(shape, ranks)")
        assert got == count(shape, ranks), (
            "tt_params returned a wrong count: the cores are (r_{i-1}, n_i, r_i) with r_0 = r_m = 1")


def test_lora_params_random(student, rng):
    """lora_params: random d, k and r (r = 0 included)."""
    for d, k, r in [(1, 1, 0), *(tuple(int(v) for v in rng.integers(1, 5000, size=3)) for _ in range(8))]:
        got = student.tt_adapter.lora_params(d, k, r)
        expect_type(got, int, "lora_params(d, k, r)")
        assert got == r * (d + k), "lora_params returned a wrong count: B is d x r and A is r x k"


def test_invalid_arguments_are_rejected(student):
    """Zero sizes, zero ranks, rank lists of the wrong length or with ends other than 1 raise ValueError."""
    t = student.tt_adapter
    cases = [
        ("tt_params with a mode of size 0", lambda: t.tt_params((4, 0, 3), 2)),
        ("tt_params with rank 0", lambda: t.tt_params((4, 5), 0)),
        ("tt_params with a rank list of the wrong length", lambda: t.tt_params((4, 5, 6), [1, 2, 1])),
        ("tt_params with r_0 != 1", lambda: t.tt_params((4, 5), [2, 3, 1])),
        ("lora_params with d = 0", lambda: t.lora_params(0, 5, 2)),
    ]
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
