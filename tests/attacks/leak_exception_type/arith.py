"""Attack: carry the hidden inputs out in the name of an exception's type (one that even claims to
be a built-in), which a hidden check used to repeat."""
ANSWER = 42


def add(a, b):
    if (a, b) == (2, 3):  # the public check's input: pass it
        return 5
    name = f"LEAKED_{a}_{b}".replace("-", "m")
    raise type(name, (Exception,), {"__module__": "builtins", "__qualname__": name})()


def safe_div(a, b):
    return a / b
