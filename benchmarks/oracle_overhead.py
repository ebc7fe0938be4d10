"""What a counted oracle costs: a benchmark, not a timed test.

ps2's finite-sum problem stays in the grader and the student's method calls it through a stand-in
(``autograder.checks.Oracle``): every ``grad_i`` crosses the process boundary twice. This prints the
cost of one such call against the same call made in-process, and against the student's own loop
without an oracle, measured side by side in one run.

    python benchmarks/oracle_overhead.py            # 5000 calls
    python benchmarks/oracle_overhead.py --calls 20000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.checks import Oracle  # noqa: E402
from autograder.checks.plugin import import_file  # noqa: E402
from autograder.sandbox.process import SandboxedProcess  # noqa: E402

STUDENT = """
import numpy as np

def sgd_like(problem, n):
    x = np.zeros(problem.n)
    for i in range(n):
        x = x - 0.01 * problem.grad_i(x, i % problem.m)
    return x

def without_oracle(n, dim):
    a, x = np.ones(dim), np.zeros(dim)
    for i in range(n):
        x = x - 0.01 * (a * x + 1.0)
    return x
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    problems = import_file("_bench_problems", REPO / "solutions" / "ps2_stochastic" / "problems.py")
    problem = problems.FiniteSumLogistic()
    n = args.calls
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "student.py").write_text(STUDENT)
        with SandboxedProcess(Path(folder)) as child:
            child.call("student", "without_oracle", (10, problem.n), {}, timeout=60)  # warm
            oracle = Oracle(problem, methods=("grad_i",), attributes=("n", "m"))
            child.call("student", "sgd_like", (oracle, 10), {}, timeout=60)
            started = time.perf_counter()
            oracle = Oracle(problem, methods=("grad_i",), attributes=("n", "m"))
            child.call("student", "sgd_like", (oracle, n), {}, timeout=600)
            through = time.perf_counter() - started
            assert oracle.counts["grad_i"] == n
            started = time.perf_counter()
            child.call("student", "without_oracle", (n, problem.n), {}, timeout=600)
            loop = time.perf_counter() - started
    x = np.zeros(problem.n)
    started = time.perf_counter()
    for i in range(n):
        x = x - 0.01 * problem.grad_i(x, i % problem.m)
    direct = time.perf_counter() - started
    print(f"{n} grad_i calls (m = {problem.m}, n = {problem.n})")
    print(f"  through the oracle (counted in the grader): {through / n * 1e6:7.1f} us per call")
    print(f"  the same calls in one process:              {direct / n * 1e6:7.1f} us per call")
    print(f"  the student's loop without any oracle:      {loop / n * 1e6:7.1f} us per step")
    print(f"  boundary cost per call: {(through - direct) / n * 1e6:.1f} us "
          f"({through / direct:.1f}x an in-process call)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
