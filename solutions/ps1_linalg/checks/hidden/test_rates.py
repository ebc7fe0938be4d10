"""Hidden checks of problem 4, rates of convergence: batteries of sequences with random parameters.

Every sequence is built from a family whose class and constant are known by construction (the
comments give the argument), with random rational parameters, from the sympy classes the sandbox
lets through. Each family was chosen so that sympy decides it quickly by the ratio test, and by the
root test as well wherever the ratio test applies (sympy's root-test limits are wrong on some
factorial sequences, e.g. 3**k / k!: those are left out). Quadratic convergence is the inequality
r_{k+1} <= C r_k^2, decided by lim r_{k+1} / r_k^2 (which exists for every sequence here).

Batteries give partial credit per sequence. Messages name the family of a failing sequence (as
"What is checked" in the statement does), never its parameters or the expected answer, and repeat
what the student's code returned only as one of the five class names or as a distance to the answer.
"""

from pathlib import Path

import numpy as np
import pytest
import sympy

from autograder.checks import BadValue, PartialCredit, StudentException
from autograder.checks.plugin import import_file
from autograder.checks.symbolic import decide

pytestmark = pytest.mark.problem("rates")

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
returned_numbers = import_file("_ps1_linalg_returned_numbers", PUBLIC / "returned_numbers.py")
as_float, as_sympy_number = returned_numbers.as_float, returned_numbers.as_sympy_number

K = sympy.Symbol("k", positive=True, integer=True)
CLASSES = ("divergent", "sublinear", "linear", "superlinear", "quadratic")
Q_RTOL = 0.02  # root_test, ratio_test: relative tolerance on q > 0
Q_ZERO = 0.05  # root_test, ratio_test: the largest estimate accepted for q = 0
P_ATOL = 0.1  # convergence_order: absolute tolerance on p
EXACT_ATOL = 1e-12  # linear_constant


# ---------------------------------------------------------------------------- random parameters


def rational(rng, low: int, high: int) -> sympy.Rational:
    """A fraction a / b with low <= a < b <= high (so 0 < q < 1), in lowest terms."""
    b = int(rng.integers(low + 1, high + 1))
    a = int(rng.integers(low, b))
    return sympy.Rational(a, b)


def constant(rng) -> sympy.Rational:
    """A positive factor c = a / b with a, b in 1..9."""
    return sympy.Rational(int(rng.integers(1, 10)), int(rng.integers(1, 10)))


def power(rng, choices=(1, 2, 3)) -> int:
    return int(rng.choice(choices))


def decimal(rng, low: float = 0.1, high: float = 0.95) -> tuple[sympy.Float, sympy.Rational]:
    """A float with three decimals (as a student would type 0.707), and its exact value."""
    thousandths = int(rng.integers(int(low * 1000), int(high * 1000) + 1))
    return sympy.Float(thousandths / 1000), sympy.Rational(thousandths, 1000)


# ---------------------------------------------------------------------------- batteries of sequences
# Each returns (description, expression, class, q); q is the linear convergence constant (None for
# divergent sequences).


def divergent_sequences(rng):
    q = rational(rng, 1, 9)
    c = constant(rng)
    return [
        ("c (b/a)^k with b > a", c / q**K, "divergent", None),  # ratio 1/q > 1
        ("(-b/a)^k with b > a", (-1 / q) ** K, "divergent", None),  # |ratio| 1/q > 1
        ("c + 1/k^p", c + 1 / K ** power(rng), "divergent", None),  # tends to c != 0
        ("(1 + c/k)^k", (1 + c / K) ** K, "divergent", None),  # tends to exp(c)
        ("c (-1)^k", c * (-1) ** K, "divergent", None),  # |r_k| = c
        ("k^p / c", K ** power(rng) / c, "divergent", None),  # tends to infinity
        ("c + cos(k) with c > 1", 1 + c + sympy.cos(K), "divergent", None),  # |r_k| >= c > 0
        ("(-1)^k (1 + c / k)", (-1) ** K * (1 + c / K), "divergent", None),  # |r_k| -> 1
    ]


