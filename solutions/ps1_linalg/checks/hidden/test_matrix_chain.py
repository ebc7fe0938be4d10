"""Hidden checks of problem 1, matrix chain order: costs, optimal orders, products.

Orders are judged by their cost (computed with the reference ``chain_cost``), never compared with
one particular bracketing. Messages name the kind of input, never the hidden dims or values, and
never repeat what the student's code returned (a value, an order, a dtype: text it chooses).
"""

import itertools

import numpy as np
import pytest

from autograder.checks import PartialCredit, assert_close, expect_type, student_raises

pytestmark = pytest.mark.problem("matrix_chain")

CLRS_DIMS = [30, 35, 15, 5, 10, 20, 25]
CLRS_OPTIMUM = 15125


# ---------------------------------------------------------------------------- brute force


def all_orders(first: int, last: int):
    """Every full bracketing of the matrices first..last, as nested tuples."""
    if first == last:
        yield first
        return
    for split in range(first, last):
        yield from itertools.product(all_orders(first, split), all_orders(split + 1, last))


def brute_cost(dims: list[int], order) -> int:
    """Cost of a valid order, from the shapes of the partial products (independent of the
    reference's bookkeeping)."""

    def shape_and_cost(node):
        if isinstance(node, int):
            return dims[node], dims[node + 1], 0
        rows, inner, left_cost = shape_and_cost(node[0])
        inner_right, cols, right_cost = shape_and_cost(node[1])
        assert inner == inner_right, "brute_cost got an invalid order"
        return rows, cols, left_cost + right_cost + rows * inner * cols

    return shape_and_cost(order)[2]


def as_lists(order):
    """The same order with every pair turned into a list."""
    return order if isinstance(order, int) else [as_lists(order[0]), as_lists(order[1])]


def random_dims(rng: np.random.Generator, k: int, high: int = 60) -> list[int]:
    return [int(d) for d in rng.integers(1, high, size=k + 1)]




# ---------------------------------------------------------------------------- optimal_order judge


def judge_optimal_order(student, reference, dims: list[int], what: str) -> None:
    """Fail unless the student's optimal_order(dims) is (optimal cost, a valid order of that cost)."""
    result = student.matrix_chain.optimal_order(dims)
    if type(result) not in (tuple, list) or len(result) != 2:
        raise AssertionError(f"optimal_order returned {type(result).__name__} on {what}; "
                             f"expected a tuple (cost, order)")
    cost, order = result
    if type(cost) is not int:
        raise AssertionError(f"optimal_order returned a cost of type {type(cost).__name__} on "
                             f"{what}; the cost must be a Python int")
    try:
        order_cost = reference.matrix_chain.chain_cost(dims, order)
    except (ValueError, RecursionError):
        raise AssertionError(f"optimal_order returned an order that is not a valid bracketing of "
                             f"{what}: every pair must hold two sub-orders, and the leaves must be "
                             f"the int indices 0, 1, ..., k-1 in sequence") from None
    best, _ = reference.matrix_chain.optimal_order(dims)
    if cost > best:
        raise AssertionError(f"optimal_order returned a cost above the optimum on {what}: some "
                             f"order is cheaper (does your recurrence try every split, each with "
                             f"its right cost?)")
    if cost < best:
        raise AssertionError(f"optimal_order returned a cost below the optimum on {what}: no order "
                             f"is that cheap (check the cost you add for each split)")
    if order_cost != best:
        raise AssertionError(f"optimal_order returned the optimal cost on {what}, but its order "
                             f"costs more than that (check how you rebuild the order from your "
                             f"table of best splits)")


# ---------------------------------------------------------------------------- the seminar question


def test_task1_answer(student):
    """TASK1_ANSWER: the seminar question on computing A1 A2 A3 x."""
    answer = student.matrix_chain.TASK1_ANSWER
    assert type(answer) is int and answer in (1, 2, 3, 4), (
        "TASK1_ANSWER is not one of the ints 1, 2, 3, 4; set it to one of them")
    assert answer == 2, (
        "TASK1_ANSWER is not the right choice: compare the cost of a matrix-matrix product, "
        "O(n^3), with that of a matrix-vector product, O(n^2), and remember that rounding aside "
        "both ways compute the same vector")


# ---------------------------------------------------------------------------- chain_cost


