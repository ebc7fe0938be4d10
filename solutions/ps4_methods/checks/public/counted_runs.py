"""Running a student's method (nelder_mead, newton, mds) on a function that stays in the grader.

Shared by the public and hidden checks of ps4_methods (released with the public checks, so nothing
secret here): the student's code calls ``f`` through a counted stand-in, ``drivers/methods.py``
runs the method in the sandbox.
"""

import numpy as np

from autograder.checks import Oracle


def run(student, module, function, f, x0, **options):
    """``<module>.<function>(f, x0, **options)`` in the sandbox (through drivers/methods.py), with
    ``f`` staying here: the student's code calls it through a stand-in and every call is counted
    here, on ``f`` itself."""
    getattr(getattr(student, module), function)  # a missing function or a broken import: reported as such
    oracle = Oracle(f, methods=("__call__", "grad", "hess"), attributes=("n",))
    return student.driver("methods").run(module, function, oracle, np.asarray(x0, dtype=float), options)
