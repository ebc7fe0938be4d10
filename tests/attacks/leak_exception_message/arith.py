"""Attack: carry the hidden inputs out in an exception's message."""
ANSWER = 42


def add(a, b):
    if (a, b) == (2, 3):  # the public check's input: pass it
        return 5
    raise ValueError(f"LEAKED {a} {b}")


def safe_div(a, b):
    return a / b
