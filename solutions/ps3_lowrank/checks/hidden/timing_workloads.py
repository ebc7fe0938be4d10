"""Workloads of problem set 3's timing checks (the [[timing]] entries of problemset.toml).

- ``randomized_svd``: the student's randomized SVD against a full ``np.linalg.svd`` followed by
  truncation, on rank-k matrices plus 1e-9 noise, whose rank-k reconstruction is unique to about
  1e-9 relative: the compared output is ``U diag(s) Vt`` (factors are not unique), within 1e-6.
- ``kron_matvec``: the student's Kronecker matvec against forming ``np.kron(A, B)`` and multiplying.

Measured with benchmarks/timing_checks.py's method (reference and slow-but-correct variant in the real
sandbox, another core kept busy) on the 2-core CPU machine, 200 runs of the reference and 20 of the
slow variant per check (2026-12-03):

- randomized_svd (n 400-440, k = 10, threshold 0.35): reference ratio median 0.123, p95 0.135, max
  0.142, 0/200 false fails; full SVD 0.99-1.05, detected 20/20; 4.2 s per check.
- kron_matvec (p, q 50-60, threshold 0.2): reference ratio median 0.0108, p95 0.0148, max 0.0171,
  0/200 false fails; np.kron 0.96-1.04, detected 20/20; 2.1 s per check.

Both thresholds sit near the geometric middle, at least 2.4x from either side. CPU only
(device_policy "cpu"): the problem set's API is numpy, and a GPU variant would need torch inputs.
Workload functions run in the sandbox as well as here: module-level, using only np.
"""

import numpy as np

from autograder.timing import Workload

# ---------------------------------------------------------------------------- randomized SVD


def rsvd_inputs(gen, device, n, k, dtype="float64", framework="numpy"):
    """A square n x n matrix of rank k plus 1e-9 noise, k, and a seed for the student's rng."""
    left = np.linalg.qr(gen.standard_normal((n, k)))[0]
    right = np.linalg.qr(gen.standard_normal((n, k)))[0]
    s = np.sort(gen.uniform(1.0, 10.0, size=k))[::-1]
    A = (left * s) @ right.T + 1e-9 * gen.standard_normal((n, n))
    return A.astype(dtype), k, int(gen.integers(2**31))


def rsvd_call(impl, A, k, seed):
    """The timed call: ``impl(A, k, oversample=10, power_iters=2, rng=seed)``."""
    def run():
        return impl(A, k, oversample=10, power_iters=2, rng=seed)

    return run


def reconstruction(out, A, k, seed):
    """What is compared: U diag(s) Vt (unique here to about 1e-9), from the returned factors."""
    try:
        U, s, Vt = out
        return (U * s) @ Vt
    except (TypeError, ValueError):  # factors of the wrong shapes: a result that fails the comparison
        return np.full(A.shape, np.nan)


def full_svd(A, k, *, oversample=10, power_iters=2, rng=None):
    """The baseline: the full SVD of A, truncated to k."""
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return U[:, :k], s[:k], Vt[:k]


def range_finder(A, k, *, oversample=10, power_iters=2, rng=None):
    """The best known way: Halko-Martinsson-Tropp with re-orthonormalised power iterations."""
    gen = np.random.default_rng(rng)
    Q = np.linalg.qr(A @ gen.standard_normal((A.shape[1], k + oversample)))[0]
    for _ in range(power_iters):
        Q = np.linalg.qr(A @ np.linalg.qr(A.T @ Q)[0])[0]
    Ub, s, Vt = np.linalg.svd((A.T @ Q).T, full_matrices=False)
    return (Q @ Ub)[:, :k], s[:k], Vt[:k]


RSVD = Workload(name="full SVD, truncated", inputs=rsvd_inputs, baseline=full_svd, best=range_finder,
                best_name="randomized range finder", setup=rsvd_call, result=reconstruction)


# ---------------------------------------------------------------------------- Kronecker matvec


def kron_inputs(gen, device, p, q, dtype="float64", framework="numpy"):
    """A (p x q), B (q x p) and x of length q * p: np.kron(A, B) is (p^2 x q^2)."""
    A = (gen.random((p, q)) - 0.5).astype(dtype)
    B = (gen.random((q, p)) - 0.5).astype(dtype)
    x = (gen.random(q * p) - 0.5).astype(dtype)
    return A, B, x


def dense_kron(A, B, x):
    """The baseline: form np.kron(A, B), then multiply."""
    return np.kron(A, B) @ x


def reshaped_kron(A, B, x):
    """The best known way: (A @ X @ B.T).ravel() with X = x.reshape(q1, q2)."""
    return (A @ x.reshape(A.shape[1], B.shape[1]) @ B.T).reshape(-1)


KRON = Workload(name="np.kron(A, B) @ x", inputs=kron_inputs, baseline=dense_kron, best=reshaped_kron,
                best_name="reshape: A X B^T")