@pytest.mark.weight(3)
def test_chain_cost_matches_brute_force(student, rng):
    """chain_cost: every bracketing of random chains of 1 to 7 matrices."""
    chain_cost = student.matrix_chain.chain_cost
    for k in range(1, 8):
        dims = random_dims(rng, k)
        orders = list(all_orders(0, k - 1))
        if len(orders) > 25:
            orders = [orders[i] for i in rng.choice(len(orders), size=25, replace=False)]
        for order in orders:
            cost = chain_cost(dims, order)
            expect_type(cost, int, "chain_cost(dims, order)")
            assert cost == brute_cost(dims, order), (
                f"chain_cost returned a wrong cost for one bracketing of a random chain of {k} "
                f"matrices: multiplying a p x q by a q x r matrix costs p*q*r, and a pair costs "
                f"its two halves plus that final product")


def test_chain_cost_single_matrix(student, rng):
    """chain_cost: a single matrix of random shape costs nothing."""
    cost = student.matrix_chain.chain_cost(random_dims(rng, 1), 0)
    expect_type(cost, int, "chain_cost(dims, 0)")
    assert cost == 0, "chain_cost(dims, 0) is not 0; one matrix needs no multiplication"


def test_chain_cost_accepts_lists(student, rng):
    """chain_cost: orders written with lists, or lists and tuples mixed, are accepted."""
    chain_cost = student.matrix_chain.chain_cost
    dims = random_dims(rng, 6)
    orders = list(all_orders(0, 5))
    for i in rng.choice(len(orders), size=4, replace=False):
        order = orders[i]
        lists = as_lists(order)
        mixed = [order[0], as_lists(order[1])]
        for variant, kind in ((lists, "nested lists"), (mixed, "lists and tuples mixed")):
            cost = chain_cost(dims, variant)
            expect_type(cost, int, "chain_cost(dims, order)")
            assert cost == brute_cost(dims, order), (
                f"chain_cost gave a different cost for an order written with {kind} than the "
                f"cost of that order: pairs may be tuples or lists")


INVALID_SEQUENCES = [
    ("an order that leaves out the last matrix", ((0, 1), 2)),
    ("an order that skips a matrix in the middle", ((0, 1), 3)),
    ("an order that uses a matrix twice", ((0, 1), ((1, 2), 3))),
    ("an order whose leaves are out of sequence", ((1, 0), (2, 3))),
    ("an order that pairs matrices that are not neighbours", ((0, 2), (1, 3))),
    ("an order with an index beyond the chain", (((0, 1), (2, 3)), 4)),
    ("an order with a negative index", ((0, 1), (2, -1))),
]

MALFORMED_ORDERS = [
    ("an order with a pair of three elements", ((0, 1, 2), 3)),
    ("an order with a pair of one element", (((0, 1), 2), (3,))),
    ("a flat list of all the indices", [0, 1, 2, 3]),
    ("an order with True as a leaf", ((0, True), (2, 3))),
    ("an order with a float leaf", ((0, 1.0), (2, 3))),
    ("an order with a string leaf", ((0, "1"), (2, 3))),
    ("an order with None as a leaf", ((0, 1), (2, None))),
]


def _count_value_errors(function, cases, name: str) -> None:
    """Call ``function(*args)`` for each (description, args); partial credit for the ones that
    raise ValueError, with the descriptions of the others."""
    missed = []
    for description, args in cases:
        try:
            with student_raises(ValueError, f"{name} on {description}"):
                function(*args)
        except AssertionError:
            missed.append(description)
    if missed:
        raise PartialCredit(1 - len(missed) / len(cases),
                            f"{name} should raise ValueError, and did not, on: " + "; ".join(missed))


@pytest.mark.weight(2)
def test_chain_cost_rejects_misplaced_indices(student):
    """chain_cost: orders whose leaves are not 0, 1, ..., k-1 in sequence raise ValueError."""
    dims = [2, 3, 4, 5, 6]
    cases = [(d, (dims, order)) for d, order in INVALID_SEQUENCES]
    _count_value_errors(student.matrix_chain.chain_cost, cases, "chain_cost")


def test_chain_cost_rejects_malformed_orders(student):
    """chain_cost: pairs that are not pairs, and leaves that are not ints, raise ValueError."""
    dims = [2, 3, 4, 5, 6]
    cases = [(d, (dims, order)) for d, order in MALFORMED_ORDERS]
    _count_value_errors(student.matrix_chain.chain_cost, cases, "chain_cost")


def test_chain_cost_rejects_bad_dims(student):
    """chain_cost: dims with fewer than two entries or a non-positive entry raise ValueError."""
    cases = [
        ("dims with a single entry", ([5], 0)),
        ("dims with a zero entry", ([3, 0, 4], (0, 1))),
        ("dims with a negative entry", ([3, -2, 4], (0, 1))),
        ("dims with a non-integer entry", ([3, 1.5, 4], (0, 1))),
    ]
    _count_value_errors(student.matrix_chain.chain_cost, cases, "chain_cost")


