"""One-shot GPU validation run (issue 19): the CUDA path of timing and sandbox, tried on a real GPU.

Owns a benchmark run and its report; it decides no grade and changes nothing in the engine. It
reuses ``benchmarks/timing_checks.py`` (the timing checks as the grader runs them, their slow
variants, one run of one check) and writes one JSON and one Markdown summary. In order, within a
wall budget (default 450 s, so the whole run fits in 8 minutes once set up):

1. grading: every timing check with a GPU variant (of every problem set that has one) on the
   reference and on a slow variant, each in the full sandbox: where it ran, ratio, verdict, time;
2. Adam step on 100M float32 parameters (50 tensors of 2M): the reference's Adam
   (solutions/ps2_stochastic/adaptive.py) against ``torch.optim.Adam(fused=True)`` and
   ``(foreach=True)``: time per step and fraction of the device's memory bandwidth (28 bytes per
   parameter per step; the bandwidth measured by a device copy, the nominal one from the name);
3. the sandbox on a GPU: a sandboxed call that allocates on CUDA works; a call allocating host memory
   beyond the child's limit (RLIMIT_DATA on GPU hosts), and one allocating more device memory than
   the device has, fail cleanly and the child serves the next call; no device memory stays held once
   the child is killed (``torch.cuda.mem_get_info`` before and after);
4. the timing false-fail benchmark on the GPU variants with the rest of the budget: reference and
   alternatives (false fails, flags, inconclusive) and slow variants (detections), round-robin over
   the checks, stopping at the budget; the goal is 50 runs per check, and the report says how many fit.
   At the manifests' GPU sizes a repetition moves up to 200 MB of inputs into each child (64 MB took
   0.19 s on the CPU machine's wire), so one run may take tens of seconds: 50 runs of every check
   will not fit 8 minutes; ``--only`` narrows the run to some checks, ``--budget-s`` widens it.

    benchmarks/gpu_check.sh                  # a GPU machine: set up, then this script (<= 8 min)
    python benchmarks/gpu_check.py --dry-run # CPU (CI): same code paths, tiny sizes, under ~60 s
    python benchmarks/gpu_check.py --budget-s 300 --results results/gpu_check

``--dry-run`` runs every section on the CPU: the CPU variant of each gpu-or-cpu check (the
manifests' sizes, 3 timed repetitions), a couple of benchmark runs, Adam on a few thousand
parameters, and the sandbox checks that make sense without CUDA (host memory limit); the CUDA-only
ones are recorded as "skipped: no GPU". Without ``--dry-run`` a missing GPU is an error, and
AUTOGRADER_REQUIRE_GPU=1 makes a timing check whose sandbox cannot see the GPU an error instead of a
quiet CPU fallback.

Setup (``gpu_check.sh``): the CUDA build of torch must come with the machine, or from the package
registry: on a GPU machine ``pip install torch==2.13.0`` (constraints.txt's pin) pulls the CUDA
build and its NVIDIA libraries (~3 GB; minutes, depending on the network); the rest of ``make setup``
took 2 min 52 s on the CPU machine. A machine that cannot reach a registry must already have a
Python with CUDA torch: ``gpu_check.sh`` then builds the virtualenv on top of it
(``--system-site-packages``) and installs only this package.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import timing_checks  # noqa: E402 - benchmarks/timing_checks.py: checks, sandboxes, one run
from timing_checks import checks, run_once, sandboxes_for, summarize  # noqa: E402

from autograder.sandbox.confine import gpu_devices, host_confinement  # noqa: E402
from autograder.sandbox.errors import StudentError  # noqa: E402
from autograder.sandbox.process import DEFAULT_MEMORY, SandboxedProcess  # noqa: E402
from autograder.timing.runner import REQUIRE_GPU, trusted_child  # noqa: E402

BYTES_PER_PARAM = 28  # Adam, float32: read param, grad, m, v; write param, m, v
NOMINAL_GBPS = {  # HBM bandwidth from the datasheets, by a substring of torch's device name
    "H200": 4800, "H100 NVL": 3900, "H100 PCIe": 2000, "H100": 3350, "A100-SXM4-80GB": 2039,
    "A100 80GB PCIe": 1935, "A100": 1555, "L40S": 864, "L40": 864, "L4": 300, "A10G": 600, "T4": 320,
    "V100": 900, "RTX 4090": 1008,
}

PROBE = '''"""A student's module for the sandbox checks: allocations on the device and on the host."""
import numpy as np