def sublinear_sequences(rng):
    c = constant(rng)
    p = sympy.Rational(int(rng.integers(1, 4)), int(rng.integers(1, 3)))
    return [  # ratio -> 1 and r_k -> 0 for each
        ("c / k^p", c / K**p, "sublinear", 1),
        ("1 / k^10", K**-10, "sublinear", 1),
        ("c log(k) / k^p", c * sympy.log(K) / K**p, "sublinear", 1),
        ("1 / log(k + 1)^p", 1 / sympy.log(K + 1) ** power(rng), "sublinear", 1),
        ("exp(-k^s) with 0 < s < 1", sympy.exp(-(K ** rational(rng, 1, 4))), "sublinear", 1),
        ("k^p exp(-sqrt(k))", K ** power(rng) * sympy.exp(-sympy.sqrt(K)), "sublinear", 1),
        ("sin(c / k)", sympy.sin(c / K), "sublinear", 1),
        ("(c + cos(k)) / k with c > 1", (1 + c + sympy.cos(K)) / K, "sublinear", 1),
        ("c / (k^2 + m)", c / (K**2 + int(rng.integers(1, 10))), "sublinear", 1),
    ]


def linear_sequences(rng):
    q1, q2, q3, q4, q5 = (rational(rng, 1, 12) for _ in range(5))
    c = constant(rng)
    a = int(rng.integers(2, 6))
    b = a + int(rng.integers(1, 5))
    s = int(rng.integers(1, 4))
    return [  # lim |r_{k+1} / r_k| = q in (0, 1) for each
        ("c q^k", c * q1**K, "linear", q1),
        ("c k^p q^k", c * K ** power(rng) * q2**K, "linear", q2),
        ("q^k / k^p", q3**K / K ** power(rng), "linear", q3),
        ("log(k) q^k", sympy.log(K) * q4**K, "linear", q4),
        ("exp(-s k)", sympy.exp(-s * K), "linear", sympy.exp(-s)),
        ("(a^k + 1) / b^k with a < b", (sympy.Integer(a) ** K + 1) / sympy.Integer(b) ** K, "linear",
         sympy.Rational(a, b)),
        ("q^(k / 2)", q5 ** (K / 2), "linear", sympy.sqrt(q5)),
        ("q^(k + m)", q1 ** (K + int(rng.integers(1, 5))), "linear", q1),
    ]


def root_test_sequences(rng):
    q1, q2 = rational(rng, 1, 12), rational(rng, 1, 12)
    c1, c2 = 1 + constant(rng), 1 + constant(rng)
    return [  # the ratio oscillates (no limit); the root test gives q
        ("(c + sin(k)) q^k with c > 1", (c1 + sympy.sin(K)) * q1**K, "linear", q1),
        ("(c + cos(k)) q^k / k with c > 1", (c2 + sympy.cos(K)) * q2**K / K, "linear", q2),
    ]


def superlinear_sequences(rng):
    q1, q2, q3, q4 = (rational(rng, 1, 9) for _ in range(4))
    c = constant(rng)
    p = sympy.Rational(int(rng.integers(5, 8)), 4)  # 5/4, 3/2 or 7/4
    return [  # ratio -> 0 and r_{k+1} / r_k^2 -> oo for each
        ("c / k^k", c / K**K, "superlinear", 0),
        ("q^(k^2)", q1 ** (K**2), "superlinear", 0),
        ("c exp(-k^2)", c * sympy.exp(-(K**2)), "superlinear", 0),
        ("q^(k^(3/2))", q2 ** (K ** sympy.Rational(3, 2)), "superlinear", 0),
        ("q^(k^3)", q3 ** (K**3), "superlinear", 0),
        ("k^(-k/2)", K ** (-K / 2), "superlinear", 0),
        ("q^(p^k) with 1 < p < 2 (order p)", q4 ** (p**K), "superlinear", 0),
        ("k^p q^(k^2)", K ** power(rng) * q1 ** (K**2), "superlinear", 0),
    ]


