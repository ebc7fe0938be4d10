"""Hidden checks of problem 1, the pseudo-inverse: the Penrose conditions, closeness to A+ (which is
unique), the minimum-norm best factors, and the invalid inputs.

Expected values are computed here in float64 from the exact input. Hidden spectra keep a gap: every
singular value is >= 1e-6 sigma_max or exactly 0 in exact arithmetic (then at rounding level), so any
cutoff in [1e-12, 1e-7] sigma_max gives the same answer, and a solution that inverts rounding noise
does not. Tolerances are the statement's, tau * kappa with tau = 100 max(m, n) eps ||A||_F and kappa
= sigma_max / sigma_min+. Messages name the kind of input, never its entries or expected values.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("pseudo_inverse")

HIDDEN = Path(__file__).parent  # the helpers these hidden checks share
value_error_cases = import_file("_ps3_lowrank_value_error_cases", HIDDEN / "value_error_cases.py")
random_matrices = import_file("_ps3_lowrank_random_matrices", HIDDEN / "random_matrices.py")


def spectrum(rng, rank, low=1e-3, high=1.0):
    """``rank`` singular values spread log-uniformly in [low, high], the largest equal to high."""
    s = np.exp(rng.uniform(np.log(low), np.log(high), size=rank))
    s[0] = high
    return np.sort(s)[::-1]


def exact_pinv(A):
    """A+ in float64 with a cutoff in the middle of the statement's gap (1e-9 sigma_max)."""
    A = np.asarray(A, dtype=np.float64)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    keep = s > 1e-9 * s[0] if s.size and s[0] > 0 else np.zeros(s.shape, bool)
    return (Vt[keep].T / s[keep]) @ U[:, keep].T


def condition(A):
    s = np.linalg.svd(np.asarray(A, dtype=np.float64), compute_uv=False)
    kept = s[s > 1e-9 * s[0]] if s.size and s[0] > 0 else s[:0]
    return float(kept[0] / kept[-1]) if kept.size else 1.0


def tau(A):
    return 100 * max(A.shape) * float(np.finfo(A.dtype).eps) * float(
        np.linalg.norm(np.asarray(A, dtype=np.float64)))


def returned_matrix(X, shape, what, float32_ok):
    expect_type(X, np.ndarray, what)
    allowed = ("float32", "float64") if float32_ok else ("float64",)
    if str(X.dtype) not in allowed:
        raise AssertionError(f"{what} returned dtype {X.dtype}; expected {' or '.join(allowed)}")
    if X.shape != shape:
        raise AssertionError(f"{what} returned shape {X.shape}, not the expected one (the pseudo-inverse "
                             f"of an m x n matrix is n x m, A+ M is r x n, M B+ is m x r)")
    if not np.all(np.isfinite(X)):
        raise AssertionError(f"{what} returned non-finite entries (a division by a zero singular value?)")
    return X.astype(np.float64)


def judge_pinv(student, A, what):
    """Shape, the four Penrose conditions and closeness to A+, within the statement's tolerances."""
    m, n = A.shape
    X = returned_matrix(student.pseudo_inverse.pinv(A), (n, m), f"pinv on {what}",
                        A.dtype == np.float32)
    A64 = A.astype(np.float64)
    ref = exact_pinv(A)
    kappa = condition(A)
    scale_a = float(np.linalg.norm(A64))
    t = tau(A) / scale_a if scale_a else 1e-12  # relative tolerance
    if scale_a == 0:
        if np.any(X != 0):
            raise AssertionError(f"pinv on {what}: the zero matrix's pseudo-inverse is the zero matrix")
        return
    norm_x = float(np.linalg.norm(ref))
    conditions = [
        ("A X A = A", np.linalg.norm(A64 @ X @ A64 - A64) / scale_a),
        ("X A X = X", np.linalg.norm(X @ A64 @ X - X) / norm_x),
        ("(A X)^T = A X", np.linalg.norm((A64 @ X).T - A64 @ X) / max(1.0, np.linalg.norm(A64 @ ref))),
        ("(X A)^T = X A", np.linalg.norm((X @ A64).T - X @ A64) / max(1.0, np.linalg.norm(ref @ A64))),
    ]
    for name, value in conditions:
        if not value <= t * kappa * 10:
            raise AssertionError(
                f"pinv on {what} fails the Penrose condition {name}: relative residual {value:.2g}, "
                f"tolerance {t * kappa * 10:.2g} (do you invert singular values at rounding level? "
                f"Treat s <= rtol * s_max as 0, rtol = max(m, n) * eps by default)")
    gap = float(np.linalg.norm(X - ref) / norm_x)
    if not gap <= t * kappa * 10:
        raise AssertionError(f"pinv on {what} differs from A+ by {gap:.2g} relative (tolerance "
                             f"{t * kappa * 10:.2g}); A+ is unique")


