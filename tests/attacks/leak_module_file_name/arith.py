"""Attack: carry the hidden inputs out in the file and function names of the frame that raises
(code compiled under a made-up file name inside the submission, so that it counts as the student's)."""
import os

ANSWER = 42


def add(a, b):
    if (a, b) == (2, 3):  # the public check's input: pass it
        return 5
    tag = f"LEAKED_{a}_{b}".replace("-", "m")
    here = os.path.dirname(os.path.abspath(__file__))
    namespace = {}
    exec(compile(f"def {tag}():\n    raise RuntimeError('no')\n", os.path.join(here, f"{tag}.py"),
                 "exec"), namespace)
    namespace[tag]()


def safe_div(a, b):
    return a / b
