"""Hidden checks of problem 3, trace identities: inner products, traces of chains, the sum of forms.

Expected values are computed here in float64 from the exact inputs (a float32 input is exact in
float64). Tolerances are the statement's: 10 sqrt(mn) eps ||A||_F ||B||_F for <A, B> and
10 k D eps ||A_1||_F ... ||A_k||_F for tr(A_1 ... A_k), eps the machine epsilon of the inputs' dtype.
A few inputs are so wide or tall that the products the statement says not to form do not fit in
memory: they judge the method through the value, not through a timing. Messages name the kind of
input, never its entries, shapes or expected values, and never repeat what the student's code
returned (a value, a dtype, a symbol's name: text it chooses).
"""

from functools import reduce
from pathlib import Path

import numpy as np
import pytest
import sympy

from autograder.checks import StudentCrashed, StudentException, expect_type
from autograder.checks.plugin import import_file
from autograder.checks.symbolic import decide

pytestmark = pytest.mark.problem("trace")

count_value_errors = import_file("_ps1_linalg_value_error_cases",
                                 Path(__file__).with_name("value_error_cases.py")).count_value_errors


# ---------------------------------------------------------------------------- scalars and tolerances


SCALAR_SHAPES = ((), (1,))  # see as_float


def as_float(value, what: str) -> float:
    """A returned scalar as a float: a Python float (numpy scalars arrive as one), a 0-d numpy
    array or a 0-d torch tensor (on any device)."""
    # A 0-d array or tensor currently crosses the sandbox wire as shape (1,) (wire._add_array uses
    # np.ascontiguousarray, which makes 0-d arrays 1-d): accept both shapes until the engine keeps ().
    if type(value) is np.ndarray and value.shape in SCALAR_SHAPES and value.dtype.kind == "f":
        value = float(value.reshape(-1)[0])
    elif type(value).__module__ == "torch" and type(value).__name__ == "Tensor":
        if tuple(value.shape) not in SCALAR_SHAPES or not value.is_floating_point():
            raise AssertionError(f"{what} returned a tensor that is not a 0-d float tensor; "
                                 f"expected a float (or a 0-d float tensor)")
        value = float(value.detach().cpu().reshape(-1)[0])
    expect_type(value, float, what)
    if not np.isfinite(value):
        raise AssertionError(f"{what} returned a value that is not finite; expected a finite number")
    return value


def numpy_of(x) -> np.ndarray:
    """A float64 numpy copy of an array or tensor (exact for float32)."""
    if type(x).__module__ == "torch":
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def eps_of(x) -> float:
    return 1.1920928955078125e-07 if "float32" in str(x.dtype) else 2.220446049250313e-16


def inner_tolerance(a, b) -> float:
    m, n = a.shape
    return 10 * np.sqrt(m * n) * eps_of(a) * np.linalg.norm(numpy_of(a)) * np.linalg.norm(numpy_of(b))


def product_tolerance(mats) -> float:
    largest = max(max(a.shape) for a in mats)
    norms = float(np.prod([np.linalg.norm(numpy_of(a)) for a in mats]))
    return 10 * len(mats) * largest * eps_of(mats[0]) * norms


def judge(value, expected: float, tol: float, scale: float, what: str, hint: str) -> None:
    value = as_float(value, what)
    if abs(value - expected) > tol:
        raise AssertionError(
            f"{what} is off by {abs(value - expected) / scale:.2g} times the product of the "
            f"inputs' Frobenius norms, more than the tolerance {tol / scale:.2g}; {hint}")


def on_cuda(call):
    """``call()`` with CUDA inputs; None when the sandbox cannot take CUDA tensors (no GPU in the
    child), so that the grading machine's limits never cost the student points."""
    try:
        return call()
    except StudentCrashed as exc:
        if "cannot build tensor" in exc.message:
            return None
        raise


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


# ---------------------------------------------------------------------------- trace_inner

INNER_HINT = "<A, B> = tr(A^T B) is the sum over i, j of A_ij B_ij"


def judge_inner(student, a, b, what: str) -> None:
    expected = float(np.sum(numpy_of(a) * numpy_of(b)))
    scale = float(np.linalg.norm(numpy_of(a)) * np.linalg.norm(numpy_of(b))) or 1.0
    judge(student.trace.trace_inner(a, b), expected, inner_tolerance(a, b), scale,
          f"trace_inner on {what}", INNER_HINT)


