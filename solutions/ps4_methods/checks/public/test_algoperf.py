"""Public checks of problem 6 (bonus), AlgoPerf scoring: the statement's worked example (ratios,
profile, score).

Expected values come from the statement's definitions, worked by hand. The hidden checks add random
timings with unreached targets, ties, a workload nobody reaches, and the monotonicity of profiles.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("algoperf")

returned_values = import_file("_ps4_methods_returned_values", Path(__file__).parent / "returned_values.py")
array = returned_values.as_array

TIMES = np.array([[1.0, 2.0, np.inf], [2.0, 1.0, np.inf], [4.0, np.inf, np.inf]])


def test_worked_example(student):
    """performance_profile and algoperf_score: the statement's worked example"""
    rho = array(student.algoperf.performance_profile(TIMES, np.array([1.0, 2.0, 4.0])), (3, 3),
                "performance_profile(times, [1, 2, 4])")
    assert_close(rho, np.array([[1, 2, 2], [1, 2, 2], [0, 0, 1]]) / 3, rtol=0.0, atol=1e-15,
                 what="performance_profile(times, [1, 2, 4])")
    score = array(student.algoperf.algoperf_score(TIMES, 4.0), (3,), "algoperf_score(times, 4.0)")
    assert_close(score, np.array([5 / 9, 5 / 9, 0.0]), rtol=0.0, atol=1e-12,
                 what="algoperf_score(times, 4.0)")
