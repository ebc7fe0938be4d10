"""Workloads of problem set 4's timing checks (the [[timing]] entries of problemset.toml).

``mds_grad``: the student's ``stress_grad`` against a vectorised numpy gradient (the same O(N^2 p)
work done with whole-array operations), interleaved in the sandbox on fresh random embeddings; every
output is checked. On one CPU thread of the 2-core grading machine, at N = 350, a double Python loop
over pairs takes about 40-50x the baseline's time and the reference about 1x; the threshold (5, in the
manifest) sits in between with a margin of several times on both sides.

``adadelta_step``: the timed call builds the student's ``Adadelta`` on fresh random float32
parameters and runs two steps with fresh random gradients; the baseline is ``torch.optim.Adadelta``
of the same implementation family (the per-parameter loop on CPU, foreach on CUDA). Whole-tensor
operations per parameter take about the baseline's time; a Python loop over elements takes
thousands of times longer and is stopped by the deadline. Threshold 3 (as problem set 2's Adam).

Workload functions run in the sandbox as well as here: module-level, using only np (and torch inside
the functions that need it, so that the numpy-only check does not import it).
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


def optimizer_inputs(gen, device, shapes, weight_decay, dtype="float32"):
    """Parameters and two gradients per parameter, and the optimizer's options."""
    import torch

    def draw():
        return [torch.from_numpy(gen.standard_normal(s, dtype=dtype)).to(device) for s in shapes]

    params, first, second = draw(), draw(), draw()
    return params, first, second, {"lr": 0.5, "rho": 0.9, "weight_decay": weight_decay}


def two_steps(factory, params, first, second, options):
    """The timed call: construct the optimizer, then step with each gradient in turn."""
    for p in params:
        p.requires_grad_(True)

    def run():
        optimizer = factory(params, **options)
        for p, g in zip(params, first, strict=True):
            p.grad = g
        optimizer.step()
        for p, g in zip(params, second, strict=True):
            p.grad = g
        optimizer.step()
        return params

    return run


def parameter_update(out, params, first, second, options):
    """What is compared: each parameter after the two steps minus before."""
    return [p.detach() - p0 for p, p0 in zip(out, params, strict=True)]


def torch_adadelta(params, **options):
    """torch.optim.Adadelta: foreach on CUDA, the per-parameter loop on CPU."""
    import torch

    return torch.optim.Adadelta(params, foreach=params[0].is_cuda, **options)


ADADELTA = Workload(name="torch.optim.Adadelta", inputs=optimizer_inputs, baseline=torch_adadelta,
                    setup=two_steps, result=parameter_update, output="params")
