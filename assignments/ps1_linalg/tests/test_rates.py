"""Public checks of problem 4, rates of convergence: the seminar's sequences (tasks 4 to 6).

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

from pathlib import Path

import numpy as np
import pytest
import sympy

from autograder.checks import PartialCredit, expect_type
from autograder.checks.plugin import import_file
from autograder.checks.symbolic import decide

pytestmark = pytest.mark.problem("rates")

returned_numbers = import_file("_ps1_linalg_returned_numbers", Path(__file__).parent / "returned_numbers.py")
as_float, as_sympy_number = returned_numbers.as_float, returned_numbers.as_sympy_number

K = sympy.Symbol("k", positive=True, integer=True)

SEMINAR = [  # (sequence as written, expression, class, linear convergence constant q)
    ("1/3^k", 1 / sympy.Integer(3) ** K, "linear", sympy.Rational(1, 3)),
    ("4/3^k", 4 / sympy.Integer(3) ** K, "linear", sympy.Rational(1, 3)),
    ("1/k^10", 1 / K**10, "sublinear", sympy.Integer(1)),
    ("0.707^k", sympy.Float(0.707) ** K, "linear", sympy.Rational(707, 1000)),
    ("0.707^(2^k)", sympy.Float(0.707) ** (2**K), "quadratic", sympy.Integer(0)),
    ("1/k^k", 1 / K**K, "superlinear", sympy.Integer(0)),
    ("1/3^(k^2)", 1 / sympy.Integer(3) ** (K**2), "superlinear", sympy.Integer(0)),
]
EXAMPLES = [  # from the statement
    ("(4/3)^k", sympy.Rational(4, 3) ** K, "divergent", None),
    ("(-1)^k/k", (-1) ** K / K, "sublinear", sympy.Integer(1)),
]


@pytest.mark.weight(3)
@pytest.mark.call_timeout(20)
def test_classify_seminar_sequences(student):
    """classify_rate: the seminar's sequences (tasks 4-6) and the statement's examples."""
    wrong = []
    for written, expr, expected, _q in SEMINAR + EXAMPLES:
        got = student.rates.classify_rate(expr, K)
        expect_type(got, str, f"classify_rate({written}, k)")
        if got != expected:
            wrong.append(f"classify_rate({written}, k) returned {got!r}; expected {expected!r}")
    if wrong:
        total = len(SEMINAR) + len(EXAMPLES)
        raise PartialCredit(1 - len(wrong) / total, "; ".join(wrong))


@pytest.mark.weight(2)
@pytest.mark.call_timeout(20)
def test_linear_constant_seminar_sequences(student):
    """linear_constant: 1/3^k, 4/3^k, 0.707^k, 1/k^10 and 1/k^k."""
    wrong = []
    cases = [case for case in SEMINAR if case[0] in ("1/3^k", "4/3^k", "0.707^k", "1/k^10", "1/k^k")]
    for written, expr, _class, expected in cases:
        got = student.rates.linear_constant(expr, K)
        number = as_sympy_number(got)
        if number is None:
            wrong.append(f"linear_constant({written}, k) returned {got!r}; expected the number "
                         f"{expected} (a sympy expression, an int or a float)")
            continue
        if not decide(close_to, number, expected, what=f"linear_constant({written}, k)"):
            wrong.append(f"linear_constant({written}, k) returned {got}; expected {expected}")
    if wrong:
        raise PartialCredit(1 - len(wrong) / len(cases), "; ".join(wrong))


def close_to(number, expected) -> bool:
    """|number - expected| <= 1e-12, evaluated to 30 digits (run under ``decide``: a student's
    expression may take forever to evaluate)."""
    difference = sympy.N(number - expected, 30)
    return bool(difference.is_real) and abs(float(difference)) <= 1e-12


def _terms(formula, n: int) -> np.ndarray:
    k = np.arange(1, n + 1, dtype=np.float64)
    return formula(k)


ESTIMATES = [  # (sequence, terms, q)
    ("4/3^k, 200 terms", _terms(lambda k: 4 * 3.0**-k, 200), 1 / 3),
    ("0.707^k, 500 terms", _terms(lambda k: 0.707**k, 500), 0.707),
    ("1/k^2, 5000 terms", _terms(lambda k: k**-2.0, 5000), 1.0),
]


@pytest.mark.weight(2)
def test_root_and_ratio_test_estimates(student):
    """root_test and ratio_test: q of 4/3^k, 0.707^k and 1/k^2 within 2%."""
    wrong, total = [], 0
    for function in ("root_test", "ratio_test"):
        for written, seq, q in ESTIMATES:
            total += 1
            returned = getattr(student.rates, function)(seq)
            got = as_float(returned)
            if got is None:
                expect_type(returned, float, f"{function}({written})")
            if not abs(got - q) <= 0.02 * q:
                wrong.append(f"{function}({written}) returned {got:.6g}; q = {q:.6g} (tolerance 2%)")
    if wrong:
        raise PartialCredit(1 - len(wrong) / total, "; ".join(wrong))


def test_convergence_order_estimates(student):
    """convergence_order: p = 1 for 0.707^k and p = 2 for 0.707^(2^k), within 0.1."""
    cases = [("0.707^k, 300 terms", _terms(lambda k: 0.707**k, 300), 1.0),
             ("0.707^(2^k), 10 terms", _terms(lambda k: 0.707 ** (2**k), 10), 2.0)]
    wrong = []
    for written, seq, p in cases:
        returned = student.rates.convergence_order(seq)
        got = as_float(returned)
        if got is None:
            expect_type(returned, float, f"convergence_order({written})")
        if not abs(got - p) <= 0.1:
            wrong.append(f"convergence_order({written}) returned {got:.6g}; p = {p:g} (tolerance 0.1)")
    if wrong:
        raise PartialCredit(1 - len(wrong) / len(cases), "; ".join(wrong))