def quadratic_sequences(rng):
    q1, q2, q3, q4, q5 = (rational(rng, 1, 9) for _ in range(5))
    c = constant(rng)
    return [  # lim r_{k+1} / r_k^2 is finite for each; the order is exactly 2
        ("c q^(2^k)", c * q1 ** (2**K), "quadratic", 0),  # limit 1/c
        ("q^(2^k)", q2 ** (2**K), "quadratic", 0),  # limit 1
        ("k^p q^(2^k)", K ** power(rng) * q3 ** (2**K), "quadratic", 0),  # limit 0
        ("2^k q^(2^k)", 2**K * q4 ** (2**K), "quadratic", 0),  # limit 0
        ("exp(-c 2^k)", sympy.exp(-c * 2**K), "quadratic", 0),  # limit 1
        ("q^(2^k - k)", q5 ** (2**K - K), "quadratic", 0),  # limit q^(k - 1) -> 0
    ]


def faster_than_quadratic_sequences(rng):
    q1, q2, q3, q4, q5 = (rational(rng, 1, 9) for _ in range(5))
    c = constant(rng)
    # Order above 2: r_{k+1} / r_k^2 -> 0, so r_{k+1} <= C r_k^2 holds: quadratic ("or faster").
    return [
        ("q^(3^k) (order 3)", q1 ** (3**K), "quadratic", 0),  # q^(3^k) -> 0
        ("c q^(4^k) (order 4)", c * q2 ** (4**K), "quadratic", 0),  # q^(2 4^k) / c -> 0
        ("exp(-c 3^k) (order 3)", sympy.exp(-c * 3**K), "quadratic", 0),  # exp(-c 3^k) -> 0
        ("k^p q^(3^k) (order 3)", K ** power(rng) * q3 ** (3**K), "quadratic", 0),
        ("q^(3^k) / k^p (order 3)", q4 ** (3**K) / K ** power(rng), "quadratic", 0),
        ("q^(k^2 3^k)", q5 ** (K**2 * 3**K), "quadratic", 0),  # exponent ratio -> 3 (k+1)^2 / k^2
    ]


def log_ratio_traps(rng):
    q1, q2, q3 = (rational(rng, 1, 9) for _ in range(3))
    c = constant(rng)
    # log r_{k+1} / log r_k -> 2 for each, yet r_{k+1} / r_k^2 -> oo: superlinear, not quadratic.
    return [
        ("q^(2^k) / k^p", q1 ** (2**K) / K ** power(rng), "superlinear", 0),  # limit k^2p/(k+1)^p
        ("q^(2^k + k)", q2 ** (2**K + K), "superlinear", 0),  # limit q^(1 - k)
        ("q^(2^k + k^2)", q3 ** (2**K + K**2), "superlinear", 0),  # limit q^(-k^2 + 2k + 1)
        ("c exp(-2^k) / k", c * sympy.exp(-(2**K)) / K, "superlinear", 0),  # limit k^2 / (c (k+1))
    ]


def sign_changing_sequences(rng):
    q1, q2 = rational(rng, 1, 9), rational(rng, 1, 9)
    c = constant(rng)
    return [  # the class of |r_k|, one sequence per class that tends to 0
        ("(-1)^k c / k^p", (-1) ** K * c / K ** power(rng), "sublinear", 1),
        ("(-q)^k", (-q1) ** K, "linear", q1),
        ("cos(pi k) k q^k", sympy.cos(sympy.pi * K) * K * q2**K, "linear", q2),
        ("(-1)^k / k^k", (-1) ** K / K**K, "superlinear", 0),
        ("(-1)^k q^(2^k)", (-1) ** K * q1 ** (2**K), "quadratic", 0),
        # Divergent sequences with alternating signs are in divergent_sequences: a student who
        # never answers "divergent" loses that check, not this one as well.
    ]


HOMEWORK = [
    ("0.101^k", sympy.Float(0.101) ** K, "linear", sympy.Rational(101, 1000)),
    ("0.101^(2^k)", sympy.Float(0.101) ** (2**K), "quadratic", 0),
    ("0.808^k", sympy.Float(0.808) ** K, "linear", sympy.Rational(808, 1000)),
    ("1/k!", 1 / sympy.factorial(K), "superlinear", 0),
]


# ---------------------------------------------------------------------------- judges


def _failure_summary(function: str, total: int, wrong: list[str], raised: list[str], kind: str) -> str:
    parts = []
    if wrong:
        parts.append(f"{function} was wrong on {len(wrong)} of the {total} {kind}: " + "; ".join(wrong))
    if raised:
        parts.append(f"{function} raised an exception (or returned something that cannot be sent "
                     f"back) on {len(raised)}: " + "; ".join(raised))
    return ". ".join(parts)


