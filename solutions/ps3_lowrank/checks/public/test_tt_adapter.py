"""Public checks of bonus problem 6, adapter parameter counts: the lecture's worked example.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import pytest

from autograder.checks import expect_type

pytestmark = pytest.mark.problem("tt_adapter")


def test_loretta_worked_example(student):
    """tt_params: a 768 x 64 weight as an (8, 8, 12, 8, 8) tensor with TT-rank 5 has 780 parameters."""
    count = student.tt_adapter.tt_params((8, 8, 12, 8, 8), 5)
    expect_type(count, int, "tt_params((8, 8, 12, 8, 8), 5)")
    assert count == 780, (
        f"tt_params((8, 8, 12, 8, 8), 5) returned {count}; the cores are 1x8x5, 5x8x5, 5x12x5, 5x8x5 "
        f"and 5x8x1: 40 + 200 + 300 + 200 + 40 = 780")


def test_lora_worked_example(student):
    """lora_params: LoRA of rank 8 on a 768 x 64 weight trains 8 (768 + 64) = 6656 parameters."""
    count = student.tt_adapter.lora_params(768, 64, 8)
    expect_type(count, int, "lora_params(768, 64, 8)")
    assert count == 6656, f"lora_params(768, 64, 8) returned {count}; expected 8 * (768 + 64) = 6656"
