"""Hidden checks of problem 2, the Frobenius norm via the SVD: norms, best approximations, errors.

Expected values are computed here in float64 from the exact input (a float32 input is exact in
float64), never taken from one particular SVD routine's output. A best rank-r approximation is judged
by its properties (rank at most r, error equal to the Eckart-Young error), never compared with one
matrix: with repeated singular values there are many. Every tolerance is the statement's,
tau = 100 * max(m, n) * eps * ||A||_F with eps the machine epsilon of A's dtype. Messages name the
kind of input, never its entries, shape or expected values, and never repeat what the student's
code returned (a value, a shape, a dtype: text it chooses).
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("svd_norms")

count_value_errors = import_file("_ps1_linalg_value_error_cases",
                                 Path(__file__).with_name("value_error_cases.py")).count_value_errors


# ---------------------------------------------------------------------------- inputs


def orthonormal_columns(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """A random rows x cols matrix with orthonormal columns (Haar-distributed up to signs)."""
    q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q


def with_spectrum(rng: np.random.Generator, m: int, n: int, singular_values) -> np.ndarray:
    """A random m x n matrix whose nonzero singular values are the given ones."""
    s = np.asarray(singular_values, dtype=np.float64)
    return (orthonormal_columns(rng, m, s.size) * s) @ orthonormal_columns(rng, n, s.size).T


def random_matrix(rng: np.random.Generator, m: int, n: int, rank: int | None = None,
                  scale: float = 1.0, dtype=np.float64) -> np.ndarray:
    """An m x n matrix of the given rank (full by default) with distinct singular values spread
    over [scale, 10 scale], so that every method of the statement is accurate on it."""
    rank = min(m, n) if rank is None else rank
    s = np.sort(rng.uniform(1.0, 10.0, size=rank))[::-1] * scale
    return with_spectrum(rng, m, n, s).astype(dtype)


def singular_values(A: np.ndarray) -> np.ndarray:
    return np.linalg.svd(np.asarray(A, dtype=np.float64), compute_uv=False)


def tolerance(A: np.ndarray) -> float:
    """The statement's tolerance: 100 * max(m, n) * eps * ||A||_F, eps of A's dtype."""
    return 100 * max(A.shape) * float(np.finfo(A.dtype).eps) * float(
        np.linalg.norm(np.asarray(A, dtype=np.float64)))


def eckart_young_error(A: np.ndarray, r: int) -> float:
    tail = singular_values(A)[r:]
    return float(np.sqrt(np.sum(tail * tail)))


# ---------------------------------------------------------------------------- judges


SCALAR_SHAPES = ((), (1,))  # see as_float


def as_float(value, what: str) -> float:
    """A returned scalar as a float: a Python float (numpy scalars arrive as one) or a 0-d array."""
    # A 0-d array or tensor currently crosses the sandbox wire as shape (1,) (wire._add_array uses
    # np.ascontiguousarray, which makes 0-d arrays 1-d): accept both shapes until the engine keeps ().
    if type(value) is np.ndarray and value.shape in SCALAR_SHAPES and value.dtype.kind == "f":
        value = float(value.reshape(-1)[0])
    expect_type(value, float, what)
    if not np.isfinite(value):
        raise AssertionError(f"{what} returned a value that is not finite; expected a finite number")
    return value


def judge_scalar(value, expected: float, A: np.ndarray, what: str, hint: str) -> None:
    value = as_float(value, what)
    tol = tolerance(A)
    if abs(value - expected) > tol:
        norm = float(np.linalg.norm(np.asarray(A, dtype=np.float64)))
        raise AssertionError(
            f"{what} is off by {abs(value - expected) / norm:.2g} ||A||_F, more than the tolerance "
            f"100 max(m, n) eps ||A||_F = {tol / norm:.2g} ||A||_F; {hint}")


def judge_best_rank_approx(student, A: np.ndarray, r: int, what: str) -> None:
    """Fail unless best_rank_approx(A, r) has A's shape, a float dtype, rank <= r and the
    Eckart-Young error, each within the statement's tolerance."""
    B = student.svd_norms.best_rank_approx(A, r)
    call = f"best_rank_approx on {what}"
    expect_type(B, np.ndarray, call)
    allowed = ("float64",) if A.dtype == np.float64 else ("float32", "float64")
    if str(B.dtype) not in allowed:
        raise AssertionError(f"{call} returned another dtype than {' or '.join(allowed)} for a "
                             f"{A.dtype} matrix")
    if B.shape != A.shape:
        raise AssertionError(f"{call} returned an array whose shape is not the shape of A; "
                             f"return the m x n matrix A_r itself, not its factors")
    if not np.all(np.isfinite(B)):
        raise AssertionError(f"{call} returned non-finite entries (do you divide by a singular "
                             f"value that can be 0?)")
    tol = tolerance(A)
    norm = float(np.linalg.norm(np.asarray(A, dtype=np.float64)))
    s_B = singular_values(B)
    if r < s_B.size and s_B[r] > tol:
        raise AssertionError(
            f"{call} returned a matrix of rank above r: its singular value number r + 1 is "
            f"{s_B[r] / norm:.2g} ||A||_F, above the tolerance {tol / norm:.2g} ||A||_F (keep only "
            f"r singular values and their vectors)")
    error = float(np.linalg.norm(np.asarray(A, dtype=np.float64) - B.astype(np.float64)))
    best = eckart_young_error(A, r)
    if abs(error - best) > tol:
        raise AssertionError(
            f"{call} is not a best rank-r approximation: ||A - A_r||_F differs from the "
            f"Eckart-Young error by {abs(error - best) / norm:.2g} ||A||_F, more than the tolerance "
            f"{tol / norm:.2g} ||A||_F (keep the r largest singular values, with their own left "
            f"and right singular vectors)")