def judge_classes(student, cases, kind: str, hint: str = "") -> None:
    """classify_rate on every case; partial credit for the share it gets right."""
    classify = student.rates.classify_rate
    wrong, raised, first_error = [], [], None
    for description, expr, expected, _q in cases:
        try:
            got = classify(expr, K)
        except (StudentException, BadValue) as exc:
            first_error = first_error or exc
            raised.append(description)
            continue
        if type(got) is not str or got not in CLASSES:
            wrong.append(f"{description} (returned something that is not one of {', '.join(CLASSES)})")
        elif got != expected:
            wrong.append(f"{description} (you said {got!r})")
    if first_error is not None and len(raised) == len(cases):
        raise first_error
    if wrong or raised:
        message = _failure_summary("classify_rate", len(cases), wrong, raised, kind)
        raise PartialCredit(1 - (len(wrong) + len(raised)) / len(cases), message + hint)


def constant_matches(value, expected) -> bool:
    """The returned constant equals ``expected`` to EXACT_ATOL; sympy expressions are evaluated
    under ``decide`` (a deadline and a memory cap): one can take forever."""
    if isinstance(value, sympy.Basic):
        return bool(decide(_close, value, expected, what="your constant"))
    return _close(value, expected)


def _close(value, expected) -> bool:
    number = as_sympy_number(value)
    if number is None:
        return False
    difference = sympy.N(number - expected, 30)
    return bool(difference.is_real) and abs(float(difference)) <= EXACT_ATOL


def judge_constants(student, cases, kind: str, hint: str = "") -> None:
    """linear_constant on every case; partial credit for the share it gets right."""
    linear_constant = student.rates.linear_constant
    wrong, raised, first_error = [], [], None
    for description, expr, _class, expected in cases:
        try:
            got = linear_constant(expr, K)
        except (StudentException, BadValue) as exc:
            first_error = first_error or exc
            raised.append(description)
            continue
        if as_sympy_number(got) is None:
            wrong.append(f"{description} (returned something that is not a real number)")
        elif not constant_matches(got, expected):
            wrong.append(f"{description} (your constant is not within {EXACT_ATOL:g} of q)")
    if first_error is not None and len(raised) == len(cases):
        raise first_error
    if wrong or raised:
        message = _failure_summary("linear_constant", len(cases), wrong, raised, kind)
        raise PartialCredit(1 - (len(wrong) + len(raised)) / len(cases), message + hint)


# ---------------------------------------------------------------------------- classify_rate


@pytest.mark.weight(2)
@pytest.mark.call_timeout(30)
def test_classify_homework(student):
    """classify_rate: the homework sequences 0.101^k, 0.101^(2^k), 0.808^k and 1/k!."""
    judge_classes(student, HOMEWORK, "homework sequences")


# Weights follow the concepts of the statement: each of the five classes is worth about as much as
# the others (divergent 4, sublinear 2 + public, linear 3 + 1 (root test) + public, superlinear 3
# + public, quadratic 2 + 2 (order above 2) + public), and the two traps of the quadratic class
# (order above 2; the log-ratio shortcut) each cost a check of their own, not one sequence among many.
@pytest.mark.weight(4)
@pytest.mark.call_timeout(20)
def test_classify_divergent(student, rng):
    """classify_rate: sequences that do not tend to 0 are divergent."""
    judge_classes(student, divergent_sequences(rng), "sequences of this battery",
                  ". A sequence is 'divergent' as soon as |r_k| does not tend to 0 (a nonzero limit, "
                  "no limit, or infinity)")


@pytest.mark.weight(2)
@pytest.mark.call_timeout(20)
def test_classify_sublinear(student, rng):
    """classify_rate: sublinear sequences (polynomial, logarithmic, exp(-k^s) decay)."""
    judge_classes(student, sublinear_sequences(rng), "sequences of this battery",
                  ". Sublinear means r_k -> 0 with q = 1 (ratio or root test)")


