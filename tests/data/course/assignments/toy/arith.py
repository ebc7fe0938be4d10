"""Arithmetic: the toy problem."""

ANSWER = None  # the answer to everything


def add(a, b):
    """Return a + b."""
    raise NotImplementedError('add: not implemented yet. See README.md (toy).')


def safe_div(a, b):
    """Return a / b; raise ZeroDivisionError for b == 0."""
    raise NotImplementedError('safe_div: not implemented yet. See README.md (toy).')
