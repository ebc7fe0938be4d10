"""Hidden checks of problem 4, tensor decompositions: unfold/fold/mode_dot exactly against einsum,
HOSVD and HOOI (orthonormal factors, a consistent core, the error inside De Lathauwer's window, the
HOOI error trajectory), TT-SVD (shape chain, ranks, left-orthonormality, the error inside Oseledets'
window, the rel_eps promise), the TT inner product (on a train whose full tensor cannot be formed)
and CP-ALS (the error trajectory from a given initialization).

Every reconstruction is computed here with the grader's own C-order contractions, never with the
student's helpers. Messages never reveal hidden inputs or expected values.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("tensors")

HIDDEN = Path(__file__).parent  # the helpers these hidden checks share
value_error_cases = import_file("_ps3_lowrank_value_error_cases", HIDDEN / "value_error_cases.py")
returned_scalars = import_file("_ps3_lowrank_returned_scalars", HIDDEN / "returned_scalars.py")


def c_unfold(X, n):
    return np.moveaxis(X, n, 0).reshape(X.shape[n], -1)


def tail(M, r):
    s = np.linalg.svd(M, compute_uv=False)
    return float(np.sqrt(np.sum(s[r:] ** 2)))


def tucker_full(G, factors):
    out = G
    for n, U in enumerate(factors):
        out = np.moveaxis(np.tensordot(U, out, axes=(1, n)), 0, n)
    return out


def train_full(cores):
    out = cores[0]
    for core in cores[1:]:
        out = np.tensordot(out, core, axes=(-1, 0))
    return out.reshape(out.shape[1:-1])


def random_train(rng, shape, ranks):
    ranks = [1, *ranks, 1]
    return [rng.standard_normal((ranks[k], n, ranks[k + 1])) for k, n in enumerate(shape)]


def tol(X):
    return 100 * max(X.shape) * float(np.finfo(np.float64).eps) * float(np.linalg.norm(X))


def array_of(value, shape, what):
    expect_type(value, np.ndarray, what)
    if value.shape != tuple(shape):
        raise AssertionError(f"{what} returned shape {value.shape}, not the shape the statement gives")
    if value.dtype.kind != "f" or not np.all(np.isfinite(value)):
        raise AssertionError(f"{what} returned a non-finite or non-float array")
    return value.astype(np.float64)


# ---------------------------------------------------------------------------- unfold, fold, mode_dot


@pytest.mark.weight(2)
def test_unfold_fold_mode_dot(student, rng):
    """unfold, fold, mode_dot: 3-D and 4-D tensors, every mode, non-square U, against einsum and exactly."""
    letters = "abcd"
    for shape in ((3, 4, 5), (2, 3, 4, 3)):
        X = rng.standard_normal(shape)
        for n in range(len(shape)):
            M = array_of(student.tensors.unfold(X, n), (shape[n], X.size // shape[n]), f"unfold(X, {n})")
            assert np.array_equal(M, c_unfold(X, n)), (
                f"unfold(X, {n}) of a {len(shape)}-D tensor is not the C-order unfolding "
                f"np.moveaxis(X, {n}, 0).reshape(X.shape[{n}], -1)")
            back = array_of(student.tensors.fold(c_unfold(X, n), n, shape), shape, f"fold(M, {n}, shape)")
            assert np.array_equal(back, X), f"fold(unfold(X, {n}), {n}, X.shape) is not X"
            U = rng.standard_normal((shape[n] + 2, shape[n]))
            new = list(shape)
            new[n] = U.shape[0]
            Y = array_of(student.tensors.mode_dot(X, U, n), new,
                         f"mode_dot(X, U, {n}) with U of shape (J, I_n)")
            spec = f"{letters[:len(shape)]},z{letters[n]}->{letters[:n]}z{letters[n + 1:len(shape)]}"
            assert_close(Y, np.einsum(spec, X, U), rtol=1e-12, atol=1e-12,
                         what=f"mode_dot(X, U, {n}) (sum over U's second index)")


# ---------------------------------------------------------------------------- Tucker


def judge_tucker(X, G, factors, ranks, what):
    d = X.ndim
    expect_type(factors, (list, tuple), f"{what} (factors)")
    if len(factors) != d:
        raise AssertionError(f"{what} returned {len(factors)} factors; expected one per mode")
    factors = [array_of(U, (X.shape[n], ranks[n]), f"{what}, factor {n}") for n, U in enumerate(factors)]
    G = array_of(G, ranks, f"{what} (core)")
    for n, U in enumerate(factors):
        if np.linalg.norm(U.T @ U - np.eye(ranks[n])) > 1e-10:
            raise AssertionError(f"{what}: factor {n} does not have orthonormal columns")
    core = X
    for n, U in enumerate(factors):
        core = np.moveaxis(np.tensordot(U.T, core, axes=(1, n)), 0, n)
    if np.linalg.norm(core - G) > 1e-10 * np.linalg.norm(X):
        raise AssertionError(f"{what}: the core is not X multiplied by U_n^T in every mode")
    return G, factors


@pytest.mark.weight(3)
def test_hosvd_error_window(student, rng):
    """hosvd: orthonormal factors, G = X x_n U_n^T, error between max_n and sqrt(sum_n) of the mode tails."""
    for shape, ranks in (((6, 7, 5), (3, 4, 2)), ((5, 4, 6, 3), (2, 3, 3, 2)), ((8, 6, 4), (8, 2, 4))):
        loadings = [rng.standard_normal((s, r)) for s, r in zip(shape, ranks, strict=True)]
        X = rng.standard_normal(shape) + 2 * tucker_full(rng.standard_normal(ranks), loadings)
        out = student.tensors.hosvd(X, list(ranks))
        expect_type(out, (tuple, list), "hosvd(X, ranks)")
        G, factors = judge_tucker(X, *out, ranks, "hosvd")
        error = float(np.linalg.norm(X - tucker_full(G, factors)))
        tails = [tail(c_unfold(X, n), r) for n, r in enumerate(ranks)]
        low, high = max(tails), float(np.sqrt(np.sum(np.square(tails))))
        assert low - tol(X) <= error <= high + tol(X), (
            "hosvd: the error lies outside [max_n tail_n, (sum_n tail_n^2)^(1/2)], tail_n the best "
            "rank-r_n error of unfold(X, n): use the leading left singular vectors of each unfolding")


@pytest.mark.weight(2)
def test_hooi_trajectory(student, reference, rng):
    """hooi: valid Tucker factors; errors start at the HOSVD's, never increase, and follow the sweep rule."""
    for shape, ranks, n_iter in (((6, 5, 7), (2, 3, 2), 4), ((4, 5, 3, 4), (2, 2, 2, 3), 3)):
        X = rng.standard_normal(shape)
        out = student.tensors.hooi(X, list(ranks), n_iter)
        expect_type(out, (tuple, list), "hooi(X, ranks, n_iter)")
        if len(out) != 3:
            raise AssertionError(f"hooi returned {len(out)} values; expected (G, factors, rel_errors)")
        G, factors = judge_tucker(X, out[0], out[1], ranks, "hooi")
        errors = np.asarray(out[2], dtype=np.float64).reshape(-1)
        if errors.shape != (n_iter + 1,):
            raise AssertionError(f"hooi returned {errors.size} errors; expected n_iter + 1 (HOSVD, then "
                                 f"one per sweep)")
        final = float(np.linalg.norm(X - tucker_full(G, factors)) / np.linalg.norm(X))
        assert abs(errors[-1] - final) <= 1e-10, (
            "hooi: the last relative error is not the returned Tucker's")
        assert np.all(np.diff(errors) <= 1e-12), "hooi: the relative errors increase during the sweeps"
        _, _, expected = reference.tensors.hooi(X, list(ranks), n_iter)
        assert_close(errors, np.asarray(expected), rtol=1e-8, atol=1e-12,
                     what="hooi's relative errors (sweep modes 0..d-1, each with the newest factors)")


