"""How often the timing checks get it wrong: a benchmark, not a timed test.

Runs every timing check ([[timing]] in the manifests) of every problem set that has some (``--psets``
picks some; ``--gpu-checks`` keeps those with a GPU variant) N times (default 200) on the reference
solution, on correct alternatives written differently, and on a slow-but-correct variant, each in the
real sandbox (student's child and clean trusted child), with busy processes oversubscribing the
cores (default 8: about 4x on a 2-core machine), and prints per check the false fails (reference or
alternative failed), the flags (an accusation: must stay ~0), the inconclusive results (no verdict,
measured again by the batch), the detection rate (slow variant not passed), the ratios measured and
the time one check takes.

    python benchmarks/timing_checks.py                 # N = 200, 8 busy processes
    python benchmarks/timing_checks.py --runs 20 --busy 0 --only chain_product --json out.json
    python benchmarks/timing_checks.py --psets ps2_stochastic ps4_methods --gpu-checks --runs 50
    python benchmarks/timing_checks.py --runs 10 --busy 2 --compare-early-stop  # the early stop's gain

The slow variants and alternatives live beside their problem set, in
``solutions/<pset>/checks/hidden/timing_variants.py`` (never released): ``SLOW`` and
``ALTERNATIVES``, text appended to a copy of the reference module named by each key (e.g. ps1's
chain_product left to right, trace_inner forming A^T B; ps2's Adam and ps4's Adadelta with a Python
loop over elements, stopped by the deadline). A check whose module has neither (ps4's mds_grad) is
run on the reference only; a new problem set needs no change here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.problemset import load_problem_set  # noqa: E402
from autograder.sandbox.errors import StudentError  # noqa: E402
from autograder.sandbox.process import SandboxedProcess  # noqa: E402
from autograder.timing import Timing, TimingFlagged, TimingInconclusive  # noqa: E402
from autograder.timing.manifest import load_workload, variant  # noqa: E402
from autograder.timing.runner import trusted_child  # noqa: E402
from autograder.trusted_files import import_file  # noqa: E402

VARIANTS = "timing_variants.py"  # in a problem set's hidden checks: SLOW and ALTERNATIVES, by module file


# What a busy process runs (``--load``): each keeps a core busy in its own way.
LOADS = {
    "spin": "while True: pass",
    "memory": "import numpy as np\nwhile True: np.ones(1 << 25)",
    "fork": "import subprocess, sys\nwhile True: subprocess.run([sys.executable, '-c', 'pass'])",
}


def loads(kind: str, count: int) -> list[str]:
    """The programs of ``count`` busy processes of one kind of load (``mixed``: the kinds in turn)."""
    kinds = sorted(LOADS) if kind == "mixed" else [kind]
    return [LOADS[kinds[i % len(kinds)]] for i in range(count)]


def problem_sets() -> list[str]:
    """Every problem set under solutions/ with [[timing]] entries in its manifest."""
    return sorted(path.parent.name for path in (REPO / "solutions").glob("*/problemset.toml")
                  if load_problem_set(path.parent).timing)


def variants(pset) -> tuple[dict[str, str], dict[str, str]]:
    """The problem set's slow variants and alternatives (``checks/hidden/timing_variants.py``: text
    appended to a copy of the reference module named by each key); none where it has no such file."""
    path = pset.hidden_checks_dir / VARIANTS if pset.hidden_checks_dir else None
    if path is None or not path.is_file():
        return {}, {}
    module = import_file(f"_benchmark_timing_variants_{pset.id}", path)
    return dict(getattr(module, "SLOW", {})), dict(getattr(module, "ALTERNATIVES", {}))


def checks(psets: tuple[str, ...] | None = None, gpu_only: bool = False) -> list[dict]:
    """Every [[timing]] entry of the problem sets' manifests (default: every problem set's), as the
    grader runs it; ``gpu_only``: only the entries with a GPU variant (device policy gpu-or-cpu or
    gpu-or-skip)."""
    found = []
    for pset_id in problem_sets() if psets is None else psets:
        pset = load_problem_set(REPO / "solutions" / pset_id)
        slow, alternative = variants(pset)
        for entry in pset.timing:
            if gpu_only and entry.device_policy == "cpu":
                continue
            module = entry.target.partition(".")[0] + ".py"
            found.append(dict(name=entry.id, pset=pset_id, target=entry.target,
                              workload=load_workload(pset, entry), policy=entry.device_policy,
                              slow=slow if module in slow else None,
                              alternative=alternative if module in alternative else None,
                              variants=lambda rng, e=entry: dict(device_policy=e.device_policy,
                                                                 cpu=variant(e.cpu, rng),
                                                                 gpu=variant(e.gpu, rng))))
    return found


def submission(root: Path, pset: Path, kind: str, extra: dict[str, str]) -> Path:
    folder = root / f"{pset.name}-{kind}"
    if not folder.exists():
        folder.mkdir()
        for path in pset.glob("*.py"):
            shutil.copyfile(path, folder / path.name)
        for name, text in extra.items():
            with open(folder / name, "a") as f:
                f.write(text)
    return folder


class Quiet:
    """The checks' feedback, kept quiet: only the notes ("timed on cuda (...); ...") are kept."""

    def __init__(self):
        self.notes: list[str] = []

    def note(self, text):
        self.notes.append(text)

    def bars(self, *args, **kwargs):
        pass


