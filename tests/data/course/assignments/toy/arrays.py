"""Arrays: the toy problem."""


def double(x):
    """Return 2 * x, same type as x."""
    raise NotImplementedError('double: not implemented yet. See README.md (toy).')
