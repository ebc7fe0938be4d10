"""Public checks of problem 3, trace identities: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest
import sympy

from autograder.checks import expect_type, student_raises
from autograder.checks.symbolic import decide

pytestmark = pytest.mark.problem("trace")


SCALAR_SHAPES = ((), (1,))  # see as_float


def as_float(value, what: str) -> float:
    """A returned scalar as a float: a Python float (numpy scalars arrive as one), a 0-d numpy
    array or a 0-d torch tensor."""
    # A 0-d array or tensor currently crosses the sandbox wire as shape (1,) (wire._add_array uses
    # np.ascontiguousarray, which makes 0-d arrays 1-d): accept both shapes until the engine keeps ().
    if type(value) is np.ndarray and value.shape in SCALAR_SHAPES and value.dtype.kind == "f":
        return float(value.reshape(-1)[0])
    if type(value).__module__ == "torch" and type(value).__name__ == "Tensor":
        if tuple(value.shape) in SCALAR_SHAPES and value.is_floating_point():
            return float(value.detach().cpu().reshape(-1)[0])
        raise AssertionError(f"{what} returned a tensor of shape {tuple(value.shape)} and dtype "
                             f"{value.dtype}; expected a float (or a 0-d floating tensor)")
    expect_type(value, float, what)
    return value


def inner_tolerance(a: np.ndarray, b: np.ndarray) -> float:
    """The statement's tolerance for <A, B>: 10 sqrt(m n) eps ||A||_F ||B||_F."""
    m, n = a.shape
    return 10 * np.sqrt(m * n) * np.finfo(a.dtype).eps * np.linalg.norm(a) * np.linalg.norm(b)


def product_tolerance(mats: list[np.ndarray]) -> float:
    """The statement's tolerance for tr(A_1 ... A_k): 10 k D eps ||A_1||_F ... ||A_k||_F."""
    largest = max(max(a.shape) for a in mats)
    norms = np.prod([np.linalg.norm(a) for a in mats])
    return 10 * len(mats) * largest * np.finfo(mats[0].dtype).eps * norms


def test_trace_inner_worked_example(student):
    """trace_inner: <[[1, 2], [3, 4]], [[5, 6], [7, 8]]> = 70."""
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[5.0, 6.0], [7.0, 8.0]])
    value = as_float(student.trace.trace_inner(a, b), "trace_inner(A, B)")
    assert abs(value - 70.0) <= inner_tolerance(a, b), (
        f"trace_inner([[1, 2], [3, 4]], [[5, 6], [7, 8]]) returned {value!r}; expected "
        f"1*5 + 2*6 + 3*7 + 4*8 = 70 (tr(A^T B) is the sum of the entrywise products)")


# The first call that ships a torch tensor makes the sandboxed child import torch (several seconds on
# a loaded machine, close to the default 10 s limit per call): allow for it.
@pytest.mark.call_timeout(60)
def test_trace_inner_torch(student):
    """trace_inner: the worked example as float64 torch tensors on the CPU."""
    torch = pytest.importorskip("torch")
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    b = torch.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=torch.float64)
    value = as_float(student.trace.trace_inner(a, b), "trace_inner(A, B) on torch tensors")
    assert abs(value - 70.0) <= inner_tolerance(a.numpy(), b.numpy()), (
        f"trace_inner on the worked example as torch tensors returned {value!r}; expected 70")


def test_trace_of_product_worked_example(student):
    """trace_of_product: tr(AB) = tr(BA) = 16 for A 3 x 2 and B 2 x 3, and a chain of three."""
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    value = as_float(student.trace.trace_of_product([a, b]), "trace_of_product([A, B])")
    assert abs(value - 16.0) <= product_tolerance([a, b]), (
        f"trace_of_product([A, B]) on the worked example returned {value!r}; expected 16: "
        f"BA = [[6, 8], [8, 10]] has trace 16, and so has the 3 x 3 product AB")
    chain = [np.ones((3, 2)), np.ones((2, 4)), np.ones((4, 3))]
    value = as_float(student.trace.trace_of_product(chain), "trace_of_product(mats)")
    assert abs(value - 24.0) <= product_tolerance(chain), (
        f"trace_of_product on ones of shapes 3 x 2, 2 x 4, 4 x 3 returned {value!r}; expected 24 "
        f"(the product is the 3 x 3 matrix of 8s)")


def test_trace_of_product_not_square(student):
    """trace_of_product: a product that is not square raises ValueError."""
    with student_raises(ValueError, "trace_of_product on factors of shapes 3 x 4 and 4 x 5"):
        student.trace.trace_of_product([np.ones((3, 4)), np.ones((4, 5))])


def test_quadratic_form_sum_is_an_expression_in_n(student):
    """QUADRATIC_FORM_SUM is a sympy expression whose only symbol is n."""
    value = student.trace.QUADRATIC_FORM_SUM
    assert isinstance(value, sympy.Basic), (
        f"QUADRATIC_FORM_SUM is of type {type(value).__name__}; set it to a sympy expression in the "
        f"symbol n defined in trace.py")
    others = decide(other_symbols, value, what="QUADRATIC_FORM_SUM")
    assert not others, (
        f"QUADRATIC_FORM_SUM should be a scalar expression in n alone; it involves "
        f"{', '.join(others)} (this check does not say whether the answer is right)")


def other_symbols(value) -> list[str]:
    """What, besides n, the expression involves ("a matrix" if it is one); run under ``decide``."""
    plain = sympy.Symbol("n")
    value = value.xreplace({s: plain for s in value.atoms(sympy.Symbol) if s.name == "n"}).doit()
    if isinstance(value, sympy.MatrixBase | sympy.MatrixExpr):
        return ["a matrix"]
    return sorted(str(s) for s in value.free_symbols if s != plain)
