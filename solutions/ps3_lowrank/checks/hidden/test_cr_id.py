"""Hidden checks of problem 3: CR sampling (probabilities, the sampled product under the sampling
contract, the exact expected error) and the interpolative decomposition (validity of J and P, error
at most 5 times the best rank-k error, exact on matrices of rank <= k, and trap matrices for "the
first k columns" and "the k columns of largest norm").

Expected CR values are the reference's under the same seed, computed here; ID results are judged
by properties only (any valid skeleton passes). Messages never reveal hidden inputs or values.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("cr_id")

HIDDEN = Path(__file__).parent  # the helpers these hidden checks share
value_error_cases = import_file("_ps3_lowrank_value_error_cases", HIDDEN / "value_error_cases.py")
random_matrices = import_file("_ps3_lowrank_random_matrices", HIDDEN / "random_matrices.py")
returned_scalars = import_file("_ps3_lowrank_returned_scalars", HIDDEN / "returned_scalars.py")

CONTRACT = ("draw once, idx = rng.choice(n, size=r, replace=True, p=p) with "
            "rng = np.random.default_rng(rng), and weight each pair by 1 / (r p_i)")


def product_pair(rng, m, n, p):
    """A (m x n) and B (n x p) with very different column / row norms (so that p is not uniform)."""
    A = rng.standard_normal((m, n)) * np.exp(rng.uniform(-2, 2, size=n))
    B = rng.standard_normal((n, p)) * np.exp(rng.uniform(-2, 2, size=(n, 1)))
    return A, B


# ---------------------------------------------------------------------------- CR


def test_cr_probabilities(student, reference, rng):
    """cr_probabilities: random pairs, a zero column and a zero row: exact p that sums to 1."""
    for m, n, p in ((5, 30, 4), (12, 7, 9), (3, 50, 3)):
        A, B = product_pair(rng, m, n, p)
        A[:, int(rng.integers(n))] = 0.0
        B[int(rng.integers(n)), :] = 0.0
        got = student.cr_id.cr_probabilities(A, B)
        expect_type(got, np.ndarray, "cr_probabilities(A, B)")
        assert_close(got, reference.cr_id.cr_probabilities(A, B), rtol=1e-12, atol=1e-15,
                     what="cr_probabilities on a random pair (p_i proportional to ||A[:, i]|| ||B[i, :]||)")


@pytest.mark.weight(2)
def test_cr_product_under_the_contract(student, reference, rng):
    """cr_product: equals the estimate under the sampling contract, for several seeds and r (r = 1 too)."""
    for m, n, p, r in ((6, 40, 5, 10), (4, 25, 7, 1), (9, 60, 3, 35)):
        A, B = product_pair(rng, m, n, p)
        seed = int(rng.integers(2**31))
        got = student.cr_id.cr_product(A, B, r, seed)
        expect_type(got, np.ndarray, "cr_product(A, B, r, rng)")
        expected = reference.cr_id.cr_product(A, B, r, seed)
        if got.shape != expected.shape:
            raise AssertionError(f"cr_product returned shape {got.shape}; expected (m, p) of A @ B")
        assert_close(got, expected, rtol=1e-10, atol=1e-12 * float(np.abs(expected).max()),
                     what=f"cr_product under the sampling contract ({CONTRACT})")


def test_cr_product_single_column_is_exact(student, rng):
    """cr_product: when A has one non-zero column, every sample gives A @ B exactly, for any r."""
    A = np.zeros((5, 12))
    A[:, int(rng.integers(12))] = rng.standard_normal(5)
    B = rng.standard_normal((12, 4))
    for r in (1, 7):
        got = student.cr_id.cr_product(A, B, r, int(rng.integers(2**31)))
        assert_close(got, A @ B, rtol=1e-12, atol=1e-14, what="cr_product of an A with one non-zero column")


@pytest.mark.weight(2)
def test_cr_expected_sq_error(student, reference, rng):
    """cr_expected_sq_error: the exact formula, with the optimal p, with uniform p and with zero terms."""
    for m, n, p, r in ((6, 20, 5, 4), (3, 45, 8, 1), (10, 15, 10, 9)):
        A, B = product_pair(rng, m, n, p)
        expected = reference.cr_id.cr_expected_sq_error(A, B, r)
        got = returned_scalars.as_float(student.cr_id.cr_expected_sq_error(A, B, r),
                                        "cr_expected_sq_error(A, B, r)")
        assert abs(got - expected) <= 1e-10 * abs(expected), (
            "cr_expected_sq_error with the optimal p is off: it is (sum_i ||a_i||^2 ||b_i||^2 / p_i "
            "- ||AB||_F^2) / r")
        uniform = np.full(n, 1.0 / n)
        expected = reference.cr_id.cr_expected_sq_error(A, B, r, uniform)
        got = returned_scalars.as_float(student.cr_id.cr_expected_sq_error(A, B, r, uniform),
                       "cr_expected_sq_error(A, B, r, p)")
        assert abs(got - expected) <= 1e-10 * abs(expected), (
            "cr_expected_sq_error with a given (uniform) p is off")
    A, B = product_pair(rng, 4, 10, 3)
    A[:, 3] = 0.0
    p = reference.cr_id.cr_probabilities(A, B)
    expected = reference.cr_id.cr_expected_sq_error(A, B, 2, p)
    got = returned_scalars.as_float(student.cr_id.cr_expected_sq_error(A, B, 2, p),
                                    "cr_expected_sq_error(A, B, r, p)")
    assert abs(got - expected) <= 1e-10 * abs(expected), (
        "cr_expected_sq_error with p_i = 0 for a zero column is off: such terms count 0")


# ---------------------------------------------------------------------------- ID


def judge_id(student, A, k, what, factor=5.0):
    """J valid, P[:, J] = I, and ||A - A[:, J] P||_F <= factor E_k + tau."""
    n = A.shape[1]
    out = student.cr_id.interp_decomp(A, k)
    expect_type(out, (tuple, list), f"interp_decomp on {what}")
    if len(out) != 2:
        raise AssertionError(f"interp_decomp on {what} returned {len(out)} values; expected (J, P)")
    J, P = out
    J = np.asarray(J)
    if J.shape != (k,) or J.dtype.kind not in "iu":
        raise AssertionError(f"interp_decomp on {what}: J must hold k ints; got shape {J.shape}, "
                             f"dtype {J.dtype}")
    if np.any(J < 0) or np.any(J >= n) or np.unique(J).size != k:
        raise AssertionError(f"interp_decomp on {what}: J must hold k distinct column indices in [0, n)")
    expect_type(P, np.ndarray, f"interp_decomp on {what} (P)")
    if P.shape != (k, n) or P.dtype.kind != "f" or not np.all(np.isfinite(P)):
        raise AssertionError(f"interp_decomp on {what}: P must be a finite float array of shape (k, n); "
                             f"got shape {P.shape}")
    P = P.astype(np.float64)
    if np.abs(P[:, J] - np.eye(k)).max() > 1e-12:
        raise AssertionError(f"interp_decomp on {what}: P[:, J] is not the identity (to 1e-12)")
    A64 = A.astype(np.float64)
    s = np.linalg.svd(A64, compute_uv=False)
    best = float(np.sqrt(np.sum(s[k:] ** 2)))
    tol = 100 * max(A.shape) * float(np.finfo(A.dtype).eps) * float(np.linalg.norm(A64))
    error = float(np.linalg.norm(A64 - A64[:, J] @ P))
    if error > factor * best + tol:
        raise AssertionError(
            f"interp_decomp on {what}: ||A - A[:, J] P||_F is {error / best if best else np.inf:.3g} "
            f"times the best rank-k error, above {factor:g} (choose the skeleton by column-pivoted QR, "
            f"not by position or by norm alone)")


@pytest.mark.weight(3)
def test_interp_decomp_decaying_spectra(student, rng):
    """interp_decomp: tall and wide matrices with decaying spectra: error within 5 times the optimum."""
    for (m, n), k in (((60, 40), 8), ((30, 70), 12), ((50, 50), 20), ((80, 30), 3)):
        s = np.exp(-np.linspace(0, rng.uniform(4, 12), min(m, n)))
        judge_id(student, random_matrices.with_spectrum(rng, m, n, s), k, "a matrix with a decaying spectrum")


def test_interp_decomp_low_rank_is_exact(student, rng):
    """interp_decomp: a matrix of rank <= k is reproduced (k = rank, k > rank, k = n, zero matrix)."""
    A = random_matrices.with_spectrum(rng, 25, 30, rng.uniform(1, 3, size=5))
    judge_id(student, A, 5, "a rank-5 matrix with k = 5")
    judge_id(student, A, 9, "a rank-5 matrix with k = 9 (the triangular block is singular)")
    judge_id(student, rng.standard_normal((6, 8)), 8, "a matrix with k = n (P = I)")
    judge_id(student, np.zeros((5, 7)), 3, "the zero matrix")
    low_rank = random_matrices.with_spectrum(rng, 20, 15, rng.uniform(1, 3, size=4))
    judge_id(student, low_rank.astype(np.float32), 6,
             "a float32 matrix of rank 4 with k = 6")


@pytest.mark.weight(2)
def test_interp_decomp_traps(student, rng):
    """interp_decomp: important columns at random positions; the largest column repeated k times."""
    m, n, k = 40, 60, 6
    basis = random_matrices.orthonormal_columns(rng, m, k)
    A = 1e-6 * rng.standard_normal((m, n))
    important = rng.choice(np.arange(k, n), size=k, replace=False)
    A[:, important] += basis * rng.uniform(1, 2, size=k)
    judge_id(student, A, k, "a matrix whose important columns are not the first ones")
    B = (random_matrices.with_spectrum(rng, m, n, rng.uniform(1, 2, size=k))
         + 1e-6 * rng.standard_normal((m, n)))
    big = int(rng.integers(n))
    B[:, big] *= 20
    copies = rng.choice(np.delete(np.arange(n), big), size=k - 1, replace=False)
    B[:, copies] = B[:, [big]]
    judge_id(student, B, k, "a matrix whose largest column appears k times")


def test_invalid_arguments_are_rejected(student, rng):
    """All-zero products, r < 1, k out of range and non-2-D input raise ValueError."""
    cr = student.cr_id
    A, B = rng.standard_normal((4, 5)), rng.standard_normal((5, 3))
    cases = [
        ("cr_probabilities with A = 0", lambda: cr.cr_probabilities(np.zeros((4, 5)), B)),
        ("cr_probabilities with mismatched shapes", lambda: cr.cr_probabilities(A, B.T)),
        ("cr_product with r = 0", lambda: cr.cr_product(A, B, 0, 1)),
        ("interp_decomp with k = 0", lambda: cr.interp_decomp(A, 0)),
        ("interp_decomp with k > n", lambda: cr.interp_decomp(A, 6)),
        ("interp_decomp on a 1-D array", lambda: cr.interp_decomp(A[0], 1)),
    ]
    value_error_cases.count_value_errors(cases)
