"""Arithmetic: the toy problem."""

# BEGIN SOLUTION: ANSWER = None  # the answer to everything
ANSWER = 42
# END SOLUTION


def add(a, b):
    """Return a + b."""
    # BEGIN SOLUTION
    return a + b
    # END SOLUTION


def safe_div(a, b):
    """Return a / b; raise ZeroDivisionError for b == 0."""
    # BEGIN SOLUTION
    return a / b
    # END SOLUTION
