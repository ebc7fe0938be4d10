"""Sandbox start-up: how long until a child is confined, has the problem set's libraries imported and
answers its first call — warm (forked from a template, ``autograder.sandbox.zygote``) and cold (a new
interpreter under bubblewrap and setpriv) — next to a fresh interpreter importing the same libraries
without any sandbox. Interleaved, in one process; medians.

    python benchmarks/startup.py [--repeats 15] [--preload torch]

The template's own start (once per grading process and library set) is printed separately.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.sandbox import zygote
from autograder.sandbox.confine import host_confinement
from autograder.sandbox.process import SandboxedProcess


def start_and_call(folder: Path, preload: tuple[str, ...], warm: bool) -> tuple[float, bool]:
    os.environ["AUTOGRADER_WARM_START"] = "1" if warm else "0"
    started = time.perf_counter()
    with SandboxedProcess(folder, preload=preload) as child:
        assert child.call("mod", "answer", (), {}, timeout=60) == 42
        return time.perf_counter() - started, child.warm


def fresh_import(preload: tuple[str, ...]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {', '.join(preload) or 'sys'}"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--preload", nargs="*", default=["numpy", "torch", "sympy"])
    args = parser.parse_args()
    preload = tuple(args.preload)
    print(f"confinement: {', '.join(host_confinement().layers)}; preload: {', '.join(preload)}")
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "submission"
        folder.mkdir()
        (folder / "mod.py").write_text("def answer():\n    return 42\n")
        started = time.perf_counter()
        template = zygote.zygote_for(preload)
        print(f"template start (once per grading process): {time.perf_counter() - started:.2f} s"
              + ("" if template else " -- unavailable, warm starts fall back to cold"))
        times: dict[str, list[float]] = {"warm": [], "cold": [], "fresh": []}
        warm_used = True
        for _ in range(args.repeats):
            seconds, used = start_and_call(folder, preload, warm=True)
            times["warm"].append(seconds)
            warm_used &= used
            times["cold"].append(start_and_call(folder, preload, warm=False)[0])
            times["fresh"].append(fresh_import(preload))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{'start to first answer':34s} {'median':>9s} {'max':>9s}")
    labels = {"warm": "warm child (forked from template)", "cold": "cold child (new interpreter)",
              "fresh": "python -c 'import ...' (no sandbox)"}
    for name, label in labels.items():
        print(f"{label:34s} {med[name] * 1000:7.0f} ms {max(times[name]) * 1000:7.0f} ms")
    print(f"warm / cold: {med['warm'] / med['cold']:.3f}; warm / fresh import: "
          f"{med['warm'] / med['fresh']:.3f}" + ("" if warm_used else "  (warm starts were NOT used)"))


if __name__ == "__main__":
    main()
