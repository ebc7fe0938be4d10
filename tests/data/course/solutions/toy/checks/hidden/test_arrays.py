import numpy as np
import pytest

from autograder.checks import assert_close, expect_type

pytestmark = pytest.mark.problem("arrays")


@pytest.mark.weight(3)
def test_double_random(student, rng):
    """double: random matrix"""
    x = rng.standard_normal((4, 3))
    y = student.arrays.double(x)
    expect_type(y, np.ndarray, "double(x)")
    assert_close(y, 2 * x, rtol=1e-12, what="double(x)")