CASES = [
    ((6, 6), 6, "a square matrix of full rank"),
    ((12, 5), 5, "a tall matrix of full rank"),
    ((4, 11), 4, "a wide matrix of full rank"),
    ((9, 9), 4, "a square matrix of rank 4"),
    ((14, 7), 3, "a tall matrix of rank 3"),
    ((5, 13), 2, "a wide matrix of rank 2"),
    ((8, 10), 1, "a matrix of rank 1"),
]


@pytest.mark.weight(3)
def test_pinv_penrose_conditions(student, rng):
    """pinv: the Penrose conditions and A+ on square, tall and wide, full-rank and rank-deficient matrices."""
    for (m, n), rank, what in CASES:
        judge_pinv(student, random_matrices.with_spectrum(rng, m, n, spectrum(rng, rank)), what)


@pytest.mark.weight(2)
def test_pinv_rank_deficient_with_rounding_noise(student, rng):
    """pinv: exactly rank-deficient matrices with a wide spectrum (rounding-level singular values are 0)."""
    for (m, n), rank in (((20, 20), 12), ((30, 12), 6), ((10, 25), 7)):
        A = random_matrices.with_spectrum(rng, m, n, spectrum(rng, rank, low=1e-6))
        judge_pinv(student, A, "an exactly rank-deficient matrix with singular values down to 1e-6 s_max")


def test_pinv_edge_cases(student, rng):
    """pinv: 1 x 1, a single row and a single column, zero matrices, huge and tiny scales."""
    judge_pinv(student, np.array([[float(rng.uniform(0.5, 3.0))]]), "a 1 x 1 matrix")
    judge_pinv(student, rng.standard_normal((1, 7)), "a single row")
    judge_pinv(student, rng.standard_normal((6, 1)), "a single column")
    judge_pinv(student, np.zeros((3, 5)), "the zero 3 x 5 matrix")
    judge_pinv(student, np.zeros((1, 1)), "the zero 1 x 1 matrix")
    judge_pinv(student, random_matrices.with_spectrum(rng, 7, 5, spectrum(rng, 5)) * 1e12,
               "a matrix with huge entries")
    judge_pinv(student, random_matrices.with_spectrum(rng, 5, 7, spectrum(rng, 3)) * 1e-12,
               "a rank-3 matrix with tiny entries")


def test_pinv_float32(student, rng):
    """pinv: float32 matrices, full rank and rank-deficient (float32 or float64 result)."""
    for (m, n), rank, what in CASES[:5]:
        A = random_matrices.with_spectrum(rng, m, n, spectrum(rng, rank, low=1e-2)).astype(np.float32)
        judge_pinv(student, A, f"{what} (float32)")