def random_pairs(rng: np.random.Generator, shapes, dtype=np.float64):
    for m, n in shapes:
        yield (rng.standard_normal((m, n)).astype(dtype), rng.standard_normal((m, n)).astype(dtype))


def test_trace_inner_float64(student, rng):
    """trace_inner: random float64 pairs (square, tall, wide, 1 x 1, large)."""
    shapes = [(1, 1), (6, 6), (30, 4), (3, 50), (1, 40), (200, 300)]
    for (a, b), kind in zip(random_pairs(rng, shapes), ("1 x 1", "square", "tall", "wide",
                                                         "one-row", "large"), strict=True):
        judge_inner(student, a, b, f"a random {kind} float64 pair")
    a = rng.uniform(1.0, 2.0, size=(40, 40)) * 1e8
    judge_inner(student, a, rng.uniform(-1.0, 1.0, size=(40, 40)) * 1e-9,
                "a pair of very different scales")


def test_trace_inner_float32(student, rng):
    """trace_inner: random float32 pairs."""
    for (a, b), kind in zip(random_pairs(rng, [(6, 9), (40, 40), (1, 30)], np.float32),
                            ("", "square ", "one-row "), strict=True):
        judge_inner(student, a, b, f"a random {kind}float32 pair")


# The first call that ships a torch tensor makes the sandboxed child import torch (several seconds on
# a loaded machine, close to the default 10 s limit per call): allow for it.
@pytest.mark.call_timeout(60)
def test_trace_inner_torch(student, rng):
    """trace_inner: torch tensors, float64 and float32, on the CPU (and on CUDA where there is one)."""
    import torch

    pairs = [(torch.from_numpy(a), torch.from_numpy(b)) for a, b in random_pairs(rng, [(8, 5)])]
    pairs += [(torch.from_numpy(a), torch.from_numpy(b))
              for a, b in random_pairs(rng, [(20, 30)], np.float32)]
    for a, b in pairs:
        judge_inner(student, a, b, f"random {a.dtype} CPU tensors")
    if cuda_available():
        for a, b in pairs:
            ca, cb = a.cuda(), b.cuda()
            value = on_cuda(lambda ca=ca, cb=cb: student.trace.trace_inner(ca, cb))
            if value is not None:
                scale = float(np.linalg.norm(numpy_of(a)) * np.linalg.norm(numpy_of(b)))
                judge(value, float(np.sum(numpy_of(a) * numpy_of(b))), inner_tolerance(a, b), scale,
                      f"trace_inner on random {a.dtype} CUDA tensors", INNER_HINT)


def test_trace_inner_wide_and_tall(student, rng):
    """trace_inner: a very wide and a very tall pair, whose A^T B or A B^T would not fit in memory."""
    size = int(rng.integers(300_000, 400_000))
    for shape, kind in (((2, size), "wide"), ((size, 2), "tall")):
        a, b = rng.standard_normal(shape), rng.standard_normal(shape)
        try:
            judge_inner(student, a, b, f"a very {kind} pair")
        except StudentException as exc:
            if not exc.is_instance_of(MemoryError):
                raise
            raise AssertionError(
                f"trace_inner ran out of memory on a very {kind} pair, where A^T B or A B^T has "
                f"over 10^10 entries: sum the entrywise products A_ij B_ij instead of forming a "
                f"matrix product (O(mn) operations and no extra memory)") from None


def test_trace_inner_rejects_bad_shapes(student, rng):
    """trace_inner: pairs of different shapes, or not 2-D, raise ValueError."""
    trace_inner = student.trace.trace_inner
    cases = [
        ("a 2 x 3 and a 3 x 2 matrix", (rng.standard_normal((2, 3)), rng.standard_normal((3, 2)))),
        ("a 3 x 1 and a 1 x 3 matrix (which broadcasting would combine)",
         (rng.standard_normal((3, 1)), rng.standard_normal((1, 3)))),
        ("two 1-D vectors", (rng.standard_normal(4), rng.standard_normal(4))),
    ]
    count_value_errors([(d, lambda args=args: trace_inner(*args)) for d, args in cases],
                        "trace_inner")


# ---------------------------------------------------------------------------- trace_of_product

PRODUCT_HINT = ("the trace is invariant under cyclic rotations of the factors only (not under "
                "reversal or other reorderings), and tr(XY) = sum_ij X_ij Y_ji")


