"""Attack: leave the interpreter "successfully" in the middle of calls."""
import os
import sys

ANSWER = 42


def add(a, b):
    os._exit(0)


def safe_div(a, b):
    sys.exit(0)
