"""Arrays: the toy problem."""


def double(x):
    """Return 2 * x, same type as x."""
    # BEGIN SOLUTION
    return 2 * x
    # END SOLUTION
