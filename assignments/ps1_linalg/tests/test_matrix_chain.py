"""Public checks of problem 1, matrix chain order: the examples of the statement.

The grader runs these and more (hidden) checks: see "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_type, student_raises

pytestmark = pytest.mark.problem("matrix_chain")


def normalized(order):
    """An order with every list turned into a tuple, so that both spellings compare equal."""
    if type(order) in (tuple, list):
        return tuple(normalized(part) for part in order)
    return order


def test_task1_answer_is_a_choice(student):
    """TASK1_ANSWER is one of the choices 1, 2, 3, 4."""
    answer = student.matrix_chain.TASK1_ANSWER
    assert type(answer) is int and answer in (1, 2, 3, 4), (
        f"TASK1_ANSWER is {answer!r}; set it to the int 1, 2, 3 or 4 of your choice "
        f"(this check does not say whether the choice is right)")


def test_chain_cost_worked_example(student):
    """chain_cost: the worked example, dims [10, 30, 5, 60] in both orders."""
    dims = [10, 30, 5, 60]
    cost = student.matrix_chain.chain_cost(dims, ((0, 1), 2))
    expect_type(cost, int, "chain_cost([10, 30, 5, 60], ((0, 1), 2))")
    assert cost == 4500, (
        f"chain_cost([10, 30, 5, 60], ((0, 1), 2)) returned {cost}; expected "
        f"10*30*5 (A0 A1, a 10 x 5 result) + 10*5*60 (times A2) = 4500")
    cost = student.matrix_chain.chain_cost(dims, [0, [1, 2]])
    expect_type(cost, int, "chain_cost([10, 30, 5, 60], [0, [1, 2]])")
    assert cost == 27000, (
        f"chain_cost([10, 30, 5, 60], [0, [1, 2]]) returned {cost}; expected "
        f"30*5*60 (A1 A2, a 30 x 60 result) + 10*30*60 (A0 times it) = 27000 "
        f"(orders may be written with lists as well as tuples)")


def test_chain_cost_rejects_a_skipped_matrix(student):
    """chain_cost: an order that skips a matrix raises ValueError."""
    with student_raises(ValueError, "chain_cost([2, 3, 4, 5], (0, 2)), which skips matrix 1,"):
        student.matrix_chain.chain_cost([2, 3, 4, 5], (0, 2))


def test_optimal_order_textbook_chain(student):
    """optimal_order: the CLRS chain 30, 35, 15, 5, 10, 20, 25 costs 15125 at best."""
    dims = [30, 35, 15, 5, 10, 20, 25]
    result = student.matrix_chain.optimal_order(dims)
    assert type(result) in (tuple, list) and len(result) == 2, (
        f"optimal_order returned {result!r}; expected a tuple (cost, order)")
    cost, order = result
    assert type(cost) is int, (
        f"optimal_order returned a cost of type {type(cost).__name__}; the cost must be a Python int")
    assert cost == 15125, (
        f"optimal_order returned the cost {cost} for the CLRS chain; the optimum is 15125")
    # This chain has a single optimal order; on other chains any optimal order is accepted.
    assert normalized(order) == ((0, (1, 2)), ((3, 4), 5)), (
        f"optimal_order returned the order {order!r} for the CLRS chain; the only order that "
        f"costs 15125 is ((0, (1, 2)), ((3, 4), 5)), i.e. (A0 (A1 A2)) ((A3 A4) A5)")


def test_optimal_order_single_matrix(student):
    """optimal_order: a single matrix gives (0, 0)."""
    result = student.matrix_chain.optimal_order([4, 7])
    ok = type(result) in (tuple, list) and len(result) == 2
    ok = ok and type(result[0]) is int and type(result[1]) is int and result[0] == result[1] == 0
    assert ok, (
        f"optimal_order([4, 7]) returned {result!r}; for one matrix the answer is (0, 0): "
        f"no multiplication, and the order is the matrix index 0")


def test_chain_product_matrices_and_vector(student):
    """chain_product: A (2 x 3) times B (3 x 4) times a vector of length 4."""
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(3, 4) - 5
    v = np.array([1.0, -2.0, 0.5, 3.0])
    result = student.matrix_chain.chain_product([a, b, v])
    expect_type(result, np.ndarray, "chain_product([a, b, v])")
    assert result.dtype == np.float64, (
        f"chain_product returned dtype {result.dtype} for float64 inputs; keep the inputs' dtype")
    assert_close(result, a @ (b @ v), rtol=1e-12, atol=1e-12, what="chain_product([a, b, v])")
