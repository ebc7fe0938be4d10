"""How much the sandbox costs: grade each reference solution through the full sandbox and with the
same checks calling the code in-process (unsandboxed), interleaved, and print the ratio of medians.

    python benchmarks/sandbox_overhead.py [--repeats 5] [--public] [PSET ...]

The in-process stand-in exists only here: the grader itself has no unsandboxed mode.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
import types
from pathlib import Path

from autograder.checks import fixtures
from autograder.grading.grade import grade_submission
from autograder.problemset import list_problem_sets, load_problem_set
from autograder.sandbox.confine import host_confinement

REPO = Path(__file__).resolve().parent.parent


class InProcess:
    """Stands in for ``SandboxedProcess``: same methods, the student's code imported right here."""

    def __init__(self, submission_dir, **_ignored):
        self.submission_dir = Path(submission_dir)
        self.tripped: set[str] = set()
        sys.path.insert(0, str(self.submission_dir))
        self._drivers: dict[str, types.ModuleType] = {}

    def _module(self, name):
        return importlib.import_module(name)

    def get(self, module, name, *, timeout):
        value = getattr(self._module(module), name)
        return (True, None) if callable(value) else (False, value)

    def call(self, module, name, args, kwargs, *, timeout):
        return getattr(self._module(module), name)(*args, **kwargs)

    def drive(self, driver, source, name, args, kwargs, *, timeout):
        if driver not in self._drivers:
            module = types.ModuleType(f"driver_{driver}")
            exec(compile(source, driver, "exec"), module.__dict__)  # noqa: S102 - trusted driver
            self._drivers[driver] = module
        return getattr(self._drivers[driver], name)(*args, **kwargs)

    def output_tail(self, limit=2000):
        return ""

    def close(self):
        pass

    def __exit__(self, *exc):
        sys.path.remove(str(self.submission_dir))
        for name in [m for m, mod in sys.modules.items()
                     if str(self.submission_dir) in str(getattr(mod, "__file__", "") or "")]:
            del sys.modules[name]


def timed_grade(pset, sandboxed: bool, public_only: bool = False) -> tuple[float, float]:
    real = fixtures.SandboxedProcess  # the name the student fixture starts a child with
    if not sandboxed:
        fixtures.SandboxedProcess = InProcess
    try:
        start = time.perf_counter()
        result = grade_submission(pset, pset.root, public_only=public_only)
        return time.perf_counter() - start, result.score
    finally:
        fixtures.SandboxedProcess = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("psets", nargs="*")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--public", action="store_true",
                        help="public checks only (what `autograder check` runs for a student)")
    args = parser.parse_args()
    psets = args.psets or list_problem_sets("solutions", REPO)
    print(f"sandbox layers: {', '.join(host_confinement().layers)}")
    print(f"{'problem set':<18}{'in-process s':>14}{'sandboxed s':>13}{'ratio':>8}")
    for pset_id in psets:
        pset = load_problem_set(REPO / "solutions" / pset_id)
        timed_grade(pset, True, args.public)  # warm-up: imports, caches, the sandbox template
        timed_grade(pset, False, args.public)
        inproc, sandboxed = [], []
        for _ in range(args.repeats):  # interleaved, so drift hits both sides alike
            sandboxed.append(timed_grade(pset, True, args.public)[0])
            inproc.append(timed_grade(pset, False, args.public)[0])
        a, b = statistics.median(inproc), statistics.median(sandboxed)
        print(f"{pset_id:<18}{a:>14.2f}{b:>13.2f}{b / a:>7.2f}x")


if __name__ == "__main__":
    main()