# ---------------------------------------------------------------------------- TT


def judge_train(X, cores, what, max_rank=None):
    expect_type(cores, (list, tuple), what)
    d = X.ndim
    if len(cores) != d:
        raise AssertionError(f"{what} returned {len(cores)} cores; expected one per mode")
    arrays, rank = [], 1
    for k, core in enumerate(cores):
        expect_type(core, np.ndarray, f"{what}, core {k}")
        if core.ndim != 3 or core.shape[0] != rank or core.shape[1] != X.shape[k]:
            raise AssertionError(f"{what}: core {k} has shape {core.shape}; expected (r_{k}, n_{k + 1}, "
                                 f"r_{k + 1}) with r_{k} = {rank} from the previous core")
        if max_rank is not None and core.shape[2] > max_rank:
            raise AssertionError(f"{what}: a TT-rank exceeds max_rank")
        rank = core.shape[2]
        arrays.append(core.astype(np.float64))
    if rank != 1:
        raise AssertionError(f"{what}: the last core's last size must be 1")
    for k, core in enumerate(arrays[:-1]):
        M = core.reshape(-1, core.shape[2])
        if np.linalg.norm(M.T @ M - np.eye(M.shape[1])) > 1e-10:
            raise AssertionError(f"{what}: core {k} is not left-orthonormal (reshaped to "
                                 f"(r_prev n_k, r_next) it must have orthonormal columns; carry "
                                 f"diag(s) Vt to the right)")
    return arrays