@pytest.mark.weight(3)
@pytest.mark.call_timeout(20)
def test_classify_linear(student, rng):
    """classify_rate: linear sequences with random rational q and polynomial or log factors."""
    judge_classes(student, linear_sequences(rng), "sequences of this battery",
                  ". A ratio (or root) limit q with 0 < q < 1 means linear, whatever the factor of "
                  "polynomial or logarithmic growth")


@pytest.mark.call_timeout(20)
def test_classify_ratio_without_limit(student, rng):
    """classify_rate: linear sequences whose ratio r_{k+1}/r_k has no limit (use the root test)."""
    judge_classes(student, root_test_sequences(rng), "sequences of this battery",
                  ". When lim r_{k+1}/r_k does not exist, the ratio test says nothing: use the root "
                  "test, q = limsup r_k^(1/k)")


@pytest.mark.weight(3)
@pytest.mark.call_timeout(20)
def test_classify_superlinear(student, rng):
    """classify_rate: superlinear sequences that are not quadratic."""
    judge_classes(student, superlinear_sequences(rng), "sequences of this battery",
                  ". q = 0 means at least superlinear; it is quadratic only if r_{k+1} <= C r_k^2")


@pytest.mark.weight(2)
@pytest.mark.call_timeout(20)
def test_classify_quadratic(student, rng):
    """classify_rate: quadratic sequences (order 2)."""
    judge_classes(student, quadratic_sequences(rng), "sequences of this battery",
                  ". Quadratic means r_{k+1} <= C r_k^2 for some C")


@pytest.mark.weight(2)
@pytest.mark.call_timeout(20)
def test_classify_faster_than_quadratic(student, rng):
    """classify_rate: sequences of order above 2 (3^k, 4^k in the exponent) are quadratic."""
    judge_classes(student, faster_than_quadratic_sequences(rng), "sequences of this battery",
                  ". Quadratic means r_{k+1} <= C r_k^2 for some C, which every sequence of order 3 "
                  "or 4 satisfies: 'quadratic' covers quadratic and faster")


@pytest.mark.weight(2)
@pytest.mark.call_timeout(20)
def test_classify_quadratic_is_an_inequality(student, rng):
    """classify_rate: quadratic means r_{k+1} <= C r_k^2, not log r_{k+1} / log r_k -> 2."""
    judge_classes(student, log_ratio_traps(rng), "sequences of this battery",
                  ". For these log r_{k+1} / log r_k -> 2, but is r_{k+1} / r_k^2 bounded?")


@pytest.mark.call_timeout(20)
def test_classify_sign_changing(student, rng):
    """classify_rate: sequences with alternating signs are judged on |r_k|."""
    judge_classes(student, sign_changing_sequences(rng), "sequences of this battery",
                  ". Judge |r_k|: the signs do not change the class")


# ---------------------------------------------------------------------------- linear_constant


@pytest.mark.weight(3)
@pytest.mark.call_timeout(20)
def test_linear_constant_linear(student, rng):
    """linear_constant: linear sequences with random rational q, exact values."""
    judge_constants(student, linear_sequences(rng), "linear sequences",
                    ". Return the exact limit (e.g. Rational(2, 7), exp(-2), sqrt(3)/3), or a float "
                    "within 1e-12 of it")


@pytest.mark.call_timeout(20)
def test_linear_constant_floats(student, rng):
    """linear_constant: sequences written with floats, such as 0.707^k."""
    f1, e1 = decimal(rng)
    f2, e2 = decimal(rng)
    cases = [
        ("0.707^k", sympy.Float(0.707) ** K, "linear", sympy.Rational(707, 1000)),
        ("0.808^k", sympy.Float(0.808) ** K, "linear", sympy.Rational(808, 1000)),
        ("0.101^k", sympy.Float(0.101) ** K, "linear", sympy.Rational(101, 1000)),
        ("c k x^k with a float x", constant(rng) * K * f1**K, "linear", e1),
        ("x^k / k^2 with a float x", f2**K / K**2, "linear", e2),
    ]
    judge_constants(student, cases, "sequences of this battery",
                    ". The answer may be a Float or a Rational, within 1e-12 of the float's value")


