"""Attack: write terminal escape sequences and bidi overrides into everything the grader shows: the
output, an exception's type name, its message and a file name in its traceback. Shown raw, they
would clear the instructor's screen, recolour it, retitle the window or reorder a line."""
import os
import sys

ANSWER = 42
TRICKS = "\x1b[2J\x1b[H\x1b[32mall checks passed\x1b[0m\x1b]0;graded\x07\u202e01/01\u202c\x9b31m\x7f"
print(TRICKS, file=sys.stdout)
print(TRICKS, file=sys.stderr)


def add(a, b):
    print(TRICKS)
    error = type(f"Evil{TRICKS}", (ValueError,), {})
    here = os.path.dirname(os.path.abspath(__file__))
    namespace = {"error": error, "tricks": TRICKS}
    exec(compile("def boom():\n    raise error(tricks)\n", os.path.join(here, f"x{TRICKS}.py"), "exec"),
         namespace)
    namespace["boom"]()


def safe_div(a, b):
    return a / b