# ---------------------------------------------------------------------------- frobenius_norm_svd

SHAPES = [
    ((1, 1), None, "a 1 x 1 matrix"),
    ((7, 7), None, "a random square matrix"),
    ((23, 6), None, "a random tall matrix"),
    ((4, 19), None, "a random wide matrix"),
    ((40, 40), None, "a larger square matrix"),
    ((18, 12), 3, "a random tall matrix of rank 3"),
    ((9, 30), 1, "a random wide matrix of rank 1"),
]


def _norm_cases(rng, dtype):
    for (m, n), rank, what in SHAPES:
        yield random_matrix(rng, m, n, rank, dtype=dtype), what
    yield rng.standard_normal((25, 25)).astype(dtype), "a Gaussian random matrix"
    yield random_matrix(rng, 10, 14, scale=1e-7, dtype=dtype), "a matrix with tiny entries"
    yield random_matrix(rng, 14, 10, scale=1e6, dtype=dtype), "a matrix with huge entries"


def _judge_norms(student, rng, dtype) -> None:
    for A, what in _norm_cases(rng, dtype):
        expected = float(np.linalg.norm(np.asarray(A, dtype=np.float64)))
        judge_scalar(student.svd_norms.frobenius_norm_svd(A), expected, A,
                     f"frobenius_norm_svd on {what} ({A.dtype})",
                     "the norm is the square root of the sum of the squared singular values")


def test_frobenius_norm_float64(student, rng):
    """frobenius_norm_svd: random float64 matrices (square, tall, wide, 1 x 1, rank-deficient)."""
    _judge_norms(student, rng, np.float64)


def test_frobenius_norm_float32(student, rng):
    """frobenius_norm_svd: random float32 matrices."""
    _judge_norms(student, rng, np.float32)


# ---------------------------------------------------------------------------- best_rank_approx


@pytest.mark.weight(3)
def test_best_rank_approx_random(student, rng):
    """best_rank_approx: random float64 matrices, r between 1 and the rank."""
    cases = [
        ((8, 8), None, "a random square matrix"),
        ((20, 6), None, "a random tall matrix"),
        ((5, 17), None, "a random wide matrix"),
        ((12, 9), 4, "a random matrix of rank 4"),
        ((1, 7), None, "a random 1-row matrix"),
    ]
    for (m, n), rank, what in cases:
        A = random_matrix(rng, m, n, rank)
        top = min(m, n) if rank is None else rank
        for r in sorted({1, int(rng.integers(1, top + 1)), top}):
            judge_best_rank_approx(student, A, r, f"{what}, r from 1 to its rank")
    A = rng.standard_normal((30, 30))
    judge_best_rank_approx(student, A, 10, "a Gaussian random matrix, r = 10")


def test_best_rank_approx_float32(student, rng):
    """best_rank_approx: random float32 matrices."""
    for (m, n), rank, r, what in (((15, 10), None, 3, "a random tall float32 matrix"),
                                  ((6, 25), None, 5, "a random wide float32 matrix"),
                                  ((10, 10), 5, 7, "a float32 matrix of rank 5, r = 7")):
        judge_best_rank_approx(student, random_matrix(rng, m, n, rank, dtype=np.float32), r, what)