@pytest.mark.call_timeout(20)
def test_linear_constant_extremes(student, rng):
    """linear_constant: q = 1 for sublinear sequences, q = 0 for superlinear and quadratic ones."""
    cases = (sublinear_sequences(rng)[:3] + superlinear_sequences(rng)[:3]
             + quadratic_sequences(rng)[:2])
    judge_constants(student, cases, "sequences of this battery",
                    ". q = 1 for sublinear sequences and q = 0 for superlinear ones")


@pytest.mark.call_timeout(20)
def test_linear_constant_root_test(student, rng):
    """linear_constant: sequences whose ratio r_{k+1}/r_k has no limit (root test)."""
    judge_constants(student, root_test_sequences(rng), "sequences of this battery",
                    ". When lim r_{k+1}/r_k does not exist, q = limsup r_k^(1/k)")


# ---------------------------------------------------------------------------- numerical tests


def _length(last_log10_per_term: float, cap: int) -> int:
    """The number of terms N <= cap with r_N above 1e-250, for log10 r_k ~ -k * last_log10_per_term."""
    return int(min(cap, 250 / last_log10_per_term))


def geometric(rng):
    """c q^k: c in [0.2, 5], q in [0.05, 0.95]."""
    q = float(rng.uniform(0.05, 0.95))
    c = float(np.exp(rng.uniform(np.log(0.2), np.log(5))))
    n = _length(-np.log10(q), 1000)
    k = np.arange(1, n + 1)
    return "c q^k", c * np.exp(k * np.log(q)), q


def perturbed_geometric(rng):
    """c q^k (1 + a/k): the first ratios are far from q, the last ones close."""
    q = float(rng.uniform(0.1, 0.9))
    a = float(rng.uniform(1, 3))
    n = _length(-np.log10(q), 1000)
    k = np.arange(1, n + 1)
    return "c q^k (1 + a/k)", np.exp(k * np.log(q)) * (1 + a / k), q


def polynomial_geometric(rng, powers=(1, 2)):
    """k^p q^k with q in [0.5, 0.95] and N >= 360 terms."""
    q = float(rng.uniform(0.5, 0.95))
    p = int(rng.choice(powers))
    n = _length(-np.log10(q), 1000)
    k = np.arange(1, n + 1)
    return "k^p q^k", k**p * np.exp(k * np.log(q)), q


def oscillating_geometric(rng):
    """(2 + sin k) q^k: the ratio oscillates, the root test gives q."""
    q = float(rng.uniform(0.2, 0.9))
    n = _length(-np.log10(q), 1000)
    k = np.arange(1, n + 1)
    return "(2 + sin(k)) q^k", (2 + np.sin(k)) * np.exp(k * np.log(q)), q


def sublinear_numeric(rng):
    p = float(rng.choice([0.5, 1.0, 2.0]))
    k = np.arange(1, 5001)
    k2 = np.arange(1, 20001)
    return [("1 / k^p", 1 / k**p, 1.0), ("exp(-sqrt(k))", np.exp(-np.sqrt(k2)), 1.0)]


def superlinear_numeric(rng):
    q = float(rng.uniform(0.4, 0.9))
    k = np.arange(1, 151)
    factorial = np.exp(np.cumsum(np.log(k)))
    n2 = int(np.sqrt(250 / -np.log10(q)))
    k2 = np.arange(1, n2 + 1)
    k3 = np.arange(1, 101)
    return [("1 / k!", 1 / factorial, 0.0), ("q^(k^2)", np.exp(k2**2 * np.log(q)), 0.0),
            ("1 / k^k", np.exp(-k3 * np.log(k3)), 0.0)]


def judge_estimates(student, function: str, cases, kind: str) -> None:
    """``function`` on every (description, seq, q): partial credit for the share within tolerance."""
    estimate = getattr(student.rates, function)
    wrong, raised, first_error = [], [], None
    for description, seq, q in cases:
        try:
            returned = estimate(np.array(seq, dtype=np.float64))
        except (StudentException, BadValue) as exc:
            first_error = first_error or exc
            raised.append(description)
            continue
        got = as_float(returned)
        if got is None or not np.isfinite(got):
            wrong.append(f"{description} (returned something that is not a finite float)")
        elif q > 0 and abs(got - q) > Q_RTOL * q:
            wrong.append(f"{description} (your estimate is {abs(got - q) / q:.1%} away from q; "
                         f"tolerance {Q_RTOL:.0%})")
        elif q == 0 and abs(got) > Q_ZERO:
            wrong.append(f"{description} (your estimate is {abs(got):.2g} away from q = 0; "
                         f"tolerance {Q_ZERO})")
    if first_error is not None and len(raised) == len(cases):
        raise first_error
    if wrong or raised:
        message = _failure_summary(function, len(cases), wrong, raised, kind)
        raise PartialCredit(1 - (len(wrong) + len(raised)) / len(cases), message)