def sequential_tails(X, ranks):
    return [tail(X.reshape(int(np.prod(X.shape[:k + 1])), -1), r) for k, r in enumerate(ranks)]


@pytest.mark.weight(3)
def test_tt_svd_max_rank(student, rng):
    """tt_svd with max_rank: shape chain, left-orthonormal cores, error inside Oseledets' window."""
    for shape, max_rank in (((4, 5, 3, 6), 3), ((3, 3, 3, 3, 3), 4), ((7, 8), 3), ((5, 1, 4, 6), 2)):
        X = rng.standard_normal(shape) + 3 * train_full(random_train(rng, shape, [2] * (len(shape) - 1)))
        cores = judge_train(X, student.tensors.tt_svd(X, max_rank=max_rank), "tt_svd(X, max_rank=...)",
                            max_rank)
        full = train_full(cores)
        if full.shape != X.shape:
            raise AssertionError("tt_svd: the train's tensor does not have X's shape")
        error = float(np.linalg.norm(X - full))
        ranks = [c.shape[2] for c in cores[:-1]]
        tails = sequential_tails(X, ranks)
        low, high = max(tails), float(np.sqrt(np.sum(np.square(tails))))
        assert low - tol(X) <= error <= high + tol(X), (
            "tt_svd: the error lies outside [max_k eps_k, (sum_k eps_k^2)^(1/2)] for the sequential "
            "unfoldings X.reshape(n_1 ... n_k, -1) (C order)")


@pytest.mark.weight(2)
def test_tt_svd_rel_eps(student, reference, rng):
    """tt_svd with rel_eps: error at most rel_eps ||X||, no more parameters than the reference's choice."""
    for shape, eps in (((4, 4, 4, 4), 0.1), ((5, 6, 4), 0.3), ((3, 4, 5, 3, 2), 1e-10)):
        X = train_full(random_train(rng, shape, [3] * (len(shape) - 1)))
        X = X + 0.05 * rng.standard_normal(shape)
        cores = judge_train(X, student.tensors.tt_svd(X, rel_eps=eps), "tt_svd(X, rel_eps=...)")
        error = float(np.linalg.norm(X - train_full(cores)))
        assert error <= eps * np.linalg.norm(X) + tol(X), "tt_svd: the error exceeds rel_eps ||X||_F"
        mine = sum(c.size for c in cores)
        theirs = sum(np.asarray(c).size for c in reference.tensors.tt_svd(X, rel_eps=eps))
        assert mine <= theirs, (
            "tt_svd(X, rel_eps=...) keeps more parameters than needed: at each step keep the smallest "
            "rank whose dropped tail is at most rel_eps ||X||_F / sqrt(d - 1)")


def test_tt_svd_edge_cases(student, rng):
    """tt_svd: d = 2 is the truncated SVD; the zero tensor gives TT-ranks 1."""
    X = rng.standard_normal((9, 7))
    cores = judge_train(X, student.tensors.tt_svd(X, max_rank=3), "tt_svd of a matrix", 3)
    error = float(np.linalg.norm(X - train_full(cores)))
    assert abs(error - tail(X, 3)) <= tol(X), "tt_svd of a matrix (d = 2) must be its truncated SVD"
    Z = np.zeros((3, 4, 2))
    cores = judge_train(Z, student.tensors.tt_svd(Z, rel_eps=0.1), "tt_svd of the zero tensor")
    assert all(c.shape[2] == 1 for c in cores) and np.all(train_full(cores) == 0), (
        "tt_svd of the zero tensor must have every TT-rank 1 and reconstruct 0")


@pytest.mark.weight(2)
def test_tt_inner(student, rng):
    """tt_inner: small trains against the full contraction; a train too large to form (2^40 entries)."""
    for shape, ra, rb in (((3, 4, 5), [2, 3], [4, 2]),
                          ((2, 2, 2, 2, 2, 2), [2, 3, 4, 3, 2], [1, 2, 2, 2, 1])):
        a, b = random_train(rng, shape, ra), random_train(rng, shape, rb)
        expected = float(np.vdot(train_full(a), train_full(b)))
        got = returned_scalars.as_float(student.tensors.tt_inner(a, b), "tt_inner(a, b)")
        scale = np.linalg.norm(train_full(a)) * np.linalg.norm(train_full(b))
        assert abs(got - expected) <= 1e-10 * scale, "tt_inner differs from the full contraction"
    a = [core / np.sqrt(2.0 * core.shape[0]) for core in random_train(rng, (2,) * 40, [3] * 39)]
    b = [core / np.sqrt(2.0 * core.shape[0]) for core in random_train(rng, (2,) * 40, [2] * 39)]
    W = np.ones((1, 1))
    for x, y in zip(a, b, strict=True):
        W = np.einsum("ab,anc,bnd->cd", W, x, y)
    got = returned_scalars.as_float(student.tensors.tt_inner(a, b), "tt_inner on a 40-core train")
    assert abs(got - W[0, 0]) <= 1e-9 * max(1.0, abs(W[0, 0])), (
        "tt_inner on a train of 40 cores of size 2 (2^40 entries: it cannot be formed) is wrong; "
        "contract core by core, carrying an r_a x r_b matrix")


