"""Where the time of grading one submission goes: a profile by stage, wall and CPU time, for the
grader process and for the children (the student's, the trusted timing child, sympy deciders).

    python benchmarks/profile_grading.py [PSET [SUBMISSION]] [--cold]

Default: ps1_linalg graded on its reference solution. ``--cold`` turns warm starts off (every child a
new interpreter), for the comparison. Numbers are wall seconds unless said; a loaded machine
stretches wall time, CPU time much less.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


class Stopwatch:
    """Wall and CPU time spent inside wrapped functions, by label (outermost call counted only)."""

    def __init__(self):
        self.wall = collections.Counter()
        self.cpu = collections.Counter()
        self.calls = collections.Counter()
        self._depth = collections.Counter()

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            self._depth[label] += 1
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self._depth[label] -= 1
                if not self._depth[label]:
                    self.wall[label] += time.perf_counter() - wall
                    self.cpu[label] += time.process_time() - cpu
                    self.calls[label] += 1

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pset", nargs="?", default="ps1_linalg")
    parser.add_argument("submission", nargs="?")
    parser.add_argument("--cold", action="store_true", help="no warm starts")
    args = parser.parse_args()
    if args.cold:
        os.environ["AUTOGRADER_WARM_START"] = "0"

    started = time.perf_counter()
    from autograder.checks import symbolic
    from autograder.grading import grade
    from autograder.problemset import load_problem_set
    from autograder.report.html import render_html
    from autograder.report.markdown import render_markdown
    from autograder.sandbox import process, zygote
    imports = time.perf_counter() - started

    pset = load_problem_set(REPO / "solutions" / args.pset)
    source = Path(args.submission) if args.submission else pset.root
    watch = Stopwatch()
    watch.wrap(process.SandboxedProcess, "_start", "child starts")
    watch.wrap(zygote.Zygote, "__init__", "template start (once per process)")
    watch.wrap(symbolic, "decide", "sympy decisions (forked children)")
    watch.wrap(grade, "run_checks", "pytest session (all checks)")
    child_cpu = collections.Counter()
    close = process.SandboxedProcess.close

    def close_and_count(self):
        ns = self.cpu_ns()
        if ns is not None:
            child_cpu["trusted child" if self.trusted else "student child"] += ns / 1e9
        close(self)

    process.SandboxedProcess.close = close_and_count
    collection = {}
    children = weakref.WeakSet()
    init = process.SandboxedProcess.__init__

    def init_and_track(self, *a, **k):
        init(self, *a, **k)
        children.add(self)

    process.SandboxedProcess.__init__ = init_and_track
    per_check = {}  # nodeid -> (grader CPU s, children's CPU s) while it ran

    def children_cpu() -> float:
        return sum((c.cpu_ns() or 0) for c in list(children)) / 1e9

    class Collection:
        def pytest_collection(self):
            collection["start"] = time.perf_counter()

        def pytest_collection_finish(self):
            collection["end"] = time.perf_counter()

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(self, item):
            cpu, kids = time.process_time(), children_cpu()
            yield
            per_check[item.nodeid] = (time.process_time() - cpu, max(0.0, children_cpu() - kids))

    run_checks = grade.run_checks
    grade.run_checks = lambda paths, root, plugins, *extra: run_checks(paths, root, [*plugins, Collection()],
                                                                        *extra)
    wall, cpu = time.perf_counter(), time.process_time()
    result = grade.grade_submission(pset, source)
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    report = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        Path(out, "feedback.html").write_text(render_html(result))
        Path(out, "feedback.md").write_text(render_markdown(result))
    report = time.perf_counter() - report

    by_problem = collections.defaultdict(lambda: [0.0, 0.0, 0.0])  # wall, grader CPU, children CPU
    for check in result.tests:
        key = "timing checks" if "::test_timing[" in check.nodeid else f"checks of {check.problem}"
        grader_cpu, kids_cpu = next((v for k, v in per_check.items() if k.endswith(check.nodeid)),
                                    (0.0, 0.0))
        row = by_problem[key]
        row[0] += check.execution_time or 0
        row[1] += grader_cpu
        row[2] += kids_cpu
    fresh = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy, sympy, torch"], check=True)
    fresh = time.perf_counter() - fresh

    print(f"{pset.id}: {source}  score {result.score:g}/{result.max_score:g}, "
          f"{len(result.tests)} checks; warm starts {'off' if args.cold else 'on'}")
    rows = [("grader imports (autograder, pytest, numpy, sympy, torch)", imports, None, None)]
    for label in ("template start (once per process)", "child starts", "sympy decisions (forked children)"):
        rows.append((f"{label} x{watch.calls[label]}", watch.wall[label], watch.cpu[label], None))
    if collection:
        rows.append(("pytest collection (import the check files)",
                     collection["end"] - collection["start"], None, None))
    for label, (seconds, grader_cpu, kids_cpu) in sorted(by_problem.items()):
        rows.append((label, seconds, grader_cpu, kids_cpu))
    rows.append(("writing feedback.html and feedback.md", report, None, None))
    rows.append(("TOTAL grade_submission", total_wall, total_cpu, sum(child_cpu.values())))
    for name, seconds in sorted(child_cpu.items()):
        rows.append((f"  of which the {name}(ren)", None, None, seconds))
    rows.append(("fresh `python -c 'import numpy, sympy, torch'`", fresh, None, None))

    def cell(value, width):
        return f"{'' if value is None else f'{value:.2f}':>{width}s}"

    print(f"{'stage':52s} {'wall s':>8s} {'grader CPU s':>13s} {'children CPU s':>15s}")
    for label, w, c, k in rows:
        print(f"{label:52s} {cell(w, 8)} {cell(c, 13)} {cell(k, 15)}")
    print(f"complete submission / fresh imports: {total_wall / fresh:.1f}x")


if __name__ == "__main__":
    main()
