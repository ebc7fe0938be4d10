"""Grading-day throughput: N copies of a problem set's sample submissions, graded with 1 worker and
with every core; then the same batch killed with SIGKILL halfway and resumed, compared with the
uninterrupted run.

    python benchmarks/throughput.py [--pset ps1_linalg] [--copies 200]

Prints submissions per minute and whether the resumed run is identical (scores and every check).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_batch(pset: str, copies: int, root: Path) -> list[Path]:
    samples = sorted(p for p in (REPO / "examples" / pset).iterdir() if p.is_dir())
    subs = []
    for i in range(copies):
        sample = samples[i % len(samples)]
        target = root / f"{i:04d}-{sample.name}"
        shutil.copytree(sample, target, ignore=shutil.ignore_patterns("expected.toml", "__pycache__"))
        subs.append(target)
    return subs


def grade(pset: str, subs: list[Path], out: Path, jobs: int, *, kill_after: int | None = None) -> float:
    command = [sys.executable, "-m", "autograder", "--course", str(REPO), "grade", pset,
               *map(str, subs), "-o", str(out), "-j", str(jobs)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is not None:
        while len(list(out.glob("*/results.json"))) < kill_after and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
    process.wait()
    return time.perf_counter() - start


def comparable(out: Path) -> dict:
    return {p.parent.name: (d["score"], [(t["nodeid"], t["status"], t["score"]) for t in d["tests"]])
            for p in out.glob("*/results.json") for d in [json.loads(p.read_text())]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pset", default="ps1_linalg")
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subs = make_batch(args.pset, args.copies, root / "subs")
        single = max(2, args.copies // 10)
        t1 = grade(args.pset, subs[:single], root / "one", 1)
        tn = grade(args.pset, subs, root / "all", cores)
        print(f"{args.pset}: {args.copies} copies of the samples in examples/{args.pset}")
        print(f"  1 worker:  {single / t1 * 60:7.1f} submissions/min ({single} graded in {t1:.1f} s)")
        print(f"  {cores} workers: {args.copies / tn * 60:7.1f} submissions/min "
              f"({args.copies} graded in {tn:.1f} s; {t1 / single * args.copies / tn:.2f}x)")
        grade(args.pset, subs, root / "killed", cores, kill_after=args.copies // 2)
        halfway = len(list((root / "killed").glob("*/results.json")))
        tr = grade(args.pset, subs, root / "killed", cores)
        same = comparable(root / "killed") == comparable(root / "all")
        print(f"  kill -9 after {halfway} results, rerun ({tr:.1f} s): "
              f"{len(list((root / 'killed').glob('*/results.json')))} results, "
              f"identical to the uninterrupted run: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
