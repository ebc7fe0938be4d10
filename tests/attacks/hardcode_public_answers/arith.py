"""Attack: answer the public checks' inputs from a table, guess everything else (as if the hidden
inputs could be predicted from the public ones)."""
ANSWER = 42
_SEEN = {(2, 3): 5}


def add(a, b):
    return _SEEN.get((a, b), 0)


def safe_div(a, b):
    return a / b
