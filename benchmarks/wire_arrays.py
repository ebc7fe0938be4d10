"""What moving arrays into the sandboxed child and back costs: a benchmark, not a timed test.

Large inputs cross the wire in ps1's trace checks (chains of 200,000 x 6 factors) and on every
repetition of a timing check (its inputs are staged, its output fetched). This times, in one run, a
call whose arguments are arrays of a given size (the child returns one number; then the same arrays
there and back) against the floor of the same move in one process: a copy of the arrays.

    python benchmarks/wire_arrays.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.sandbox.process import SandboxedProcess

STUDENT = """
def total(*arrays):
    return float(sum(a.sum() for a in arrays))

def echo(*arrays):
    return arrays
"""


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    cases = {"8 MB (one 1000 x 1000 matrix)": [rng.standard_normal((1000, 1000))],
             "115 MB (eight 300,000 x 6 factors)": [rng.standard_normal((300_000, 6)) for _ in range(8)]}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "student.py").write_text(STUDENT)
        with SandboxedProcess(Path(folder), preload=("numpy",)) as child:
            child.call("student", "total", (np.zeros(1),), {}, timeout=60)  # started, numpy imported
            print(f"median of {args.repeats}; in-process floor = copying the same arrays once (in) or "
                  f"twice (there and back)")
            for label, arrays in cases.items():
                size = sum(a.nbytes for a in arrays)
                into = median_seconds(lambda a=arrays: child.call("student", "total", tuple(a), {},
                                                                  timeout=120), args.repeats)
                both = median_seconds(lambda a=arrays: child.call("student", "echo", tuple(a), {},
                                                                  timeout=120), args.repeats)
                copy = median_seconds(lambda a=arrays: [x.copy() for x in a], args.repeats)
                print(f"{label}: in {into * 1e3:7.1f} ms ({size / into / 1e9:4.1f} GB/s, {into / copy:4.1f}x "
                      f"a copy); there and back {both * 1e3:7.1f} ms ({both / (2 * copy):4.1f}x two copies)")


if __name__ == "__main__":
    main()
