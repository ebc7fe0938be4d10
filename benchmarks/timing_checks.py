"""How often the timing checks get it wrong: a benchmark, not a timed test.

Runs every timing check ([[timing]] in the manifests) of ps1_linalg and ps2_stochastic N times
(default 200) on the reference solution and on a slow-but-correct variant of it, each in the real
sandbox, with a busy process keeping another core loaded (as on a grading machine running other
work), and prints per check the false-fail rate (reference not passed), the detection rate (slow
variant not passed), the ratios measured and the time one check takes.

    python benchmarks/timing_checks.py                 # N = 200, one core kept busy
    python benchmarks/timing_checks.py --runs 20 --no-busy --only chain_product --json out.json

The slow variants: chain_product left to right; trace_inner forming A^T B; trace_of_product in the
given order; Adam/AdamW with a Python loop over elements (stopped by the deadline).
"""

from __future__ import annotations

import argparse
import json
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
from autograder.timing import Timing, TimingFlagged  # noqa: E402
from autograder.timing.check import load_workload, variant  # noqa: E402

SLOW_LINALG = {
    "matrix_chain.py": '''

def chain_product(mats):  # slow but correct: left to right
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out
''',
    "trace.py": '''

def trace_inner(A, B):  # slow but correct: forms A^T B
    return float((A.T @ B).trace())


def trace_of_product(mats):  # slow but correct: the product in the given order
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return float(out.trace())
''',
}

SLOW_ADAPTIVE = {"adaptive.py": '''

def _adam_step(optimizer, closure, decoupled):  # slow but correct: a Python loop over elements
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    for group in optimizer.param_groups:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = optimizer.state[p]
            if len(state) == 0:
                state["step"] = torch.tensor(0.0)
                state["exp_avg"] = torch.zeros_like(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
            state["step"] += 1
            t = state["step"].item()
            x, g = p.view(-1), p.grad.reshape(-1)
            m, v = state["exp_avg"].view(-1), state["exp_avg_sq"].view(-1)
            for i in range(x.numel()):
                gi = g[i].item()
                if weight_decay != 0:
                    if decoupled:
                        x[i] = x[i] * (1 - lr * weight_decay)
                    else:
                        gi = gi + weight_decay * x[i].item()
                m[i] = beta1 * m[i] + (1 - beta1) * gi
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                denom = (v[i] / (1 - beta2**t)).sqrt() + eps
                x[i] = x[i] - lr / (1 - beta1**t) * m[i] / denom
    return loss
'''}


def checks() -> list[dict]:
    """Every [[timing]] entry of the two problem sets' manifests, as the grader runs it."""
    found = []
    for pset_id, slow in (("ps1_linalg", SLOW_LINALG), ("ps2_stochastic", SLOW_ADAPTIVE)):
        pset = load_problem_set(REPO / "solutions" / pset_id)
        for entry in pset.timing:
            found.append(dict(name=entry.function, pset=pset_id, target=entry.target,
                              workload=load_workload(pset, entry), slow=slow,
                              variants=lambda rng, e=entry: dict(device_policy=e.device_policy,
                                                                 cpu=variant(e.cpu, rng),
                                                                 gpu=variant(e.gpu, rng))))
    return found


def submission(root: Path, pset: Path, kind: str, slow: dict[str, str]) -> Path:
    folder = root / f"{pset.name}-{kind}"
    if not folder.exists():
        folder.mkdir()
        for path in pset.glob("*.py"):
            shutil.copyfile(path, folder / path.name)
        if kind == "slow":
            for name, extra in slow.items():
                with open(folder / name, "a") as f:
                    f.write(extra)
    return folder


class Quiet:
    def note(self, text):
        pass

    def bars(self, *args, **kwargs):
        pass


