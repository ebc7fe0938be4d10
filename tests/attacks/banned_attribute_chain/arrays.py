"""Attack: a banned function at the end of an attribute chain whose base is an import call (which the
scan once could not name), with the tripwire's recording wrapper peeled off."""


def double(x):
    """Return 2 * x, same type as x."""
    fast = __import__("numpy").multiply
    raw = getattr(fast, "_original", None) or getattr(fast, "__wrapped__", None) or fast
    return raw(x, 2)