def test_root_test_geometric(student, rng):
    """root_test: geometric sequences c q^k with random c and q."""
    judge_estimates(student, "root_test", [geometric(rng) for _ in range(4)], "sequences")


def test_root_test_factors(student, rng):
    """root_test: geometric sequences with a polynomial or an oscillating factor."""
    cases = [polynomial_geometric(rng, powers=(1,)), oscillating_geometric(rng),
             oscillating_geometric(rng)]
    judge_estimates(student, "root_test", cases, "sequences")


def test_root_test_extremes(student, rng):
    """root_test: sublinear sequences (q = 1) and superlinear ones (q = 0)."""
    judge_estimates(student, "root_test", sublinear_numeric(rng) + superlinear_numeric(rng),
                    "sequences")


@pytest.mark.weight(2)
def test_ratio_test_tail(student, rng):
    """ratio_test: sequences whose first ratios are far from q (estimate from the tail)."""
    cases = [perturbed_geometric(rng), perturbed_geometric(rng), polynomial_geometric(rng),
             polynomial_geometric(rng), geometric(rng)]
    judge_estimates(student, "ratio_test", cases, "sequences")


def test_ratio_test_extremes(student, rng):
    """ratio_test: sublinear sequences (q = 1) and superlinear ones (q = 0)."""
    judge_estimates(student, "ratio_test", sublinear_numeric(rng) + superlinear_numeric(rng),
                    "sequences")


def order_sequences(rng):
    """(description, seq, p): r_{k+1} / r_k^p tends to a constant in (0, oo) for each."""
    def doubly(q, base, c=1.0):
        n = int(np.log(250 / -np.log10(q)) / np.log(base))
        k = np.arange(1, n + 1)
        return c * np.exp(base**k * np.log(q))

    q = float(rng.uniform(0.3, 0.9))
    c = float(rng.uniform(0.5, 2.0))
    phi = (1 + np.sqrt(5)) / 2
    k = np.arange(1, 301)
    return [
        ("c q^k", c * np.exp(k * np.log(rng.uniform(0.2, 0.9))), 1.0),
        ("k^2 q^k", k**2 * np.exp(k * np.log(rng.uniform(0.2, 0.9))), 1.0),
        ("1 / k^2", 1 / np.arange(1, 2001) ** 2.0, 1.0),
        ("c q^(2^k)", doubly(q, 2.0, c), 2.0),
        ("q^(3^k)", doubly(float(rng.uniform(0.8, 0.99)), 3.0), 3.0),
        ("q^(1.5^k)", doubly(q, 1.5), 1.5),
        ("q^(phi^k), phi the golden ratio", doubly(q, phi, c), phi),
    ]


@pytest.mark.weight(2)
def test_convergence_order(student, rng):
    """convergence_order: orders 1, 1.5, the golden ratio, 2 and 3."""
    estimate = student.rates.convergence_order
    cases = order_sequences(rng)
    wrong, raised, first_error = [], [], None
    for description, seq, p in cases:
        try:
            returned = estimate(np.array(seq, dtype=np.float64))
        except (StudentException, BadValue) as exc:
            first_error = first_error or exc
            raised.append(description)
            continue
        got = as_float(returned)
        if got is None or not np.isfinite(got):
            wrong.append(f"{description} (returned something that is not a finite float)")
        elif abs(got - p) > P_ATOL:
            wrong.append(f"{description} (your estimate is {abs(got - p):.3g} away from p; "
                         f"tolerance {P_ATOL})")
    if first_error is not None and len(raised) == len(cases):
        raise first_error
    if wrong or raised:
        message = _failure_summary("convergence_order", len(cases), wrong, raised, "sequences")
        raise PartialCredit(1 - (len(wrong) + len(raised)) / len(cases), message)