def test_pinv_explicit_rtol(student, rng):
    """pinv: an explicit rtol cuts the singular values at or below rtol * s_max."""
    A = random_matrices.with_spectrum(rng, 8, 6, [1.0, 0.5, 0.1, 1e-3, 1e-4, 1e-5])
    X = returned_matrix(student.pseudo_inverse.pinv(A, rtol=1e-2), (6, 8), "pinv(A, rtol=1e-2)", False)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    expected = (Vt[:3].T / s[:3]) @ U[:, :3].T
    gap = float(np.linalg.norm(X - expected) / np.linalg.norm(expected))
    assert gap <= 1e-10, (
        f"pinv(A, rtol=1e-2) is {gap:.2g} away (relative) from the pseudo-inverse that keeps only the "
        f"singular values above 1e-2 s_max")


def judge_factor(student, side, A_or_B, M, what):
    """The best factor: its value A+ M (or M B+), the normal equations and the minimum norm."""
    F64 = A_or_B.astype(np.float64)
    M64 = M.astype(np.float64)
    if side == "right":
        got = student.pseudo_inverse.best_right_factor(A_or_B, M)
        expected = exact_pinv(F64) @ M64
        call = f"best_right_factor on {what}"
    else:
        got = student.pseudo_inverse.best_left_factor(A_or_B, M)
        expected = M64 @ exact_pinv(F64)
        call = f"best_left_factor on {what}"
    X = returned_matrix(got, expected.shape, call, False)
    tol = 1e-9 * condition(F64) * max(1.0, float(np.linalg.norm(expected)))
    if side == "right":
        normal = F64.T @ (F64 @ X - M64)
        projected = exact_pinv(F64) @ F64 @ X
    else:
        normal = (X @ F64 - M64) @ F64.T
        projected = X @ F64 @ exact_pinv(F64)
    if np.linalg.norm(normal) > tol * max(1.0, np.linalg.norm(F64) ** 2 * np.linalg.norm(M64)):
        raise AssertionError(f"{call} does not minimise ||A B - M||_F: the normal equations fail")
    if np.linalg.norm(projected - X) > tol:
        raise AssertionError(f"{call} minimises the residual but is not the minimum-norm minimiser "
                             f"(it has a component in the null space); use the pseudo-inverse")
    if np.linalg.norm(X - expected) > tol:
        raise AssertionError(f"{call} differs from the minimum-norm minimiser")


@pytest.mark.weight(2)
def test_best_right_factor(student, rng):
    """best_right_factor: A+ M for tall, full-rank and rank-deficient A (normal equations, minimum norm)."""
    for (m, r), rank, what in (((12, 4), 4, "a tall A of full rank"),
                               ((10, 6), 3, "an A of rank 3 (many minimisers)"),
                               ((3, 7), 3, "a wide A (more unknowns than equations)")):
        A = random_matrices.with_spectrum(rng, m, r, spectrum(rng, rank))
        judge_factor(student, "right", A, rng.standard_normal((m, int(rng.integers(2, 6)))), what)


@pytest.mark.weight(2)
def test_best_left_factor(student, rng):
    """best_left_factor: M B+ for wide, full-rank and rank-deficient B (normal equations, minimum norm)."""
    for (r, n), rank, what in (((4, 12), 4, "a wide B of full rank"),
                               ((6, 10), 2, "a B of rank 2 (many minimisers)"),
                               ((7, 3), 3, "a tall B")):
        B = random_matrices.with_spectrum(rng, r, n, spectrum(rng, rank))
        judge_factor(student, "left", B, rng.standard_normal((int(rng.integers(2, 6)), n)), what)


def test_invalid_arguments_are_rejected(student, rng):
    """Non-2-D inputs and mismatched shapes raise ValueError."""
    pi = student.pseudo_inverse
    A = rng.standard_normal((4, 3))
    cases = [
        ("pinv on a 1-D array", lambda: pi.pinv(A[0])),
        ("pinv on a 3-D array", lambda: pi.pinv(A[None])),
        ("best_right_factor with different row counts", lambda: pi.best_right_factor(A, np.ones((5, 2)))),
        ("best_left_factor with different column counts", lambda: pi.best_left_factor(A, np.ones((2, 4)))),
    ]
    value_error_cases.count_value_errors(cases)