# ---------------------------------------------------------------------------- dims as a tuple or an array


def test_dims_as_tuple_or_numpy_array(student, rng):
    """chain_cost and optimal_order: dims given as a tuple or a 1-D integer numpy array."""
    # One check of its own, judged against the student's own answers for the same dims as a list:
    # a function that takes only lists loses this check, once; a wrong cost or order is charged by
    # the checks above, not here again.
    chain_cost, optimal_order = student.matrix_chain.chain_cost, student.matrix_chain.optimal_order
    for k in (1, 3, 6):
        dims = random_dims(rng, k)
        order = next(iter(all_orders(0, k - 1)))
        for given, kind in ((tuple(dims), "a tuple"), (np.array(dims, dtype=np.int64), "a numpy array")):
            assert chain_cost(given, order) == chain_cost(dims, order), (
                f"chain_cost gave another cost for dims given as {kind} than for the same dims as a "
                f"list: dims may be a list, a tuple or a 1-D integer numpy array")
            assert optimal_order(given)[0] == optimal_order(dims)[0], (
                f"optimal_order gave another cost for dims given as {kind} than for the same dims as "
                f"a list: dims may be a list, a tuple or a 1-D integer numpy array")


# ---------------------------------------------------------------------------- optimal_order


def test_optimal_order_rejects_bad_dims(student):
    """optimal_order: dims with fewer than two entries or a non-positive entry raise ValueError."""
    cases = [
        ("empty dims", ([],)),
        ("dims with a single entry", ([7],)),
        ("dims with a zero entry", ([4, 0, 3],)),
        ("dims with a negative entry", ([4, 5, -3, 2],)),
        ("dims with a non-integer entry", ([4, 2.5, 3],)),
    ]
    _count_value_errors(student.matrix_chain.optimal_order, cases, "optimal_order")


def test_optimal_order_textbook_chain(student, reference):
    """optimal_order: the CLRS chain 30, 35, 15, 5, 10, 20, 25."""
    judge_optimal_order(student, reference, CLRS_DIMS, "the CLRS chain (optimum 15125)")


def test_optimal_order_single_matrix(student, rng):
    """optimal_order: a single matrix of random shape gives (0, 0)."""
    result = student.matrix_chain.optimal_order(random_dims(rng, 1))
    assert type(result) in (tuple, list) and len(result) == 2, (
        "optimal_order did not return a pair for one matrix; expected a tuple (cost, order)")
    assert type(result[0]) is int and type(result[1]) is int and result[0] == result[1] == 0, (
        "optimal_order did not return (0, 0) for one matrix: the int cost 0 and the order 0, the "
        "index of the only matrix")


@pytest.mark.weight(3)
def test_optimal_order_small_random_chains(student, reference, rng):
    """optimal_order: random chains of 2 to 7 matrices."""
    for k in (2, 3, 4, 5, 6, 7, 7):
        judge_optimal_order(student, reference, random_dims(rng, k),
                            f"a random chain of {k} matrices")


@pytest.mark.weight(2)
def test_optimal_order_medium_random_chains(student, reference, rng):
    """optimal_order: random chains of 10 to 40 matrices."""
    for k in (10, 17, 25, 40):
        judge_optimal_order(student, reference, random_dims(rng, k, high=200),
                            f"a random chain of {k} matrices")


def test_optimal_order_all_orders_tie(student, reference, rng):
    """optimal_order: a chain of equal square matrices, where every order is optimal."""
    n = int(rng.integers(2, 20))
    judge_optimal_order(student, reference, [n] * 9,
                        "a chain of 8 equal square matrices (any valid order is optimal)")


@pytest.mark.weight(2)
@pytest.mark.call_timeout(10)
def test_optimal_order_150_matrices(student, reference, rng):
    """optimal_order: a random chain of 150 matrices within the time limit."""
    judge_optimal_order(student, reference, random_dims(rng, 150, high=1000),
                        "a random chain of 150 matrices")


# ---------------------------------------------------------------------------- chain_product


def random_chain(rng: np.random.Generator, k: int, vector_last: bool = False) -> list[np.ndarray]:
    """k standard normal factors of random compatible shapes; the last is 1-D if asked."""
    dims = [int(d) for d in rng.integers(1, 30, size=k + 1)]
    mats = [rng.standard_normal((dims[i], dims[i + 1])) for i in range(k)]
    if vector_last:
        mats[-1] = rng.standard_normal(dims[k - 1])
    return mats


