"""Hidden checks of problem 6 (bonus), AlgoPerf scoring: ratios, profiles and exact scores against
the reference on random timings with unreached targets (inf), ties and a workload that no
submission reaches; profiles non-decreasing in tau; scores in [0, 1]; ValueError for bad input.

Inputs come from the ``rng`` fixture (secret); expected values are the reference's, computed here.
"""

import functools
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close, student_raises
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("algoperf")

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
returned_values = import_file("_ps4_methods_returned_values", PUBLIC / "returned_values.py")
array = functools.partial(returned_values.as_array, reveal_shape=False)


def random_times(rng, S=6, W=8):
    t = rng.uniform(1.0, 10.0, (S, W))
    t[rng.random((S, W)) < 0.2] = np.inf   # targets not reached
    t[:, 0] = np.inf                       # a workload no submission reaches
    t[1, 1] = t[2, 1] = t[:, 1].min()      # a tie for the fastest
    return t


@pytest.mark.weight(2)
def test_ratios_match_the_reference(student, reference, rng):
    """performance_ratios: equal the reference's (inf where unreached, 1 for ties)"""
    t = random_times(rng)
    got = array(student.algoperf.performance_ratios(t), t.shape, "performance_ratios(times)")
    expected = reference.algoperf.performance_ratios(t)
    assert np.array_equal(np.isinf(got), np.isinf(expected)), (
        "performance_ratios: inf where a target is not reached, and for every submission on a workload "
        "that no submission reaches")
    finite = np.isfinite(expected)
    assert_close(got[finite], expected[finite], rtol=1e-12, what="performance_ratios(times) (finite entries)")


@pytest.mark.weight(3)
def test_profiles_match_the_reference(student, reference, rng):
    """performance_profile: equals the reference's and is non-decreasing in tau"""
    t = random_times(rng)
    taus = np.sort(np.concatenate([[1.0], rng.uniform(1.0, 6.0, 20), [2.0]]))
    got = array(student.algoperf.performance_profile(t, taus), (t.shape[0], taus.size),
                "performance_profile(times, taus)")
    assert_close(got, reference.algoperf.performance_profile(t, taus), rtol=0.0, atol=1e-15,
                 what="performance_profile(times, taus)")
    assert np.all(np.diff(got, axis=1) >= 0), "performance_profile: rho_s(tau) must be non-decreasing in tau"


@pytest.mark.weight(4)
def test_scores_are_the_exact_integral(student, reference, rng):
    """algoperf_score: the exact integral (1e-12), for tau_max = 4 and another tau_max; in [0, 1]"""
    t = random_times(rng)
    for tau_max in (4.0, float(rng.uniform(1.5, 8.0))):
        got = array(student.algoperf.algoperf_score(t, tau_max), (t.shape[0],),
                    "algoperf_score(times, tau_max)")
        assert_close(got, reference.algoperf.algoperf_score(t, tau_max), rtol=0.0, atol=1e-12,
                     what="algoperf_score(times, tau_max) (the exact integral, not a grid approximation)")
        assert np.all((got >= 0) & (got <= 1)), "algoperf_score: scores lie in [0, 1]"


def test_invalid_times_are_rejected(student):
    """performance_ratios: non-positive or nan times raise ValueError"""
    for bad in (np.array([[1.0, -2.0], [3.0, 4.0]]), np.array([[1.0, np.nan], [3.0, 4.0]])):
        with student_raises(ValueError, "performance_ratios(times) with a non-positive or nan time"):
            student.algoperf.performance_ratios(bad)
