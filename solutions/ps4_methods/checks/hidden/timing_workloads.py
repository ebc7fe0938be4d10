"""Workload of problem set 4's timing check ``mds_grad`` (the [[timing]] entry of problemset.toml).

The student's ``stress_grad`` against a vectorised numpy gradient (the same O(N^2 p) work done with
whole-array operations), interleaved in the sandbox on fresh random embeddings; every output is
checked. On one CPU thread of the 2-core grading machine, at N = 350, a double Python loop over pairs
takes about 50x the baseline's time and the reference about 1x; the threshold (5, in the manifest)
sits in between with a margin of several times on both sides.

Workload functions run in the sandbox as well as here: module-level, using only np.
"""

import numpy as np

from autograder.timing import Workload


def mds_inputs(gen, device, N, p=2):
    """An embedding X (N x p) and the exact distance matrix D of other N points in the plane."""
    P = gen.uniform(0.0, 10.0, (N, p))
    diff = P[:, None, :] - P[None, :, :]
    D = np.sqrt(np.sum(diff * diff, axis=2))
    X = gen.standard_normal((N, p)) * 3.0
    return X, D


def vectorised_stress_grad(X, D):
    """sum_j 2 (d_ij - D_ij) (x_i - x_j) / d_ij with whole-array operations (0 where d_ij = 0)."""
    diff = X[:, None, :] - X[None, :, :]
    d = np.sqrt(np.sum(diff * diff, axis=2))
    safe = np.where(d > 0, d, 1.0)
    W = np.where(d > 0, 2.0 * (d - D) / safe, 0.0)
    return W.sum(axis=1)[:, None] * X - W @ X


MDS_GRAD = Workload(name="a vectorised numpy gradient", inputs=mds_inputs, baseline=vectorised_stress_grad)