def run_once(sandbox, trusted, check: dict, run: int, full_reps: bool = False) -> dict:
    """One comparison as the grader runs it; ``full_reps``: without the early stop at a clear verdict
    (every repetition up to ``reps`` within ``budget_s``, as before it existed)."""
    rng = np.random.default_rng([run, 7])
    feedback = Quiet()
    timing = Timing(sandbox, secret=f"benchmark-{run}", call_timeout=30.0, feedback=feedback,
                    trusted=trusted)
    started = time.perf_counter()
    try:
        variants = check["variants"](rng)
        if full_reps:
            variants.update({d: dataclasses.replace(v, min_reps=v.reps) for d in ("cpu", "gpu")
                             if (v := variants[d]) is not None})
        result = timing.compare(check["target"], check["workload"], **variants)
        outcome = {"status": result.status, "ratio": result.ratio, "attempts": result.attempts,
                   "student_ms": result.student_ms, "baseline_ms": result.baseline_ms,
                   "reasons": result.reasons, "device": result.device, "measure": result.measure,
                   "threshold": result.threshold, "timed_reps": result.timed_reps}
    except TimingFlagged as exc:
        outcome = {"status": "flagged", "message": str(exc)}
    except TimingInconclusive as exc:
        outcome = {"status": "inconclusive", "message": str(exc)}
    except AssertionError as exc:
        outcome = {"status": "failed", "message": str(exc)}
    except StudentError as exc:
        outcome = {"status": "error", "message": exc.message}
    outcome["seconds"] = time.perf_counter() - started
    if "device" not in outcome:  # a failed check raised: where it ran is in its note
        where = [n.removeprefix("timed on ") for n in feedback.notes if n.startswith("timed on ")]
        outcome["device"] = where[-1][:where[-1].find(")") + 1] or where[-1] if where else "unknown"
    return outcome


def sandboxes_for(selected: list[dict], root: Path) -> list[SandboxedProcess]:
    """A sandboxed child per submission (reference, alternative, slow variant; copies under
    ``root``), recorded in each check's ``sandboxes``; returns them all, to close."""
    sandboxes: dict[Path, SandboxedProcess] = {}
    for check in selected:
        pset = load_problem_set(REPO / "solutions" / check["pset"])
        banned = tuple(dict.fromkeys(b for p in pset.problems for b in p.banned))
        allowed = tuple(dict.fromkeys(a for p in pset.problems for a in p.allowed))
        for kind, extra in (("reference", {}), ("alternative", check["alternative"]),
                            ("slow", check["slow"])):
            if extra is None:
                continue
            folder = submission(root, pset.root, kind, extra)
            if folder not in sandboxes:  # started as the grader starts it (warm, with the preloads)
                sandboxes[folder] = SandboxedProcess(folder, banned=banned, allowed=allowed,
                                                     preload=pset.preload)
            check.setdefault("sandboxes", {})[kind] = sandboxes[folder]
    return list(sandboxes.values())