def random_cycle(rng: np.random.Generator, k: int, high: int = 12, dtype=np.float64) -> list:
    """k random factors A_1 ... A_k whose product is square."""
    d = [int(v) for v in rng.integers(1, high + 1, size=k)]
    return [rng.standard_normal((d[i], d[(i + 1) % k])).astype(dtype) for i in range(k)]


def cheap_trace(mats) -> float:
    """tr(A_1 ... A_k) in float64: rotate so that the chain starts at its smallest dimension, then
    multiply left to right (every partial product then has that few rows)."""
    mats = [numpy_of(a) for a in mats]
    start = int(np.argmin([a.shape[0] for a in mats]))
    rotated = mats[start:] + mats[:start]
    return float(np.trace(reduce(np.matmul, rotated)))


def judge_product(student, mats, what: str, expected: float | None = None) -> None:
    expected = cheap_trace(mats) if expected is None else expected
    scale = float(np.prod([np.linalg.norm(numpy_of(a)) for a in mats])) or 1.0
    judge(student.trace.trace_of_product(mats), expected, product_tolerance(mats), scale,
          f"trace_of_product on {what}", PRODUCT_HINT)


@pytest.mark.weight(2)
def test_trace_of_product_random_chains(student, rng):
    """trace_of_product: random rectangular chains of 1 to 6 float64 factors."""
    for k in (1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6):
        mats = random_cycle(rng, k)
        expected = float(np.trace(reduce(np.matmul, mats)))
        judge_product(student, mats, f"a random chain of {k} factor(s)", expected)
    mats = [rng.standard_normal((7, 7)) for _ in range(4)]
    judge_product(student, mats, "a random chain of 4 square factors",
                  float(np.trace(reduce(np.matmul, mats))))
    judge_product(student, tuple(random_cycle(rng, 3)), "a random chain of 3 factors given as a tuple")


