"""Public checks of problem 2, the Frobenius norm via the SVD: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type, student_raises

pytestmark = pytest.mark.problem("svd_norms")

# The worked example: singular values sqrt(45) and sqrt(5), ||A||_F^2 = 9 + 16 + 25 = 50.
EXAMPLE = np.array([[3.0, 0.0], [4.0, 5.0]])
EXAMPLE_RANK_1 = np.array([[1.5, 1.5], [4.5, 4.5]])


def tolerance(A: np.ndarray) -> float:
    """The statement's tolerance: 100 * max(m, n) * eps * ||A||_F, eps of A's dtype."""
    return 100 * max(A.shape) * float(np.finfo(A.dtype).eps) * float(np.linalg.norm(A))


SCALAR_SHAPES = ((), (1,))  # see as_float


def as_float(value, what: str) -> float:
    """A returned scalar as a float: a Python float, or a 0-d numpy array."""
    # A 0-d array or tensor currently crosses the sandbox wire as shape (1,) (wire._add_array uses
    # np.ascontiguousarray, which makes 0-d arrays 1-d): accept both shapes until the engine keeps ().
    if type(value) is np.ndarray and value.shape in SCALAR_SHAPES and value.dtype.kind == "f":
        return float(value.reshape(-1)[0])
    expect_type(value, float, what)
    return value


def test_frobenius_norm_worked_example(student):
    """frobenius_norm_svd: the worked example [[3, 0], [4, 5]] has norm sqrt(50)."""
    value = as_float(student.svd_norms.frobenius_norm_svd(EXAMPLE), "frobenius_norm_svd(A)")
    assert abs(value - np.sqrt(50.0)) <= tolerance(EXAMPLE), (
        f"frobenius_norm_svd([[3, 0], [4, 5]]) returned {value!r}; the singular values are "
        f"sqrt(45) and sqrt(5), so the norm is sqrt(45 + 5) = sqrt(50) = 7.0710678...")


def test_best_rank_approx_worked_example(student):
    """best_rank_approx: the worked example, r = 1, is [[1.5, 1.5], [4.5, 4.5]]."""
    result = student.svd_norms.best_rank_approx(EXAMPLE, 1)
    expect_type(result, np.ndarray, "best_rank_approx(A, 1)")
    assert result.dtype == np.float64, (
        f"best_rank_approx returned dtype {result.dtype} for a float64 matrix; keep float64")
    # sigma_1 > sigma_2 here, so the best rank-1 approximation is unique and can be compared.
    assert_close(result, EXAMPLE_RANK_1, rtol=0, atol=tolerance(EXAMPLE),
                 what="best_rank_approx([[3, 0], [4, 5]], 1)")


def test_rank_approx_error_worked_example(student):
    """rank_approx_error: the worked example for r = 0, 1, 2 gives sqrt(50), sqrt(5), 0."""
    for r, expected, why in ((0, np.sqrt(50.0), "for r = 0 the error is ||A||_F"),
                             (1, np.sqrt(5.0), "sigma_2 = sqrt(5) is dropped"),
                             (2, 0.0, "nothing is dropped")):
        value = as_float(student.svd_norms.rank_approx_error(EXAMPLE, r),
                         f"rank_approx_error(A, {r})")
        assert abs(value - expected) <= tolerance(EXAMPLE), (
            f"rank_approx_error([[3, 0], [4, 5]], {r}) returned {value!r}; expected "
            f"{expected:.12g} ({why})")


def test_storage_rank_bound_course_examples(student):
    """storage_rank_bound: BERT-base 768 x 768 gives 383, Llama-2-7B 4096 x 4096 gives 2047."""
    for shape, expected in (((768, 768), 383), ((4096, 4096), 2047)):
        value = student.svd_norms.storage_rank_bound(*shape)
        expect_type(value, int, f"storage_rank_bound{shape}")
        assert value == expected, (
            f"storage_rank_bound{shape} returned {value}; expected {expected}: the largest r "
            f"with r (n + m + 1) < n m ({shape[0] * shape[1]} / {sum(shape) + 1} = "
            f"{shape[0] * shape[1] / (sum(shape) + 1):.2f})")


def test_negative_rank_is_rejected(student):
    """best_rank_approx: r = -1 raises ValueError."""
    with student_raises(ValueError, "best_rank_approx(A, -1)"):
        student.svd_norms.best_rank_approx(EXAMPLE, -1)
