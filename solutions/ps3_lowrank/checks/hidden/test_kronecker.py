"""Hidden checks of problem 5, Kronecker products: kron_matvec against np.kron(A, B) @ x on
non-square factors of unequal sizes (catching B X A^T and the transposed reshape), and
nearest_kronecker by its error against the Van Loan-Pitsianis optimum. Its speed is judged by the
timing check ``kron_matvec`` (problemset.toml, timing_workloads.py).
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("kronecker")

HIDDEN = Path(__file__).parent  # the helpers these hidden checks share
value_error_cases = import_file("_ps3_lowrank_value_error_cases", HIDDEN / "value_error_cases.py")


def rearranged(M, p1, q1, p2, q2):
    return M.reshape(p1, p2, q1, q2).transpose(0, 2, 1, 3).reshape(p1 * q1, p2 * q2)


@pytest.mark.weight(3)
def test_kron_matvec_non_square(student, rng):
    """kron_matvec: non-square A and B of unequal sizes, float64 and float32, against np.kron(A, B) @ x."""
    for (p1, q1), (p2, q2), dtype in ((((3, 5), (4, 2), np.float64)), (((7, 2), (3, 6), np.float64)),
                                     (((1, 4), (5, 1), np.float64)), (((6, 6), (2, 9), np.float32))):
        A = rng.standard_normal((p1, q1)).astype(dtype)
        B = rng.standard_normal((p2, q2)).astype(dtype)
        x = rng.standard_normal(q1 * q2).astype(dtype)
        y = student.kronecker.kron_matvec(A, B, x)
        expect_type(y, np.ndarray, "kron_matvec(A, B, x)")
        if y.shape != (p1 * p2,):
            raise AssertionError(f"kron_matvec returned shape {y.shape}; expected (p1 * p2,)")
        expected = np.kron(A.astype(np.float64), B.astype(np.float64)) @ x.astype(np.float64)
        eps = float(np.finfo(dtype).eps)
        scale = float(np.abs(np.kron(np.abs(A), np.abs(B)).astype(np.float64) @ np.abs(x)).max())
        error = float(np.abs(y.astype(np.float64) - expected).max())
        assert error <= 100 * (q1 + q2) * eps * scale, (
            f"kron_matvec differs from np.kron(A, B) @ x by {error / scale:.2g} (relative) on "
            f"non-square factors: with X = x.reshape(q1, q2) the product is (A @ X @ B.T).ravel()")


def test_nearest_kronecker_optimal_error(student, rng):
    """nearest_kronecker: the error equals the optimum (the tail of the rearranged matrix's spectrum)."""
    for (p1, q1), (p2, q2) in (((3, 4), (2, 5)), ((5, 2), (4, 4)), ((2, 2), (6, 3))):
        M = rng.standard_normal((p1 * p2, q1 * q2))
        M += 3 * np.kron(rng.standard_normal((p1, q1)), rng.standard_normal((p2, q2)))
        out = student.kronecker.nearest_kronecker(M, (p1, q1), (p2, q2))
        expect_type(out, (tuple, list), "nearest_kronecker(M, shape_a, shape_b)")
        A, B = (np.asarray(v, dtype=np.float64) for v in out)
        if A.shape != (p1, q1) or B.shape != (p2, q2):
            raise AssertionError(f"nearest_kronecker returned shapes {A.shape} and {B.shape}; "
                                 f"expected shape_a and shape_b")
        s = np.linalg.svd(rearranged(M, p1, q1, p2, q2), compute_uv=False)
        optimum = float(np.sqrt(np.sum(s[1:] ** 2)))
        error = float(np.linalg.norm(M - np.kron(A, B)))
        tol = 100 * max(M.shape) * np.finfo(np.float64).eps * np.linalg.norm(M)
        assert abs(error - optimum) <= tol, (
            f"nearest_kronecker: ||M - A ⊗ B||_F is {error / optimum:.4g} times the optimum (rearrange "
            f"M so that A ⊗ B becomes vec(A) vec(B)^T, then take its best rank-1 approximation)")


def test_nearest_kronecker_exact_and_zero(student, rng):
    """nearest_kronecker: an exact Kronecker product is recovered; the zero matrix gives A ⊗ B = 0."""
    A0, B0 = rng.standard_normal((4, 3)), rng.standard_normal((2, 5))
    M = np.kron(A0, B0)
    A, B = (np.asarray(v, dtype=np.float64) for v in student.kronecker.nearest_kronecker(M, (4, 3), (2, 5)))
    error = float(np.linalg.norm(np.kron(A, B) - M))
    assert error <= 1e-12 * np.linalg.norm(M), "nearest_kronecker does not recover an exact A ⊗ B"
    A, B = (np.asarray(v, dtype=np.float64) for v in
            student.kronecker.nearest_kronecker(np.zeros((6, 6)), (2, 3), (3, 2)))
    assert np.all(np.kron(A, B) == 0), "nearest_kronecker of the zero matrix must give A ⊗ B = 0"


def test_invalid_shapes_are_rejected(student, rng):
    """Shapes that do not fit raise ValueError."""
    k = student.kronecker
    A, B = rng.standard_normal((2, 3)), rng.standard_normal((4, 5))
    cases = [("kron_matvec with x of the wrong length", lambda: k.kron_matvec(A, B, np.ones(14))),
             ("nearest_kronecker with M of the wrong shape",
              lambda: k.nearest_kronecker(np.ones((8, 14)), (2, 3), (4, 5)))]
    value_error_cases.count_value_errors(cases)