# ---------------------------------------------------------------------------- CP


def cp_full(factors):
    d = len(factors)
    letters = "abcdefg"[:d]
    return np.einsum(",".join(f"{c}z" for c in letters) + "->" + letters, *factors)


@pytest.mark.weight(3)
def test_cp_als_trajectory(student, reference, rng):
    """cp_als: from a given init, the relative errors equal the Gauss-Seidel ALS trajectory and never rise."""
    for shape, rank, n_iter in (((6, 8, 7), 3, 8), ((5, 4, 6, 3), 2, 6), ((7, 5, 6), 4, 10)):
        true = [rng.standard_normal((s, rank)) for s in shape]
        X = cp_full(true) + 0.1 * rng.standard_normal(shape)
        init = [rng.standard_normal((s, rank)) for s in shape]
        out = student.tensors.cp_als(X, rank, [u.copy() for u in init], n_iter)
        expect_type(out, (tuple, list), "cp_als(X, rank, init, n_iter)")
        if len(out) != 2:
            raise AssertionError(f"cp_als returned {len(out)} values; expected (factors, rel_errors)")
        if len(out[0]) != len(shape):
            raise AssertionError("cp_als must return one factor per mode")
        factors = [array_of(U, (s, rank), f"cp_als factor {n}")
                   for n, (U, s) in enumerate(zip(out[0], shape, strict=True))]
        errors = np.asarray(out[1], dtype=np.float64).reshape(-1)
        if errors.shape != (n_iter + 1,):
            raise AssertionError(f"cp_als returned {errors.size} errors; expected n_iter + 1 (init, then "
                                 f"one per sweep)")
        _, expected = reference.tensors.cp_als(X, rank, init, n_iter)
        assert_close(errors, np.asarray(expected), rtol=1e-8, atol=1e-12,
                     what="cp_als's relative errors from the given init (update modes 0..d-1 in turn, "
                          "each with the newest other factors)")
        final = float(np.linalg.norm(X - cp_full(factors)) / np.linalg.norm(X))
        assert abs(errors[-1] - final) <= 1e-8 * max(1.0, final), (
            "cp_als: the last relative error is not the returned factors'")
        assert np.all(np.diff(errors) <= 1e-10), "cp_als: the relative errors increase"


def test_cp_als_recovers_exact_rank(student, rng):
    """cp_als: an exactly rank-3 6 x 8 x 7 tensor from a nearby init reaches relative error < 1e-6."""
    # well-conditioned factors (orthogonal columns, scales in [1, 2]): from 0.05 away the reference
    # reaches ~1e-15 within 60 sweeps on 300 of 300 draws; Gaussian factors swamp now and then
    true = [np.linalg.qr(rng.standard_normal((s, 3)))[0] * rng.uniform(1, 2, size=3) for s in (6, 8, 7)]
    X = cp_full(true)
    init = [u + 0.05 * rng.standard_normal(u.shape) for u in true]
    factors, errors = student.tensors.cp_als(X, 3, init, 60)
    final = float(np.linalg.norm(X - cp_full([np.asarray(u, dtype=np.float64) for u in factors]))
                  / np.linalg.norm(X))
    assert final < 1e-6, f"cp_als from a nearby init ends at relative error {final:.3g}; expected < 1e-6"


def test_invalid_arguments_are_rejected(student, rng):
    """Ranks above the mode sizes, tt_svd without a rule, and a bad init raise ValueError."""
    t = student.tensors
    X = rng.standard_normal((3, 4, 5))
    cases = [
        ("hosvd with a rank above its mode size", lambda: t.hosvd(X, [4, 2, 2])),
        ("hosvd with too few ranks", lambda: t.hosvd(X, [2, 2])),
        ("tt_svd with neither max_rank nor rel_eps", lambda: t.tt_svd(X)),
        ("cp_als with an init of the wrong shape",
         lambda: t.cp_als(X, 2, [np.ones((3, 2)), np.ones((4, 2))], 1)),
    ]
    value_error_cases.count_value_errors(cases)