def norm_product(mats) -> float:
    return float(np.prod([np.linalg.norm(np.asarray(m, dtype=np.float64)) for m in mats]))


def judge_product(student, reference, mats, tolerance: float, what: str):
    """Compare the student's product with the reference's, entrywise, relative to the product of the
    factors' Frobenius norms (a bound on every entry of the product)."""
    actual = student.matrix_chain.chain_product(mats)
    expected = reference.matrix_chain.chain_product(mats)
    scale = norm_product([_numpy(m) for m in mats])
    if type(actual) is not type(expected):
        expect_type(actual, type(expected), f"chain_product on {what}")
    assert_close(_numpy(actual) / scale, _numpy(expected) / scale, rtol=0, atol=tolerance,
                 what=f"chain_product on {what} (divided by the product of the factors' norms)")
    return actual


def _numpy(x) -> np.ndarray:
    if type(x).__module__ == "torch":
        return x.detach().cpu().numpy()
    return np.asarray(x)


@pytest.mark.weight(2)
def test_chain_product_numpy_matrices(student, reference, rng):
    """chain_product: random chains of numpy matrices, in a list or a tuple."""
    for k, container in ((1, list), (2, list), (5, list), (4, tuple)):
        mats = container(random_chain(rng, k))
        result = judge_product(student, reference, mats, 1e-10,
                               f"a random chain of {k} float64 matrices given as a {container.__name__}")
        expect_type(result, np.ndarray, "chain_product(mats)")
        assert result.dtype == np.float64, (
            "chain_product returned another dtype than float64 for float64 factors; keep the dtype")


@pytest.mark.weight(2)
def test_chain_product_numpy_vector_last(student, reference, rng):
    """chain_product: a numpy chain ending in a 1-D vector gives a 1-D result."""
    for k in (2, 5):
        mats = random_chain(rng, k, vector_last=True)
        result = judge_product(student, reference, mats, 1e-10,
                               f"a random chain of {k - 1} matrices and a vector")
        expect_type(result, np.ndarray, "chain_product(mats)")


def test_chain_product_numpy_float32(student, reference, rng):
    """chain_product: float32 numpy factors give a float32 result."""
    mats = [m.astype(np.float32) for m in random_chain(rng, 4)]
    result = judge_product(student, reference, mats, 1e-4, "a random chain of 4 float32 matrices")
    expect_type(result, np.ndarray, "chain_product(mats)")
    assert result.dtype == np.float32, (
        "chain_product returned another dtype than float32 for float32 factors; keep the dtype")


def test_chain_product_torch_float64(student, reference, rng):
    """chain_product: float64 torch tensors on the CPU give a float64 CPU tensor."""
    import torch

    mats = [torch.from_numpy(m) for m in random_chain(rng, 4)]
    result = judge_product(student, reference, mats, 1e-10, "a random chain of 4 torch tensors")
    expect_type(result, torch.Tensor, "chain_product(tensors)")
    assert result.dtype == torch.float64, (
        "chain_product returned another dtype than float64 for float64 tensors; keep the dtype")
    assert result.device.type == "cpu", (
        "chain_product returned a tensor off the CPU for CPU tensors; keep the device")


def test_chain_product_torch_float32_vector_last(student, reference, rng):
    """chain_product: float32 torch tensors ending in a 1-D vector give a 1-D float32 tensor."""
    import torch

    mats = [torch.from_numpy(m.astype(np.float32)) for m in random_chain(rng, 4, vector_last=True)]
    result = judge_product(student, reference, mats, 1e-4,
                           "a random chain of 3 float32 torch matrices and a vector")
    expect_type(result, torch.Tensor, "chain_product(tensors)")
    assert result.dtype == torch.float32, (
        "chain_product returned another dtype than float32 for float32 tensors; keep the dtype")
    assert result.device.type == "cpu", (
        "chain_product returned a tensor off the CPU for CPU tensors; keep the device")


def test_chain_product_shape_mismatch(student, rng):
    """chain_product: an empty list, a factor of the wrong dimension or mismatched shapes raise ValueError."""
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((5, 2))
    cases = [
        ("two matrices whose inner dimensions differ", ([a, b],)),
        ("a chain whose last vector has the wrong length", ([a, rng.standard_normal(3)],)),
        ("a chain with a 1-D vector before the last factor", ([rng.standard_normal(3), a],)),
        ("an empty list", ([],)),
        ("a chain with a 3-D factor", ([a, rng.standard_normal((4, 2, 2))],)),
    ]
    _count_value_errors(student.matrix_chain.chain_product, cases, "chain_product")
