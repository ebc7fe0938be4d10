import numpy as np
import pytest

from autograder.checks import assert_close, expect_type

pytestmark = pytest.mark.problem("arrays")


def test_double_numpy(student, feedback):
    """double: numpy array"""
    x = np.arange(5.0)
    y = student.arrays.double(x)
    expect_type(y, np.ndarray, "double(x)")
    feedback.curve("double(x) for x = 0, 1, 2, 3, 4", {"yours": list(y), "expected": list(2 * x)})
    assert_close(y, 2 * x, rtol=1e-12, what="double(x)")
