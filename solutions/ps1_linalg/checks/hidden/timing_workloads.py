"""Workloads of problem set 1's timing checks (the [[timing]] entries of problemset.toml).

Each check times the student's function against a trusted baseline that evaluates in the expensive
order, interleaved in the sandbox on fresh random inputs (every output checked), and passes when the
median of the student's times is at most ``threshold`` times the baseline's median. On one CPU thread
of the 2-core grading machine the cheap way takes about 0.03x (chain), 0.11x (inner product) and
0.007x (trace of a product) of the baseline's time, the expensive way about 1x; the thresholds
(0.1, 0.3, 0.1, in the manifest) sit in between with a margin of 2.5x or more on both sides, measured
with the other core busy by benchmarks/timing_checks.py.

Workload functions run in the sandbox as well as here: module-level, using only np (and torch inside
the function where it is needed).
"""

from autograder.timing import Workload

# ---------------------------------------------------------------------------- matrix chain


def chain_inputs(gen, device, n, dtype="float64", framework="numpy"):
    """A1 A2 A3 x with dense n x n matrices: the arguments of chain_product([A1, A2, A3, x])."""
    mats = [gen.random((n, n)) - 0.5 for _ in range(3)] + [gen.random(n) - 0.5]
    mats = [m.astype(dtype) for m in mats]
    if framework == "torch":
        import torch

        mats = [torch.from_numpy(m).to(device) for m in mats]
    return (mats,)


def left_to_right(mats):
    """((A1 A2) A3) x: two matrix-matrix products, O(n^3)."""
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out


def right_to_left(mats):
    """A1 (A2 (A3 x)): three matrix-vector products, O(n^2)."""
    out = mats[-1]
    for m in reversed(mats[:-1]):
        out = m @ out
    return out


CHAIN = Workload(name="left-to-right evaluation", inputs=chain_inputs, baseline=left_to_right,
                 best=right_to_left, best_name="right to left (optimal)")


def split_chain_inputs(gen, device, n, r, dtype="float64", framework="numpy"):
    """A B C D with A, D dense n x n, B n x r and C r x n (r << n): the arguments of
    chain_product([A, B, C, D]). Neither fixed order is cheap here: left to right, ((A B) C) D,
    and right to left, A (B (C D)), both end with an n x n by n x n product (n^3), while the
    optimal order (A B)(C D) costs 3 n^2 r. On A1 A2 A3 x (CHAIN) right to left is optimal, so
    code that ignores its optimal order and always multiplies right to left passes that check."""
    shapes = ((n, n), (n, r), (r, n), (n, n))
    mats = [(gen.random(shape) - 0.5).astype(dtype) for shape in shapes]
    if framework == "torch":
        import torch

        mats = [torch.from_numpy(m).to(device) for m in mats]
    return (mats,)


def split_in_the_middle(mats):
    """(A B)(C D): three products of cost n^2 r each."""
    A, B, C, D = mats
    return (A @ B) @ (C @ D)


CHAIN_SPLIT = Workload(name="left-to-right evaluation of A B C D", inputs=split_chain_inputs,
                       baseline=left_to_right, best=split_in_the_middle,
                       best_name="(A B)(C D) (optimal)")


# ---------------------------------------------------------------------------- trace identities


def inner_inputs(gen, device, n, dtype="float64", framework="numpy"):
    """A, B square n x n: forming A^T B costs n^3, the inner product n^2."""
    pair = [(gen.random((n, n)) - 0.5).astype(dtype) for _ in range(2)]
    if framework == "torch":
        import torch

        pair = [torch.from_numpy(m).to(device) for m in pair]
    return tuple(pair)


def trace_of_gram(A, B):
    """tr(A^T B) by forming the n x n product."""
    return (A.T @ B).trace()


def elementwise_sum(A, B):
    """sum_ij A_ij B_ij."""
    return (A * B).sum()


INNER = Workload(name="trace(A.T @ B)", inputs=inner_inputs, baseline=trace_of_gram,
                 best=elementwise_sum, best_name="sum(A * B)", output="scalar")



def cycle_inputs(gen, device, N, r, dtype="float64", framework="numpy"):
    """X (N x r), Y (r x r), Z (r x N): in the given order the product is N x N; rotated, r x r."""
    mats = [(gen.random(shape) - 0.5).astype(dtype) for shape in ((N, r), (r, r), (r, N))]
    if framework == "torch":
        import torch

        mats = [torch.from_numpy(m).to(device) for m in mats]
    return (mats,)


def trace_in_given_order(mats):
    """tr(((X Y) Z)): forms the N x N product."""
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out.trace()


def trace_rotated(mats):
    """tr(Z (X Y)) = tr(X Y Z): an r x r product."""
    X, Y, Z = mats
    return (Z @ (X @ Y)).trace()


CYCLE = Workload(name="the product in the given order", inputs=cycle_inputs,
                 baseline=trace_in_given_order, best=trace_rotated, best_name="rotated (r x r)",
                 output="scalar")
