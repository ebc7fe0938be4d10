"""Hidden checks of problem 2, compressing a layer: randomized SVD (accuracy, determinism and its pass
budget over A, counted here in the parent through an Oracle), compress_layer, rank_for_energy and
Fisher-weighted SVD.

Factors are never compared with one particular SVD: they are judged by orthonormality, ordering and
the reconstruction error against the Eckart-Young error computed here in float64. Messages name the
kind of input, never its entries or the expected values.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import Oracle, expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("svd_compression")

HIDDEN = Path(__file__).parent  # the helpers these hidden checks share
value_error_cases = import_file("_ps3_lowrank_value_error_cases", HIDDEN / "value_error_cases.py")
random_matrices = import_file("_ps3_lowrank_random_matrices", HIDDEN / "random_matrices.py")


def eckart_young(A, r):
    s = np.linalg.svd(np.asarray(A, dtype=np.float64), compute_uv=False)
    return float(np.sqrt(np.sum(s[r:] ** 2)))


def tau(A):
    return 100 * max(A.shape) * float(np.finfo(np.asarray(A).dtype).eps) * float(
        np.linalg.norm(np.asarray(A, dtype=np.float64)))


def factors(out, shapes, what):
    """The returned tuple as float64 arrays of the given shapes, or a failure that says what is wrong
    (naming the expected shapes by their letters, never by the hidden sizes)."""
    symbols = ["(m, k)", "(k,)", "(k, n)"] if len(shapes) == 3 else ["(m, r)", "(r, n)"]
    expect_type(out, (tuple, list), what)
    if len(out) != len(shapes):
        raise AssertionError(f"{what} returned {len(out)} values; expected {len(shapes)}")
    arrays = []
    for value, shape, name, symbol in zip(out, shapes, ("first", "second", "third"), symbols,
                                          strict=False):
        expect_type(value, np.ndarray, f"{what} ({name} value)")
        if value.shape != shape:
            transposed = name == "third" and value.shape == shape[::-1]
            hint = " (return Vt, the k x n matrix, not V)" if transposed else ""
            raise AssertionError(f"{what} returned a {name} value of shape {value.shape}; expected "
                                 f"{symbol}{hint}")
        if value.dtype.kind != "f" or not np.all(np.isfinite(value)):
            raise AssertionError(f"{what} returned a {name} value that is not a finite float array")
        arrays.append(value.astype(np.float64))
    return arrays


def judge_rsvd(out, A, k, what, factor=1.1):
    m, n = A.shape
    U, s, Vt = factors(out, [(m, k), (k,), (k, n)], what)
    if np.linalg.norm(U.T @ U - np.eye(k)) > 1e-10 or np.linalg.norm(Vt @ Vt.T - np.eye(k)) > 1e-10:
        raise AssertionError(f"{what}: U or Vt does not have orthonormal columns / rows (to 1e-10)")
    if np.any(s < 0) or np.any(np.diff(s) > 1e-12 * max(1.0, float(s[0]) if s.size else 1.0)):
        raise AssertionError(f"{what}: s must be non-negative and non-increasing")
    error = float(np.linalg.norm(A - (U * s) @ Vt))
    best = eckart_young(A, k)
    if best == 0 and error > tau(A):
        raise AssertionError(f"{what}: A has rank at most k here, so U diag(s) Vt must reproduce it; "
                             f"||A - U diag(s) Vt||_F is {error:.3g}")
    if error > factor * best + tau(A):
        raise AssertionError(
            f"{what}: ||A - U diag(s) Vt||_F is {error / best if best else np.inf:.3g} times the best "
            f"rank-k error, above the statement's {factor} (re-orthonormalise between power "
            f"iterations, and do power_iters of them)")


@pytest.mark.weight(2)
def test_randomized_svd_flat_spectrum(student, rng):
    """randomized_svd: Gaussian matrices (flat spectrum): error within 1.1 times Eckart-Young."""
    for (m, n), k in (((160, 120), 10), ((90, 140), 25)):
        A = rng.standard_normal((m, n))
        out = student.svd_compression.randomized_svd(A, k, oversample=10, power_iters=2,
                                                     rng=int(rng.integers(2**31)))
        judge_rsvd(out, A, k, "randomized_svd on a Gaussian matrix")


@pytest.mark.weight(3)
def test_randomized_svd_steep_spectrum(student, rng):
    """randomized_svd: steep spectra (1 down to 1e-14), k up to 40: error within 1.1 times Eckart-Young."""
    for (m, n), k in (((200, 150), 20), ((200, 150), 40), ((120, 180), 30)):
        A = random_matrices.with_spectrum(rng, m, n, np.logspace(0, -14, min(m, n)))
        out = student.svd_compression.randomized_svd(A, k, oversample=10, power_iters=2,
                                                     rng=int(rng.integers(2**31)))
        judge_rsvd(out, A, k, "randomized_svd on a matrix with a steep spectrum")


def test_randomized_svd_edge_cases(student, rng):
    """randomized_svd: k = min(m, n) (exact), rank-deficient and zero matrices, float32."""
    A = rng.standard_normal((30, 12))
    judge_rsvd(student.svd_compression.randomized_svd(A, 12, oversample=5, power_iters=1, rng=1),
               A, 12, "randomized_svd with k = min(m, n)")
    B = random_matrices.with_spectrum(rng, 40, 30, [3.0, 2.0, 1.0])
    judge_rsvd(student.svd_compression.randomized_svd(B, 6, oversample=4, power_iters=2, rng=2),
               B, 6, "randomized_svd on a rank-3 matrix with k = 6")
    judge_rsvd(student.svd_compression.randomized_svd(np.zeros((15, 10)), 3, oversample=2,
                                                       power_iters=1, rng=3),
               np.zeros((15, 10)), 3, "randomized_svd on the zero matrix")
    C = rng.standard_normal((50, 40)).astype(np.float32)
    judge_rsvd(student.svd_compression.randomized_svd(C, 8, oversample=10, power_iters=2, rng=4),
               C, 8, "randomized_svd on a float32 matrix")


def test_randomized_svd_is_deterministic(student, rng):
    """randomized_svd: the same rng seed gives the same output; all randomness comes from rng."""
    A = rng.standard_normal((60, 45))
    seed = int(rng.integers(2**31))
    first = student.svd_compression.randomized_svd(A, 5, oversample=5, power_iters=1, rng=seed)
    second = student.svd_compression.randomized_svd(A, 5, oversample=5, power_iters=1, rng=seed)
    U1, s1, V1 = factors(first, [(60, 5), (5,), (5, 45)], "randomized_svd")
    U2, s2, V2 = factors(second, [(60, 5), (5,), (5, 45)], "randomized_svd")
    assert np.array_equal(U1, U2) and np.array_equal(s1, s2) and np.array_equal(V1, V2), (
        "randomized_svd returned different results for the same rng seed: draw every random number "
        "from np.random.default_rng(rng)")


@pytest.mark.weight(3)
def test_randomized_svd_pass_budget(student, given, rng):
    """randomized_svd: on a counted matrix, exactly power_iters + 1 products with A and as many with A^T."""
    problems = given.problems
    for (m, n), k, p, q in (((80, 60), 6, 4, 2), ((50, 90), 10, 5, 0), ((70, 70), 4, 6, 3)):
        A = random_matrices.with_spectrum(rng, m, n, np.logspace(0, -6, min(m, n)))
        matrix = problems.CountedMatrix(A)
        proxy = Oracle(matrix, methods=("matmat", "rmatmat"), attributes=("shape", "dtype"))
        out = student.svd_compression.randomized_svd(proxy, k, oversample=p, power_iters=q,
                                                     rng=int(rng.integers(2**31)))
        calls = (matrix.matmat_calls, matrix.rmatmat_calls)
        assert calls == (q + 1, q + 1), (
            f"randomized_svd made {calls[0]} products with A and {calls[1]} with A^T; the statement's "
            f"budget is power_iters + 1 of each (one for the range, one per power iteration, and "
            f"A^T Q for B)")
        columns = (matrix.matmat_columns, matrix.rmatmat_columns)
        assert max(columns) <= (q + 1) * (k + p), (
            "randomized_svd multiplied A by blocks wider than k + oversample columns")
        # without power iterations the sketch alone is less accurate: only a sanity bound then
        judge_rsvd(out, A, k, "randomized_svd on a counted matrix", factor=1.1 if q else 10.0)


@pytest.mark.weight(2)
def test_compress_layer_best_approximation(student, rng):
    """compress_layer: A @ B is a best rank-r approximation (shapes, rank, Eckart-Young error)."""
    cases = [((12, 8), 3, None), ((7, 15), 5, None), ((10, 10), 10, None), ((9, 6), 0, None),
             ((20, 14), 4, np.float32), ((8, 8), 2, "repeated")]
    for (m, n), r, kind in cases:
        if kind == "repeated":
            W = random_matrices.with_spectrum(rng, m, n, [3.0, 2.0, 2.0, 2.0, 1.0])
            what = "repeated singular values"
        else:
            W = rng.standard_normal((m, n)).astype(kind or np.float64)
            what = "a random float32 matrix" if kind else "a random matrix"
        out = student.svd_compression.compress_layer(W, r)
        A, B = factors(out, [(m, r), (r, n)], f"compress_layer on {what}")
        error = float(np.linalg.norm(W.astype(np.float64) - A @ B))
        assert abs(error - eckart_young(W, r)) <= tau(W), (
            f"compress_layer on {what}: ||W - A B||_F differs from the best rank-r error by "
            f"{abs(error - eckart_young(W, r)):.2g}, more than the tolerance {tau(W):.2g}")


def test_rank_for_energy(student, rng):
    """rank_for_energy: random spectra and deltas (no ties), the zero matrix gives 0."""
    for _ in range(6):
        m, n = (int(v) for v in rng.integers(4, 30, size=2))
        s = np.sort(rng.uniform(0.01, 1.0, size=min(m, n)) ** 3)[::-1]
        W = random_matrices.with_spectrum(rng, m, n, s)
        cumulative = np.cumsum(s**2) / np.sum(s**2)
        while True:
            delta = float(rng.uniform(0.001, 0.6))
            if np.min(np.abs(cumulative - (1 - delta))) > 1e-6:
                break
        expected = int(np.searchsorted(cumulative, 1 - delta) + 1)
        got = student.svd_compression.rank_for_energy(W, delta)
        expect_type(got, int, "rank_for_energy(W, delta)")
        assert got == expected, (
            f"rank_for_energy returned {got} on a random matrix; expected the least r with "
            f"sigma_1^2 + ... + sigma_r^2 >= (1 - delta) ||W||_F^2")
    got = student.svd_compression.rank_for_energy(np.zeros((4, 3)), 0.1)
    expect_type(got, int, "rank_for_energy(zeros, 0.1)")
    assert got == 0, f"rank_for_energy of the zero matrix returned {got}; expected 0"


def weighted_error(W, A, B, fisher):
    d = np.sqrt(fisher.sum(axis=1))
    return float(np.linalg.norm(d[:, None] * (W - A @ B)))


@pytest.mark.weight(3)
def test_fisher_weighted_svd_is_optimal(student, rng):
    """fisher_weighted_svd: the weighted error equals the optimum, below the plain SVD's weighted error."""
    for m, n, r in ((12, 9, 3), (8, 14, 2), (20, 20, 6)):
        W = rng.standard_normal((m, n))
        fisher = rng.gamma(0.5, size=(m, n)) * rng.uniform(0.01, 5.0, size=(m, 1))
        A, B = factors(student.svd_compression.fisher_weighted_svd(W, fisher, r), [(m, r), (r, n)],
                       "fisher_weighted_svd")
        d = np.sqrt(fisher.sum(axis=1))
        optimum = eckart_young(d[:, None] * W, r)
        got = weighted_error(W, A, B, fisher)
        assert abs(got - optimum) <= tau(d[:, None] * W), (
            f"fisher_weighted_svd: the weighted error ||D (W - A B)||_F is {got / optimum:.4g} times "
            f"the optimum (D = diag(sqrt(I_i)), I_i = row sums of fisher: weight rows, by the square "
            f"root of their importance)")
        U, s, Vt = np.linalg.svd(W, full_matrices=False)
        plain = weighted_error(W, U[:, :r] * s[:r], Vt[:r], fisher)
        assert got < plain, "fisher_weighted_svd is no better than the plain truncated SVD here"


def test_invalid_arguments_are_rejected(student, rng):
    """Out-of-range k, r and delta, and a row of zero importance raise ValueError."""
    sc = student.svd_compression
    W = rng.standard_normal((6, 5))
    fisher = np.ones((6, 5))
    fisher[2] = 0.0
    cases = [
        ("randomized_svd with k = 0", lambda: sc.randomized_svd(W, 0, rng=0)),
        ("randomized_svd with k > min(m, n)", lambda: sc.randomized_svd(W, 6, rng=0)),
        ("compress_layer with r > min(m, n)", lambda: sc.compress_layer(W, 7)),
        ("rank_for_energy with delta = 1.5", lambda: sc.rank_for_energy(W, 1.5)),
        ("fisher_weighted_svd with a row of zero importance", lambda: sc.fisher_weighted_svd(W, fisher, 2)),
    ]
    value_error_cases.count_value_errors(cases)