def summarize(name: str, kind: str, outcomes: list[dict]) -> str:
    n = len(outcomes)
    passed = sum(o["status"] == "passed" for o in outcomes)
    ratios = sorted(o["ratio"] for o in outcomes if "ratio" in o)
    seconds = [o["seconds"] for o in outcomes]
    retried = sum(len(o.get("attempts", [])) > 1 for o in outcomes)
    flagged = sum(o["status"] == "flagged" for o in outcomes)
    undecided = sum(o["status"] == "inconclusive" for o in outcomes)
    if kind.startswith("slow"):
        rate = f"detected {n - passed}/{n}"
    else:
        wrong = n - passed - undecided - flagged
        rate = f"false fails {wrong}/{n}, flags {flagged}, inconclusive {undecided}"
    line = f"{name:20s} {kind:11s} {rate:44s} time/check median {statistics.median(seconds):5.2f} s " \
           f"max {max(seconds):5.2f} s"
    if ratios:
        p95 = ratios[int(0.95 * (len(ratios) - 1))]
        line += (f"  ratio median {statistics.median(ratios):.3g} p95 {p95:.3g} max {ratios[-1]:.3g}; "
                 f"retried {retried}")
    kinds: dict[str, int] = {}
    for o in outcomes:
        if o["status"] != "passed":
            key = f"{o['status']}: {o.get('message', '')[:70]}"
            kinds[key] = kinds.get(key, 0) + 1
    for key, count in sorted(kinds.items(), key=lambda kv: -kv[1])[:4]:
        line += f"\n{'':28s}{count:4d}x {key}"
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per check and submission")
    parser.add_argument("--slow-runs", type=int, default=None, help="runs of the slow variants "
                        "(default: --runs)")
    parser.add_argument("--only", nargs="*", help="check ids ([[timing]] id: chain_product, trace_inner, "
                        "adam_step, ...)")
    parser.add_argument("--compare-early-stop", action="store_true", help="run every comparison twice, "
                        "in turn: as graded (stopping at a clear verdict) and with every repetition, and "
                        "print both and the ratio of their times")
    parser.add_argument("--busy", type=int, default=8, help="busy processes to run alongside (8 on 2 "
                        "cores: about 4x oversubscribed)")
    parser.add_argument("--load", choices=[*sorted(LOADS), "mixed"], default="spin",
                        help="what the busy processes do: spin (a Python loop), memory (fill and free "
                        "256 MB arrays: page faults and zeroing in the kernel), fork (start and reap "
                        "short-lived processes), mixed (a third each)")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    known = problem_sets()
    parser.add_argument("--psets", nargs="+", default=known, choices=known,
                        help="problem sets whose timing checks run (default: all that have some)")
    parser.add_argument("--gpu-checks", action="store_true", help="only the checks with a GPU variant "
                        "(timed on the GPU where there is one)")
    args = parser.parse_args()
    selected = [c for c in checks(tuple(args.psets), args.gpu_checks)
                if not args.only or c["name"] in args.only]
    slow_runs = args.runs if args.slow_runs is None else args.slow_runs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up the busy process on kill too
    busy = [subprocess.Popen([sys.executable, "-c", load]) for load in loads(args.load, args.busy)]
    kinds = ("reference", "alternative", "slow")
    if args.compare_early_stop:
        kinds += tuple(f"{k} (all reps)" for k in kinds)
    outcomes: dict[str, dict[str, list]] = {c["name"]: {k: [] for k in kinds} for c in selected}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="timing-bench-") as tmp:
            (Path(tmp) / "trusted").mkdir()
            preload = tuple(dict.fromkeys(m for c in selected
                                          for m in load_problem_set(REPO / "solutions" / c["pset"]).preload))
            trusted = trusted_child(Path(tmp) / "trusted", preload)
            sandboxes = sandboxes_for(selected, Path(tmp))
            for run in range(max(args.runs, slow_runs)):
                for check in selected:
                    for kind, count in (("reference", args.runs), ("alternative", args.runs),
                                        ("slow", slow_runs)):
                        if run < count and kind in check["sandboxes"]:
                            modes = [False, True] if args.compare_early_stop else [False]
                            for full in modes[::-1] if run % 2 else modes:  # alternate the order
                                outcomes[check["name"]][f"{kind} (all reps)" if full else kind].append(
                                    run_once(check["sandboxes"][kind], trusted, check, run, full))
                if (run + 1) % 10 == 0:
                    print(f"... {run + 1} runs, {time.perf_counter() - started:.0f} s", flush=True)
                    if args.json:  # partial results survive an interrupted run
                        args.json.write_text(json.dumps(outcomes, indent=1, default=float))
            for sandbox in [*sandboxes, trusted]:
                sandbox.__exit__(None, None, None)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    print(f"\n{len(selected)} checks, {args.runs} runs on the reference and alternatives and {slow_runs} "
          f"on the slow variants, {args.busy} busy processes ({args.load}) on {os.cpu_count()} cores, "
          f"{time.perf_counter() - started:.0f} s in all")
    for check in selected:
        for kind in kinds:
            if outcomes[check["name"]][kind]:
                print(summarize(check["name"], kind, outcomes[check["name"]][kind]))
    if args.compare_early_stop:
        print("\nearly stop at a clear verdict: median time per check, as graded / with every repetition")
        for check in selected:
            for kind in kinds[:3]:
                graded, full = outcomes[check["name"]][kind], outcomes[check["name"]][f"{kind} (all reps)"]
                if graded and full:
                    agree = sum(a["status"] == b["status"] for a, b in zip(graded, full, strict=True))
                    time_graded = statistics.median(o["seconds"] for o in graded)
                    time_full = statistics.median(o["seconds"] for o in full)
                    print(f"{check['name']:20s} {kind:11s} {time_graded:5.2f} s / {time_full:5.2f} s = "
                          f"{time_graded / time_full:.2f}; same verdict {agree}/{len(graded)}")
    if args.json:
        args.json.write_text(json.dumps(outcomes, indent=1, default=float))
    honest = [o for c in outcomes.values() for k in c if not k.startswith("slow") for o in c[k]]
    ok = all(o["status"] in ("passed", "inconclusive") for o in honest) and \
        all(o["status"] != "passed" for c in outcomes.values() for k in c if k.startswith("slow")
            for o in c[k])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