def test_best_rank_approx_edge_cases(student, rng):
    """best_rank_approx: r = 0, r = rank, r > min(m, n), 1 x 1 and zero matrices."""
    A = random_matrix(rng, 9, 6)
    judge_best_rank_approx(student, A, 0, "a random matrix with r = 0 (the zero matrix is best)")
    judge_best_rank_approx(student, A, 6, "a random matrix with r = min(m, n) (A itself)")
    judge_best_rank_approx(student, A, 9, "a random matrix with r > min(m, n) (A itself)")
    B = random_matrix(rng, 7, 11, rank=2)
    judge_best_rank_approx(student, B, 2, "a matrix of rank 2 with r = 2 (A itself)")
    judge_best_rank_approx(student, B, 5, "a matrix of rank 2 with r = 5 (A itself)")
    one = random_matrix(rng, 1, 1)
    judge_best_rank_approx(student, one, 0, "a 1 x 1 matrix with r = 0")
    judge_best_rank_approx(student, one, 1, "a 1 x 1 matrix with r = 1")
    judge_best_rank_approx(student, np.zeros((4, 3)), 2, "the zero matrix")


def test_best_rank_approx_repeated_singular_values(student, rng):
    """best_rank_approx: repeated singular values, where any of many best approximations passes."""
    cases = [((6, 6), [5.0, 3.0, 3.0, 3.0, 2.0, 1.0], 2, "a matrix whose singular values 2 to 4 "
              "are equal, r = 2 (the best approximation is not unique)"),
             ((8, 4), [2.0, 2.0, 2.0, 2.0], 1, "a tall matrix with all singular values equal, r = 1"),
             ((3, 9), [4.0, 4.0, 1.0], 1, "a wide matrix with sigma_1 = sigma_2, r = 1")]
    for (m, n), s, r, what in cases:
        judge_best_rank_approx(student, with_spectrum(rng, m, n, s), r, what)
    judge_best_rank_approx(student, np.eye(5), 3, "the 5 x 5 identity, r = 3")


# ---------------------------------------------------------------------------- rank_approx_error


@pytest.mark.weight(2)
def test_rank_approx_error_random(student, rng):
    """rank_approx_error: random float64 and float32 matrices, every r from 0 to min(m, n) + 1."""
    for (m, n), rank, dtype, what in (((10, 7), None, np.float64, "a random tall matrix"),
                                      ((4, 13), None, np.float64, "a random wide matrix"),
                                      ((12, 12), 5, np.float64, "a random matrix of rank 5"),
                                      ((9, 6), None, np.float32, "a random float32 matrix")):
        A = random_matrix(rng, m, n, rank, dtype=dtype)
        for r in range(min(m, n) + 2):
            judge_scalar(student.svd_norms.rank_approx_error(A, r), eckart_young_error(A, r), A,
                         f"rank_approx_error on {what}, some r",
                         "the error is the square root of the sum of the squares of the singular "
                         "values that the approximation drops")
    A = rng.standard_normal((20, 20))
    for r in (3, 12):
        judge_scalar(student.svd_norms.rank_approx_error(A, r), eckart_young_error(A, r), A,
                     "rank_approx_error on a Gaussian random matrix",
                     "the error is the square root of the sum of the squares of the singular "
                     "values that the approximation drops")


def test_rank_approx_error_edge_cases(student, rng):
    """rank_approx_error: 1 x 1 and zero matrices, r beyond the rank, repeated singular values."""
    cases = [(random_matrix(rng, 1, 1), 0, "a 1 x 1 matrix with r = 0"),
             (random_matrix(rng, 1, 1), 1, "a 1 x 1 matrix with r = 1"),
             (np.zeros((3, 5)), 1, "the zero matrix"),
             (random_matrix(rng, 8, 5, rank=1), 4, "a matrix of rank 1 with r = 4"),
             (random_matrix(rng, 5, 8), 9, "a random matrix with r > min(m, n)"),
             (with_spectrum(rng, 7, 7, [3.0, 3.0, 3.0, 3.0]), 1,
              "a matrix with four equal singular values, r = 1")]
    for A, r, what in cases:
        judge_scalar(student.svd_norms.rank_approx_error(A, r), eckart_young_error(A, r), A,
                     f"rank_approx_error on {what}",
                     "the error is the square root of the sum of the squares of the dropped "
                     "singular values; it is 0 when r >= rank(A)")


