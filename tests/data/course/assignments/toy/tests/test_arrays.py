import numpy as np
import pytest

from autograder.checks import assert_close, expect_type

pytestmark = pytest.mark.problem("arrays")


def test_double_numpy(student):
    """double: numpy array"""
    x = np.arange(5.0)
    y = student.arrays.double(x)
    expect_type(y, np.ndarray, "double(x)")
    assert_close(y, 2 * x, rtol=1e-12, what="double(x)")
