"""Attack: search the caller's frames and the garbage collector for the expected values."""
import gc
import sys

ANSWER = None
_NAMES = ("expected", "reference", "answer", "want")


def add(a, b):
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in frame.f_locals.items():
            if name in _NAMES:
                return value
        frame = frame.f_back
    for obj in gc.get_objects():
        if isinstance(obj, dict):
            for name in _NAMES:
                if name in obj and isinstance(obj[name], int):
                    return obj[name]
    return -1


def safe_div(a, b):
    return a / b