HELD = []


def cuda_sum(mib, device="cuda"):
    import torch
    x = torch.ones(mib << 18, device=device)  # mib MiB of float32
    return float(x.sum().item())


def device_total_mib():
    import torch
    return int(torch.cuda.get_device_properties(0).total_memory >> 20)


def hold_cuda(mib):
    import torch
    HELD.append(torch.ones(mib << 18, device="cuda"))
    torch.cuda.synchronize()
    return int(torch.cuda.memory_allocated() >> 20)


def host_alloc(mib):
    return float(np.ones(mib << 17).sum())  # mib MiB of float64, touched
'''


# ---------------------------------------------------------------------------- 1 and 4: timing


def shrink(check: dict) -> None:
    """Dry run: the check's own variants with 3 timed repetitions after 2 warm-ups."""
    make = check["variants"]

    def variants(rng):
        chosen = make(rng)
        for device in ("cpu", "gpu"):
            if chosen[device] is not None:
                chosen[device] = dataclasses.replace(chosen[device], reps=3, min_reps=3, warmups=(2, 2),
                                                     budget_s=2.0)
        return chosen

    check["variants"] = variants


def one_run(sandbox, trusted, check: dict, run: int) -> dict:
    """``timing_checks.run_once``; an error of the grader itself (e.g. no GPU in the sandbox while
    AUTOGRADER_REQUIRE_GPU=1) becomes status ``grader-error``, a finding like the others."""
    started = time.perf_counter()
    try:
        return run_once(sandbox, trusted, check, run)
    except Exception as exc:  # noqa: BLE001 - a grader error is a finding, reported with the rest
        return {"status": "grader-error", "message": f"{type(exc).__name__}: {exc}"[:300],
                "seconds": time.perf_counter() - started, "device": "unknown"}


def grading_section(selected: list[dict], trusted, deadline: float) -> dict:
    rows = []
    for check in selected:
        for kind in ("reference", "slow"):
            if kind not in check["sandboxes"]:
                continue
            if time.perf_counter() > deadline:
                rows.append(dict(pset=check["pset"], check=check["name"], kind=kind, status="not run",
                                 message="budget spent"))
                continue
            outcome = one_run(check["sandboxes"][kind], trusted, check, 0)
            device = outcome.get("device", "unknown")
            chosen = check["variants"](np.random.default_rng(0))
            variant = chosen["gpu" if device.startswith("cuda") else "cpu"]
            ratio = outcome.get("ratio", math.nan)
            found = re.search(r"took ([0-9.e+-]+)x the time of", outcome.get("message", ""))
            if found and not math.isfinite(ratio):  # a failed check raised: its message has the ratio
                ratio = float(found.group(1))
            row = dict(pset=check["pset"], check=check["name"], kind=kind, policy=check["policy"],
                       device=device, status=outcome["status"], ratio=ratio,
                       threshold=variant.threshold if variant is not None else math.nan,
                       seconds=outcome["seconds"], message=outcome.get("message", "")[:200],
                       as_expected=outcome["status"] == ("passed" if kind == "reference" else "failed"))
            rows.append(row)
            print(f"  {row['pset']:15s} {row['check']:17s} {kind:9s} on {row['device'][:40]:40s} "
                  f"ratio {row['ratio']:7.3g} (threshold {row['threshold']:g}) {row['status']:12s} "
                  f"{row['seconds']:6.1f} s", flush=True)
    return {"status": "ok", "rows": rows}


def false_fail_section(selected: list[dict], trusted, deadline: float, runs: int, slow_runs: int,
                       max_runs: int, graded: list[dict]) -> dict:
    """Round-robin over checks and kinds until ``max_runs`` rounds or the deadline; a run starts
    only if its estimate (its last run, else the grading section's time for it) fits."""
    kinds = ("reference", "alternative", "slow")
    outcomes = {c["name"]: {k: [] for k in kinds} for c in selected}
    last: dict[tuple[str, str], float] = {}
    for row in graded:
        if math.isfinite(row.get("seconds", math.nan)):
            for kind in (("reference", "alternative") if row["kind"] == "reference" else ("slow",)):
                last[(row["check"], kind)] = row["seconds"]
    stopped = False
    for run in range(max_runs):
        for check in selected:
            for kind in kinds:
                if kind not in check["sandboxes"] or (kind == "slow" and run >= slow_runs):
                    continue
                estimate = last.get((check["name"], kind), 0.0)
                if time.perf_counter() + estimate > deadline:
                    stopped = True
                    break
                outcome = one_run(check["sandboxes"][kind], trusted, check, 1000 + run)
                last[(check["name"], kind)] = outcome["seconds"] if math.isfinite(outcome["seconds"]) else 0
                outcomes[check["name"]][kind].append(outcome)
            if stopped:
                break
        if stopped:
            break
        print(f"  ... round {run + 1} done", flush=True)
    table = {}
    for check in selected:
        for kind in kinds:
            found = outcomes[check["name"]][kind]
            if not found:
                continue
            print(summarize(check["name"], kind, found), flush=True)
            ratios = sorted(o["ratio"] for o in found if math.isfinite(o.get("ratio", math.nan)))
            passed = sum(o["status"] == "passed" for o in found)
            flagged = sum(o["status"] == "flagged" for o in found)
            undecided = sum(o["status"] == "inconclusive" for o in found)
            errors = sum(o["status"] == "grader-error" for o in found)
            entry = dict(runs=len(found), passed=passed, flagged=flagged, inconclusive=undecided,
                         grader_errors=errors,
                         devices=sorted({o.get("device", "unknown") for o in found}),
                         seconds_median=statistics.median(o["seconds"] for o in found),
                         ratio_median=statistics.median(ratios) if ratios else math.nan,
                         ratio_max=ratios[-1] if ratios else math.nan)
            if kind == "slow":
                entry["detected"] = len(found) - passed - errors
            else:
                entry["false_fails"] = len(found) - passed - undecided - flagged - errors
            table.setdefault(check["name"], {})[kind] = entry
    done = min((t["reference"]["runs"] for t in table.values() if "reference" in t), default=0)
    return {"status": "ok", "runs_target": runs, "reference_runs_min": done, "stopped_by_budget": stopped,
            "checks": table, "outcomes": outcomes}


# ---------------------------------------------------------------------------- 2: Adam


def reference_adaptive():
    path = REPO / "solutions" / "ps2_stochastic" / "adaptive.py"
    spec = importlib.util.spec_from_file_location("_reference_adaptive", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synchronize(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def copy_bandwidth(device: str, nbytes: int, repeats: int) -> float:
    """Bytes read plus bytes written per second by a device-to-device copy (median)."""
    import torch

    src = torch.ones(nbytes // 4, device=device)
    dst = torch.empty_like(src)
    times = []
    for r in range(repeats + 2):
        synchronize(device)
        t0 = time.perf_counter()
        dst.copy_(src)
        synchronize(device)
        if r >= 2:
            times.append(time.perf_counter() - t0)
    del src, dst
    return 2 * nbytes / statistics.median(times)


def nominal_gbps(name: str) -> float:
    for key, value in NOMINAL_GBPS.items():
        if key in name:
            return float(value)
    return math.nan


def adam_section(device: str, tensors: int, size: int, steps: int) -> dict:
    import torch

    adaptive = reference_adaptive()
    n = tensors * size
    name = torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "cpu"
    bandwidth = copy_bandwidth(device, min(1 << 30, max(64 << 20, 4 * n)), steps)
    options = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    makers = {
        "reference Adam (solutions/ps2_stochastic/adaptive.py)": lambda ps: adaptive.Adam(ps, **options),
        "torch.optim.Adam(fused=True)": lambda ps: torch.optim.Adam(ps, fused=True, **options),
        "torch.optim.Adam(foreach=True)": lambda ps: torch.optim.Adam(ps, foreach=True, **options),
    }
    rows = []
    gen = torch.Generator(device=device).manual_seed(0)
    for label, make in makers.items():
        try:
            params = [torch.randn(size, device=device, generator=gen) for _ in range(tensors)]
            for p in params:
                p.grad = torch.randn(size, device=device, generator=gen)
            optimizer = make(params)
            times = []
            for s in range(steps + 3):  # 3 warm-up steps (state allocated, kernels compiled)
                synchronize(device)
                t0 = time.perf_counter()
                optimizer.step()
                synchronize(device)
                if s >= 3:
                    times.append(time.perf_counter() - t0)
            seconds = statistics.median(times)
            moved = BYTES_PER_PARAM * n / seconds
            rows.append(dict(impl=label, ms_per_step=seconds * 1e3, GBps=moved / 1e9,
                             fraction_of_copy=moved / bandwidth,
                             fraction_of_nominal=moved / (nominal_gbps(name) * 1e9), status="ok"))
            del params, optimizer
        except Exception as exc:  # noqa: BLE001 - e.g. fused Adam unsupported on this device/build
            rows.append(dict(impl=label, status="error", message=f"{type(exc).__name__}: {exc}"[:300]))
        if device == "cuda":
            torch.cuda.empty_cache()
    for row in rows:
        if row["status"] == "ok":
            print(f"  {row['impl']:55s} {row['ms_per_step']:9.3f} ms/step  {row['GBps']:8.1f} GB/s  "
                  f"{100 * row['fraction_of_copy']:5.1f}% of copy bandwidth", flush=True)
        else:
            print(f"  {row['impl']:55s} {row['message']}", flush=True)
    return {"status": "ok", "device": device, "device_name": name, "params": n, "tensors": tensors,
            "steps": steps, "copy_GBps": bandwidth / 1e9, "nominal_GBps": nominal_gbps(name), "rows": rows}


# ---------------------------------------------------------------------------- 3: sandbox


def _expect_failure(sandbox: SandboxedProcess, name: str, args: tuple) -> tuple[bool, str]:
    try:
        value = sandbox.call("gpu_probe", name, args, {}, timeout=120)
    except StudentError as exc:
        return True, f"{type(exc).__name__}: {exc.message}"[:300]
    return False, f"returned {value!r:.100}"


def _serves_next(sandbox: SandboxedProcess) -> bool:
    return sandbox.call("gpu_probe", "host_alloc", (1,), {}, timeout=120) == float(1 << 17)


def _call_on_device(folder: Path, device: str) -> tuple[bool, str]:
    with SandboxedProcess(folder) as sandbox:
        value = sandbox.call("gpu_probe", "cuda_sum", (256, device), {}, timeout=300)
    return value == float(256 << 18), f"256 MiB of ones on {device} summed to {value:.0f} in the sandbox"


def _host_memory_limit(folder: Path, cuda: bool, limit: int) -> tuple[bool, str]:
    with SandboxedProcess(folder, memory_bytes=limit) as sandbox:
        if cuda:  # CUDA initialised first: the limit must hold with the driver's mappings in place
            sandbox.call("gpu_probe", "cuda_sum", (16,), {}, timeout=300)
        failed, detail = _expect_failure(sandbox, "host_alloc", (2 * limit >> 20,))
        survived = _serves_next(sandbox)
    return failed and survived, f"{2 * limit >> 30} GiB asked: {detail}; next call served: {survived}"


def _device_memory_limit(folder: Path) -> tuple[bool, str]:
    with SandboxedProcess(folder) as sandbox:
        total = int(sandbox.call("gpu_probe", "device_total_mib", (), {}, timeout=300))
        failed, detail = _expect_failure(sandbox, "cuda_sum", (total + 1024,))
        survived = _serves_next(sandbox)
    return failed and survived, f"{total + 1024} MiB asked of {total}: {detail}; next call served: {survived}"


def _released_after_kill(folder: Path) -> tuple[bool, str]:
    import torch

    torch.cuda.synchronize()
    free_before = torch.cuda.mem_get_info()[0]
    with SandboxedProcess(folder) as sandbox:
        held = sandbox.call("gpu_probe", "hold_cuda", (2048,), {}, timeout=300)
        free_during = torch.cuda.mem_get_info()[0]
        sandbox.close()  # kills the child's process group
        waited = 0.0
        free_after = torch.cuda.mem_get_info()[0]
        while free_before - free_after > 64 << 20 and waited < 15:  # the driver frees asynchronously
            time.sleep(0.25)
            waited += 0.25
            free_after = torch.cuda.mem_get_info()[0]
    leaked = max(0, free_before - free_after) >> 20
    return (leaked <= 64 and free_before - free_during >= 2048 << 20,
            f"free MiB before {free_before >> 20}, child holding {held} ({free_during >> 20} free), "
            f"after kill {free_after >> 20} (waited {waited:.2f} s)")


def sandbox_section(cuda: bool) -> dict:
    """Each check: passed, failed, error (it raised: the message says where), or skipped."""
    results = []

    def attempt(name: str, probe, *args, skip: str = "") -> None:
        try:
            ok, detail = probe(*args)
            status = skip or ("passed" if ok else "failed")
        except Exception as exc:  # noqa: BLE001 - e.g. CUDA failing to start under the memory limit
            status, detail = "error", f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"[:300]
        if skip and status != "error":
            detail = f"CPU path of the same call: {detail}"
        results.append(dict(name=name, status=status, detail=detail))
        print(f"  {name:55s} {status:16s} {detail[:110]}", flush=True)

    no_gpu = "skipped: no GPU"
    limit = 2 << 30
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        folder = Path(tmp) / "probe"
        folder.mkdir()
        (folder / "gpu_probe.py").write_text(PROBE)
        attempt("allocate on CUDA in the sandbox", _call_on_device, folder, "cuda" if cuda else "cpu",
                skip="" if cuda else no_gpu)
        attempt(f"host memory beyond the limit ({limit >> 30} GiB, {memory_limit_kind()})",
                _host_memory_limit, folder, cuda, limit)
        for name, probe in (("device memory beyond the device", _device_memory_limit),
                            ("no device memory held after the child is killed", _released_after_kill)):
            if cuda:
                attempt(name, probe, folder)
            else:
                results.append(dict(name=name, status=no_gpu, detail=""))
                print(f"  {name:55s} {no_gpu}", flush=True)
    return {"status": "ok", "layers": host_confinement().layers, "memory_limit": memory_limit_kind(),
            "checks": results}


def nvidia_smi() -> str:
    """The driver's view of the GPUs (name, driver, memory), or why there is none."""
    try:
        done = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                               "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"not available: {type(exc).__name__}"
    return (done.stdout or done.stderr).strip()[:500]


def memory_limit_kind() -> str:
    return "RLIMIT_DATA" if gpu_devices() else "RLIMIT_AS"


# ---------------------------------------------------------------------------- report


def markdown(report: dict) -> str:
    meta = report["meta"]
    out = [f"# GPU check{' (dry run, CPU)' if meta['dry_run'] else ''}", "",
           f"{meta['started']}; {meta['gpu'] or 'no GPU'}; torch {meta['torch']}; sandbox layers: "
           f"{', '.join(meta['sandbox_layers'])}; memory limit {meta['memory_limit']}; "
           f"{meta['seconds']:.0f} s of a {meta['budget_s']:.0f} s budget.", ""]
    section = report.get("grading", {})
    out += ["## 1. Grading: reference and slow variant", ""]
    if section.get("status") == "ok":
        out += ["| problem set | check | submission | ran on | ratio | threshold | verdict | as expected "
                "| time |", "|---|---|---|---|---|---|---|---|---|"]
        for r in section["rows"]:
            out.append(f"| {r['pset']} | {r['check']} | {r['kind']} | {r.get('device', '')} | "
                       f"{r.get('ratio', math.nan):.3g} | {r.get('threshold', math.nan):g} | {r['status']} | "
                       f"{r.get('as_expected', '')} | {r.get('seconds', math.nan):.1f} s |")
    else:
        out.append(f"error: {section.get('error', 'not run')}")
    section = report.get("adam", {})
    out += ["", "## 2. Adam step", ""]
    if section.get("status") == "ok":
        out += [f"{section['params']:,} float32 parameters in {section['tensors']} tensors on "
                f"{section['device_name']}; copy bandwidth {section['copy_GBps']:.0f} GB/s (nominal "
                f"{section['nominal_GBps']:.0f} from the name); {BYTES_PER_PARAM} bytes per parameter "
                f"per step; median of {section['steps']} steps.", "",
                "| implementation | ms per step | GB/s | of copy bandwidth | of nominal |",
                "|---|---|---|---|---|"]
        for r in section["rows"]:
            if r["status"] == "ok":
                out.append(f"| {r['impl']} | {r['ms_per_step']:.3f} | {r['GBps']:.1f} | "
                           f"{100 * r['fraction_of_copy']:.1f}% | {100 * r['fraction_of_nominal']:.1f}% |")
            else:
                out.append(f"| {r['impl']} | {r['message']} | | | |")
    else:
        out.append(f"error: {section.get('error', 'not run')}")
    section = report.get("sandbox", {})
    out += ["", "## 3. Sandbox on a GPU", ""]
    if section.get("status") == "ok":
        out += ["| check | status | detail |", "|---|---|---|"]
        out += [f"| {c['name']} | {c['status']} | {c['detail']} |" for c in section["checks"]]
    else:
        out.append(f"error: {section.get('error', 'not run')}")
    section = report.get("false_fails", {})
    out += ["", "## 4. Timing false fails and detections", ""]
    if section.get("status") == "ok":
        stopped = " (stopped by the budget)" if section["stopped_by_budget"] else ""
        out += [f"Goal {section['runs_target']} runs per check; fewest reference runs done: "
                f"{section['reference_runs_min']}{stopped}.",
                "", "| check | submission | ran on | runs | false fails / detected | flags | inconclusive | "
                "ratio median / max | time per check |", "|---|---|---|---|---|---|---|---|---|"]
        for name, kinds in section["checks"].items():
            for kind, e in kinds.items():
                wrong = e["detected"] if kind == "slow" else e["false_fails"]
                out.append(f"| {name} | {kind} | {', '.join(e['devices'])} | {e['runs']} | {wrong} | "
                           f"{e['flagged']} | {e['inconclusive']} | {e['ratio_median']:.3g} / "
                           f"{e['ratio_max']:.3g} | {e['seconds_median']:.1f} s |")
    else:
        out.append(f"error: {section.get('error', 'not run')}")
    return "\n".join(out) + "\n"


def write(report: dict, folder: Path, started: float) -> None:
    report["meta"]["seconds"] = time.perf_counter() - started
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_strict(report), indent=1, default=_plain, allow_nan=False)
    (folder / "gpu_check.json").write_text(text)
    (folder / "gpu_check.md").write_text(markdown(report))


def _strict(value):
    """NaN and infinities as null: the JSON stays strict (jq, browsers)."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value) if math.isfinite(value) else None
    return str(value)


def run_section(report: dict, key: str, title: str, body) -> None:
    print(f"\n== {title}", flush=True)
    try:
        report[key] = body()
    except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others
        traceback.print_exc()
        report[key] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:500]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="on the CPU: tiny sizes, a few runs (CI)")
    parser.add_argument("--results", type=Path, default=REPO / "results" / "gpu_check",
                        help="folder for gpu_check.json and gpu_check.md")
    parser.add_argument("--budget-s", type=float, default=None, help="wall budget of the whole run "
                        "(default 450 s; 60 s with --dry-run)")
    parser.add_argument("--runs", type=int, default=None, help="benchmark runs per check to aim for "
                        "(default 50; 1 with --dry-run); more run while the budget lasts")
    parser.add_argument("--slow-runs", type=int, default=10, help="runs of each slow variant in the "
                        "benchmark (default 10)")
    parser.add_argument("--busy", type=int, default=0, help="busy processes alongside (default 0)")
    parser.add_argument("--only", nargs="+", help="timing check ids to run (chain_product, trace_inner, "
                        "trace_of_product, adam_step, adamw_step, adadelta_step); default every one "
                        "with a GPU variant")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    budget = args.budget_s if args.budget_s is not None else (60.0 if args.dry_run else 450.0)
    runs = args.runs if args.runs is not None else (1 if args.dry_run else 50)
    deadline = started + budget
    share = 0.7 if args.dry_run else 0.4  # of the budget, for grading (a GPU run needs it for the rest)

    import torch

    cuda = torch.cuda.is_available()
    if not args.dry_run and not cuda:
        print("error: no usable GPU (torch.cuda.is_available() is False, torch "
              f"{torch.__version__}): run on a GPU machine with the CUDA build of torch, or pass --dry-run",
              file=sys.stderr)
        return 2
    if args.dry_run:
        cuda = False
    else:
        os.environ[REQUIRE_GPU] = "1"  # a GPU check whose sandbox sees no GPU: an error, not a fallback
    report = {"meta": dict(started=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                           dry_run=args.dry_run, host=platform.node(), cpus=os.cpu_count(),
                           python=platform.python_version(), torch=torch.__version__,
                           gpu=torch.cuda.get_device_name(0) if cuda else "", torch_cuda=torch.version.cuda,
                           nvidia_smi=nvidia_smi(),
                           device_nodes=[str(p) for p in gpu_devices()], memory_limit=memory_limit_kind(),
                           default_memory_gib=DEFAULT_MEMORY / 2**30, budget_s=budget,
                           sandbox_layers=host_confinement().layers,
                           benchmark=str(Path(timing_checks.__file__).relative_to(REPO)))}
    selected = [c for c in checks(gpu_only=True) if not args.only or c["name"] in args.only]
    if args.dry_run:
        for check in selected:
            shrink(check)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
            (Path(tmp) / "trusted").mkdir()
            trusted = trusted_child(Path(tmp) / "trusted")
            sandboxes = sandboxes_for(selected, Path(tmp))
            try:
                run_section(report, "grading", "1. grading: reference and slow variant, full sandbox",
                            lambda: grading_section(selected, trusted, started + share * budget))
                write(report, args.results, started)
                device = "cuda" if cuda else "cpu"
                tensors, size, steps = (50, 2_000_000, 20) if cuda else (4, 1024, 3)
                run_section(report, "adam", f"2. Adam step, {tensors * size:,} float32 parameters",
                            lambda: adam_section(device, tensors, size, steps))
                write(report, args.results, started)
                run_section(report, "sandbox", "3. sandbox on a GPU", lambda: sandbox_section(cuda))
                write(report, args.results, started)
                run_section(report, "false_fails", "4. timing false fails and detections",
                            lambda: false_fail_section(selected, trusted, deadline - 5, runs,
                                                       min(args.slow_runs, runs),
                                                       runs if args.dry_run else 10_000,
                                                       report["grading"].get("rows", [])))
            finally:
                for sandbox in [*sandboxes, trusted]:
                    sandbox.__exit__(None, None, None)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    write(report, args.results, started)
    print(f"\n{report['meta']['seconds']:.0f} s; results in {args.results}/gpu_check.json and gpu_check.md")
    broken = [k for k in ("grading", "adam", "sandbox", "false_fails") if report[k].get("status") != "ok"]
    if broken:
        print(f"error: sections that did not complete: {', '.join(broken)} (see the JSON)", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
