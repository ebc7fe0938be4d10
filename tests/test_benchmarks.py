"""The benchmarks that swap a piece of the engine still find it (they are not run by CI otherwise)."""

from __future__ import annotations

import importlib.util

from .conftest import REPO


def _benchmark(name: str):
    spec = importlib.util.spec_from_file_location(f"_benchmark_{name}", REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sandbox_overhead_grades_in_process_with_the_same_score(toy, monkeypatch):
    bench = _benchmark("sandbox_overhead")
    started, original = [], bench.InProcess.__init__

    def recording(self, submission_dir, **kwargs):
        started.append(submission_dir)
        original(self, submission_dir, **kwargs)

    monkeypatch.setattr(bench.InProcess, "__init__", recording)
    _, in_process = bench.timed_grade(toy, sandboxed=False, public_only=True)
    assert started, "the in-process stand-in was not used"
    _, sandboxed = bench.timed_grade(toy, sandboxed=True, public_only=True)
    assert in_process == sandboxed > 0
