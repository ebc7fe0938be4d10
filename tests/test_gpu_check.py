"""The one-shot GPU validation run (benchmarks/gpu_check.py) in its CPU dry run: every section runs
end to end in the real sandbox, so the script cannot rot between the rare runs on a GPU machine."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("grading", "adam", "sandbox", "false_fails")
TIMING_STATUSES = {"passed", "failed", "flagged", "inconclusive", "error", "not run"}


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict, Path]:
    results = tmp_path_factory.mktemp("gpu_check")
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "gpu_check.py"), "--dry-run",
                           "--results", str(results)], capture_output=True, text=True, timeout=300)
    report = json.loads((results / "gpu_check.json").read_text())
    return done, report, results


@pytest.mark.slow
def test_dry_run_completes_every_section(dry_run):
    done, report, results = dry_run
    assert done.returncode == 0, done.stderr[-2000:]
    assert all(report[s]["status"] == "ok" for s in SECTIONS), {s: report[s] for s in SECTIONS}
    assert report["meta"]["dry_run"] is True and report["meta"]["gpu"] == ""
    markdown = (results / "gpu_check.md").read_text()
    assert all(f"## {n}." in markdown for n in range(1, 5))


@pytest.mark.slow
def test_dry_run_grades_every_gpu_timing_check_on_its_cpu_fallback(dry_run):
    _, report, _ = dry_run
    rows = report["grading"]["rows"]
    graded = {(r["pset"], r["check"], r["kind"]) for r in rows}
    for check in ("chain_product", "trace_inner", "trace_of_product"):
        assert {("ps1_linalg", check, "reference"), ("ps1_linalg", check, "slow")} <= graded
    assert ("ps2_stochastic", "adam_step", "reference") in graded
    assert ("ps4_methods", "adadelta_step", "slow") in graded
    for row in rows:
        assert row["status"] in TIMING_STATUSES, row
        if row["status"] != "not run":
            assert row["device"].startswith("cpu (") and "no GPU in the sandbox" in row["device"], row
            assert row["threshold"] > 0 and row["seconds"] > 0, row
    slow = [r for r in rows if r["kind"] == "slow" and r["status"] != "not run"]
    assert slow and all(r["status"] != "passed" for r in slow), slow  # a slow variant never passes


@pytest.mark.slow
def test_dry_run_times_three_adam_implementations_against_the_copy_bandwidth(dry_run):
    _, report, _ = dry_run
    adam = report["adam"]
    assert adam["device"] == "cpu" and adam["params"] == adam["tensors"] * 1024
    assert math.isfinite(adam["copy_GBps"]) and adam["copy_GBps"] > 0
    names = [r["impl"] for r in adam["rows"]]
    assert len(names) == 3 and "reference" in names[0]
    assert "fused=True" in names[1] and "foreach=True" in names[2]
    for row in adam["rows"]:
        assert row["status"] == "ok", row
        assert row["ms_per_step"] > 0 and 0 < row["fraction_of_copy"] < 10, row


@pytest.mark.slow
def test_dry_run_checks_the_memory_limit_and_marks_cuda_checks_skipped(dry_run):
    _, report, _ = dry_run
    sandbox = report["sandbox"]
    statuses = {c["name"]: c["status"] for c in sandbox["checks"]}
    limit = next(name for name in statuses if name.startswith("host memory beyond the limit"))
    assert statuses.pop(limit) == "passed"
    assert len(statuses) == 3 and set(statuses.values()) == {"skipped: no GPU"}
    assert sandbox["memory_limit"] == "RLIMIT_AS"  # no /dev/nvidia* here


@pytest.mark.slow
def test_dry_run_benchmark_counts_runs_per_check_and_kind(dry_run):
    _, report, _ = dry_run
    bench = report["false_fails"]
    assert bench["runs_target"] == 1 and bench["checks"]
    for name, kinds in bench["checks"].items():
        for kind, entry in kinds.items():
            assert entry["runs"] >= 1 and entry["seconds_median"] > 0, (name, kind, entry)
            assert entry["passed"] + entry["flagged"] + entry["inconclusive"] <= entry["runs"]
            key = "detected" if kind == "slow" else "false_fails"
            assert 0 <= entry[key] <= entry["runs"], (name, kind, entry)
            assert bench["outcomes"][name][kind], (name, kind)