# ---------------------------------------------------------------------------- storage_rank_bound


def brute_storage_rank_bound(n: int, m: int) -> int:
    """The largest r >= 0 with r (n + m + 1) < n m, by exact integer arithmetic."""
    return (n * m - 1) // (n + m + 1)


def divisible_shape(rng: np.random.Generator, low: int, high: int) -> tuple[int, int]:
    """A shape (n, m) with n + m + 1 dividing n m: n + m + 1 = d must divide n (n + 1), d > n + 1."""
    while True:
        n = int(rng.integers(low, high))
        product = n * (n + 1)
        small = [d for d in range(1, int(product**0.5) + 1) if product % d == 0]
        divisors = [d for d in {*small, *(product // d for d in small)} if n + 2 <= d <= n + 10**6 + 1]
        if divisors:
            divisors.sort()
            d = divisors[int(rng.integers(len(divisors)))]
            return (n, d - n - 1) if rng.random() < 0.5 else (d - n - 1, n)


def judge_storage(student, n: int, m: int, what: str, hint: str) -> None:
    value = student.svd_norms.storage_rank_bound(n, m)
    expect_type(value, int, f"storage_rank_bound on {what}")
    assert value == brute_storage_rank_bound(n, m), (
        f"storage_rank_bound returned a wrong rank on {what}; {hint}")


def test_storage_rank_bound_random_sizes(student, rng):
    """storage_rank_bound: small and random sizes up to 10^6 (n m / (n + m + 1) not a whole number)."""
    sizes = [(1, 1), (1, 50), (2, 2), (3, 3), (768, 3072), (4096, 11008)]
    while len(sizes) < 30:
        high = int(rng.choice([20, 1000, 10**6]))
        n, m = (int(v) for v in rng.integers(1, high + 1, size=2))
        if (n * m) % (n + m + 1):
            sizes.append((n, m))
    for n, m in sizes:
        judge_storage(student, n, m, "a random size",
                      "return the largest r >= 0 with r (n + m + 1) < n m, as an int (0 when even "
                      "rank 1 saves nothing)")


@pytest.mark.weight(2)
def test_storage_rank_bound_exact_division(student, rng):
    """storage_rank_bound: sizes where n m / (n + m + 1) is a whole number (the bound is strict)."""
    sizes = [(2, 3), (4, 5), (3, 8)] + [divisible_shape(rng, 5, 200) for _ in range(8)]
    sizes += [divisible_shape(rng, 1000, 3000) for _ in range(2)]
    for n, m in sizes:
        judge_storage(student, n, m, "a size where n m / (n + m + 1) is a whole number",
                      "at r (n + m + 1) = n m the SVD saves nothing: the inequality is strict")


# ---------------------------------------------------------------------------- errors


def test_invalid_arguments_are_rejected(student, rng):
    """Negative r, a 1-D or 3-D array, and a size below 1 raise ValueError."""
    A = random_matrix(rng, 5, 4)
    B = np.stack([random_matrix(rng, 5, 4), random_matrix(rng, 5, 4)])
    svd_norms = student.svd_norms
    cases = [
        ("best_rank_approx with r = -2", lambda: svd_norms.best_rank_approx(A, -2)),
        ("rank_approx_error with r = -1", lambda: svd_norms.rank_approx_error(A, -1)),
        ("best_rank_approx on a 1-D array", lambda: svd_norms.best_rank_approx(A[0], 1)),
        ("frobenius_norm_svd on a 1-D array", lambda: svd_norms.frobenius_norm_svd(A[:, 0])),
        # np.linalg.svd takes a stack of matrices: a 3-D array is refused only by your own check.
        ("frobenius_norm_svd on a 3-D array", lambda: svd_norms.frobenius_norm_svd(B)),
        ("best_rank_approx on a 3-D array", lambda: svd_norms.best_rank_approx(B, 1)),
        ("rank_approx_error on a 3-D array", lambda: svd_norms.rank_approx_error(B, 1)),
        ("storage_rank_bound with n = 0", lambda: svd_norms.storage_rank_bound(0, 5)),
        ("storage_rank_bound with m = -3", lambda: svd_norms.storage_rank_bound(7, -3)),
    ]
    count_value_errors(cases, "svd_norms")