def large_small_cycle(rng: np.random.Generator, k: int, size: int) -> list[tuple[int, int]]:
    """The shapes of k factors around a cycle of dimensions where two to k // 2 of them, never
    neighbours, are ``size`` and the others 1 to 6: every matrix with two large dimensions (a
    product over the wrong arc, or in the wrong order inside an arc) has over 10^10 entries, while
    rotating to a small dimension and multiplying from there keeps every product small."""
    large = set()
    while len(large) < 2:
        large = {int(i) for i in rng.choice(k, size=int(rng.integers(2, k // 2 + 1)), replace=False)}
        large = {i for i in large if (i + 1) % k not in large and (i - 1) % k not in large}
    d = [size if i in large else int(rng.integers(1, 7)) for i in range(k)]
    return [(d[i], d[(i + 1) % k]) for i in range(k)]


@pytest.mark.weight(2)
def test_trace_of_product_cheap_rotation(student, rng):
    """trace_of_product: chains whose product in the given order would not fit in memory."""
    size = int(rng.integers(200_000, 300_000))
    chains = [
        [(size, 2), (2, size)],
        [(size, 3), (3, 4), (4, size)],
        [(size, 4), (4, size), (size, 3), (3, size)],
        [(size, 2), (2, 3), (3, 5), (5, size)],
        [(size, 5), (5, 6), (6, size), (size, 2), (2, 4), (4, size)],
        [(size, 6), (6, size), (size, 1), (1, 3), (3, size)],  # a wrong split cost forms size x size
    ]
    # Random cycles with a smaller large dimension (a matrix with two of them, over 7 GB, is still
    # refused by the sandbox's 4 GiB limit), so that many fit in one check.
    chains += [large_small_cycle(rng, int(k), int(rng.integers(30_000, 40_000)))
               for k in rng.integers(4, 10, size=16)]
    for shapes in chains:
        mats = [rng.standard_normal(shape) for shape in shapes]
        what = f"a chain of {len(mats)} factors with a small inner dimension"
        try:
            judge_product(student, mats, what)
        except StudentException as exc:
            if not exc.is_instance_of(MemoryError):
                raise
            raise AssertionError(
                f"trace_of_product ran out of memory on {what}, whose product in the given order "
                f"has over 10^10 entries: rotate the chain so that the matrices you form stay "
                f"small (tr(AB) = tr(BA))") from None


def test_trace_of_product_float32(student, rng):
    """trace_of_product: random chains of float32 numpy factors."""
    for k in (2, 3, 5):
        judge_product(student, random_cycle(rng, k, dtype=np.float32),
                      f"a random chain of {k} float32 factors")


@pytest.mark.call_timeout(60)  # torch may be imported in the child here: see test_trace_inner_torch
def test_trace_of_product_torch(student, rng):
    """trace_of_product: torch chains, float64 and float32, on the CPU (and CUDA where there is one)."""
    import torch

    chains = [[torch.from_numpy(a) for a in random_cycle(rng, 4)],
              [torch.from_numpy(a) for a in random_cycle(rng, 3, dtype=np.float32)]]
    for mats in chains:
        judge_product(student, mats, f"a random chain of {len(mats)} {mats[0].dtype} CPU tensors")
    if cuda_available():
        for mats in chains:
            on_device = [a.cuda() for a in mats]
            value = on_cuda(lambda on_device=on_device: student.trace.trace_of_product(on_device))
            if value is not None:
                scale = float(np.prod([np.linalg.norm(numpy_of(a)) for a in mats]))
                judge(value, cheap_trace(mats), product_tolerance(mats), scale,
                      f"trace_of_product on a random chain of {mats[0].dtype} CUDA tensors",
                      PRODUCT_HINT)


@pytest.mark.call_timeout(60)  # torch may be imported in the child here: see test_trace_inner_torch
def test_trace_of_product_rejects_bad_chains(student, rng):
    """trace_of_product: an empty list, mismatched or non-2-D factors, a non-square product."""
    import torch

    trace_of_product = student.trace.trace_of_product
    cases = [
        ("an empty list", []),
        ("a single non-square matrix", [rng.standard_normal((3, 4))]),
        ("two factors whose product is not square", [rng.standard_normal((2, 3)),
                                                     rng.standard_normal((3, 4))]),
        ("neighbouring factors whose shapes do not match",
         [rng.standard_normal((2, 3)), rng.standard_normal((4, 5)), rng.standard_normal((5, 2))]),
        ("a chain whose last two factors do not match (though the product's ends do)",
         [rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((5, 2))]),
        ("torch factors whose last two shapes do not match (torch's @ raises RuntimeError)",
         [torch.from_numpy(rng.standard_normal(shape)) for shape in ((2, 3), (3, 4), (5, 2))]),
        ("a chain with a 1-D factor", [rng.standard_normal((3, 3)), rng.standard_normal(3)]),
    ]
    count_value_errors([(d, lambda mats=mats: trace_of_product(mats)) for d, mats in cases],
                        "trace_of_product")


# ---------------------------------------------------------------------------- QUADRATIC_FORM_SUM

_MAX_OPERATIONS = 200  # simplify on a larger expression could stall the grader


@pytest.mark.weight(3)
def test_quadratic_form_sum(student):
    """QUADRATIC_FORM_SUM: the simplified sum of <S^-1 a_i, a_i>."""
    value = student.trace.QUADRATIC_FORM_SUM
    assert isinstance(value, sympy.Basic), (
        f"QUADRATIC_FORM_SUM is of type {type(value).__name__}; set it to a sympy expression in the "
        f"symbol n defined in trace.py")
    problem = decide(quadratic_form_sum_problem, value, timeout=20, what="QUADRATIC_FORM_SUM")
    assert not problem, problem


def quadratic_form_sum_problem(value) -> str:
    """What is wrong with QUADRATIC_FORM_SUM, or "" if it is the simplified sum n; run under
    ``decide``, since ``doit`` and ``simplify`` on a student's tree can take forever."""
    plain = sympy.Symbol("n")
    value = value.xreplace({s: plain for s in value.atoms(sympy.Symbol) if s.name == "n"})
    if sympy.count_ops(value) > _MAX_OPERATIONS:
        return f"QUADRATIC_FORM_SUM has more than {_MAX_OPERATIONS} operations; simplify it first"
    value = value.doit()
    if isinstance(value, sympy.MatrixBase | sympy.MatrixExpr):
        return "QUADRATIC_FORM_SUM is a matrix expression; the sum is a number (take the trace)"
    if value.free_symbols - {plain}:
        return "QUADRATIC_FORM_SUM involves symbols other than n; the simplified sum depends on n alone"
    if sympy.simplify(value - plain) != 0:
        return ("QUADRATIC_FORM_SUM is not the simplified sum: write each term <S^-1 a_i, a_i> as the "
                "trace of S^-1 a_i a_i^T, add them up, and use what you know about S")
    return ""