def run_once(sandbox, check: dict, run: int) -> dict:
    rng = np.random.default_rng([run, 7])
    timing = Timing(sandbox, secret=f"benchmark-{run}", call_timeout=30.0, feedback=Quiet())
    started = time.perf_counter()
    try:
        result = timing.compare(check["target"], check["workload"], **check["variants"](rng))
        outcome = {"status": result.status, "ratio": result.ratio, "attempts": result.attempts,
                   "student_ms": result.student_ms, "baseline_ms": result.baseline_ms,
                   "reasons": result.reasons}
    except TimingFlagged as exc:
        outcome = {"status": "flagged", "message": str(exc)}
    except AssertionError as exc:
        outcome = {"status": "failed", "message": str(exc)}
    except StudentError as exc:
        outcome = {"status": "error", "message": exc.message}
    outcome["seconds"] = time.perf_counter() - started
    return outcome


def summarize(name: str, kind: str, outcomes: list[dict]) -> str:
    n = len(outcomes)
    passed = sum(o["status"] == "passed" for o in outcomes)
    ratios = sorted(o["ratio"] for o in outcomes if "ratio" in o)
    seconds = [o["seconds"] for o in outcomes]
    retried = sum(len(o.get("attempts", [])) > 1 for o in outcomes)
    rate = f"false fails {n - passed}/{n}" if kind == "reference" else f"detected {n - passed}/{n}"
    line = f"{name:17s} {kind:9s} {rate:20s} time/check median {statistics.median(seconds):5.2f} s " \
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
    parser.add_argument("--only", nargs="*", help="check names (chain_product, trace_inner, ...)")
    parser.add_argument("--no-busy", action="store_true", help="do not keep another core busy")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    args = parser.parse_args()
    selected = [c for c in checks() if not args.only or c["name"] in args.only]
    slow_runs = args.runs if args.slow_runs is None else args.slow_runs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up the busy process on kill too
    busy = None if args.no_busy else subprocess.Popen([sys.executable, "-c", "while True: pass"])
    outcomes: dict[str, dict[str, list]] = {c["name"]: {"reference": [], "slow": []} for c in selected}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="timing-bench-") as tmp:
            sandboxes = {}
            for check in selected:
                pset = load_problem_set(REPO / "solutions" / check["pset"])
                banned = tuple(dict.fromkeys(b for p in pset.problems for b in p.banned))
                allowed = tuple(dict.fromkeys(a for p in pset.problems for a in p.allowed))
                for kind in ("reference", "slow"):
                    folder = submission(Path(tmp), pset.root, kind, check["slow"])
                    if folder not in sandboxes:
                        sandboxes[folder] = SandboxedProcess(folder, banned=banned, allowed=allowed)
                    check[kind] = sandboxes[folder]
            for run in range(max(args.runs, slow_runs)):
                for check in selected:
                    for kind, count in (("reference", args.runs), ("slow", slow_runs)):
                        if run < count:
                            outcomes[check["name"]][kind].append(run_once(check[kind], check, run))
                if (run + 1) % 10 == 0:
                    print(f"... {run + 1} runs, {time.perf_counter() - started:.0f} s", flush=True)
                    if args.json:  # partial results survive an interrupted run
                        args.json.write_text(json.dumps(outcomes, indent=1, default=float))
            for sandbox in sandboxes.values():
                sandbox.__exit__(None, None, None)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    print(f"\n{len(selected)} checks, {args.runs} runs on the reference and {slow_runs} on the slow "
          f"variants, {'another core kept busy' if busy else 'no extra load'}, "
          f"{time.perf_counter() - started:.0f} s in all")
    for check in selected:
        for kind in ("reference", "slow"):
            if outcomes[check["name"]][kind]:
                print(summarize(check["name"], kind, outcomes[check["name"]][kind]))
    if args.json:
        args.json.write_text(json.dumps(outcomes, indent=1, default=float))
    ok = all(o["status"] == "passed" for c in outcomes.values() for o in c["reference"]) and \
        all(o["status"] != "passed" for c in outcomes.values() for o in c["slow"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
