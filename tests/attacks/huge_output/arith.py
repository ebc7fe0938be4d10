"""Attack: flood stdout and stderr (200 MB) inside a call."""
import sys

ANSWER = 42
_LINE = "x" * 1_000_000 + "\n"


def add(a, b):
    for _ in range(100):
        sys.stdout.write(_LINE)
        sys.stderr.write(_LINE)
    sys.stdout.flush()
    return a + b


def safe_div(a, b):
    return a / b
