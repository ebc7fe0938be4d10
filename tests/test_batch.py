"""Grading day: many submissions in parallel, resumable after any interruption, on a Dask cluster too."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grading.batch import grade_batch
from autograder.problemset import load_problem_set

from .conftest import TOY_COURSE

ARITH = (TOY_COURSE / "solutions" / "toy" / "arith.py").read_text()
ARRAYS = (TOY_COURSE / "solutions" / "toy" / "arrays.py").read_text()


def make_submissions(root: Path, count: int) -> list[Path]:
    """``count`` submissions with different scores: every third is wrong in a different way."""
    subs = []
    for i in range(count):
        folder = root / f"student{i:03d}"
        folder.mkdir(parents=True)
        arith = ARITH if i % 3 else ARITH.replace("return a + b", "return a + b + 1")
        (folder / "arith.py").write_text(arith)
        (folder / "arrays.py").write_text(ARRAYS if i % 4 else "def double(x):\n    return x\n")
        subs.append(folder)
    return subs


def comparable(results_dir: Path) -> dict:
    """Each result without what legitimately differs between runs (times and timestamps)."""
    out = {}
    for path in sorted(results_dir.glob("*/results.json")):
        data = json.loads(path.read_text())
        out[path.parent.name] = (data["score"], data["fingerprint"],
                                 [(t["nodeid"], t["status"], t["score"], t["output"]) for t in data["tests"]])
    return out


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory, toy):
    """An uninterrupted sequential run: what every other way of grading must reproduce."""
    root = tmp_path_factory.mktemp("reference")
    subs = make_submissions(root / "subs", 12)
    outcome = grade_batch(toy, subs, root / "out", jobs=1)
    assert outcome.graded == 12 and len({r.score for r in outcome.results}) > 2
    return comparable(root / "out")


def test_a_parallel_batch_gives_the_same_results_as_a_sequential_one(toy, tmp_path, reference_run):
    subs = make_submissions(tmp_path / "subs", 12)
    outcome = grade_batch(toy, subs, tmp_path / "out", jobs=2)
    assert outcome.graded == 12 and comparable(tmp_path / "out") == reference_run


def test_a_rerun_keeps_what_is_unchanged_and_regrades_what_changed(toy, tmp_path):
    subs = make_submissions(tmp_path / "subs", 4)
    out = tmp_path / "out"
    assert grade_batch(toy, subs, out, jobs=1).graded == 4
    again = grade_batch(toy, subs, out, jobs=1)
    assert (again.graded, again.reused) == (0, 4)
    (subs[1] / "arith.py").write_text(ARITH.replace("return a + b", "return a - b"))
    changed = grade_batch(toy, subs, out, jobs=1)
    assert (changed.graded, changed.reused) == (1, 3)
    assert changed.results[1].score < 10
    assert grade_batch(toy, subs, out, jobs=1, regrade=True).graded == 4


def test_editing_the_statement_keeps_a_graded_batch_and_editing_a_check_regrades_it(tmp_path):
    course = tmp_path / "toy"
    shutil.copytree(TOY_COURSE / "solutions" / "toy", course)
    pset = load_problem_set(course)
    subs = make_submissions(tmp_path / "subs", 2)
    out = tmp_path / "out"
    assert grade_batch(pset, subs, out, jobs=1).graded == 2
    statement = course / pset.statement
    statement.write_text(statement.read_text() + "\nA typo fixed after grading.\n")
    (course / "nbgrader.toml").write_text("# the notebook export's settings\n")
    kept = grade_batch(load_problem_set(course), subs, out, jobs=1)
    assert (kept.graded, kept.reused) == (0, 2)  # grading never reads those
    check = next(course.glob("checks/*/test_*.py"))
    check.write_text(check.read_text() + "\n# an edited check\n")
    regraded = grade_batch(load_problem_set(course), subs, out, jobs=1)
    assert (regraded.graded, regraded.reused) == (2, 0)


def _grade_command(subs: list[Path], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder", "--course", str(TOY_COURSE), "grade", "toy",
            *map(str, subs), "-o", str(out), *extra]


def _wait_for_results(out: Path, at_least: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(list(out.glob("*/results.json"))) < at_least:
        assert process.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "no results appeared"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_batch_loses_nothing_and_a_rerun_completes_it_identically(
        tmp_path, reference_run, how):
    subs = make_submissions(tmp_path / "subs", 12)
    out = tmp_path / "out"
    # SIGINT as a terminal's Ctrl-C delivers it, even where this test runs in the background (a shell
    # starts background jobs with SIGINT ignored, and the ignored disposition is inherited).
    process = subprocess.Popen(_grade_command(subs, out, "-j", "2"), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for_results(out, 4, process)
    os.kill(process.pid, how)
    process.wait(timeout=60)
    finished = list(out.glob("*/results.json"))
    assert 4 <= len(finished) < 12
    for path in finished:  # every file there is whole
        assert json.loads(path.read_text())["status"] == "graded"
    rerun = subprocess.run(_grade_command(subs, out, "-j", "2"), capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"kept {len(finished)} unchanged" in rerun.stdout
    assert comparable(out) == reference_run
    assert not list(out.glob("*/.results-*.tmp"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and two workers on loopback, each its own process; w1 declares a GPU."""
    import distributed  # noqa: F401

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    scheduler = subprocess.Popen([bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = [subprocess.Popen([bin_dir / "dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                                 "--no-dashboard", "--name", f"w{i}",
                                 "--local-directory", str(tmp_path / f"w{i}"),
                                 *(["--resources", "GPU=1"] if i == 1 else [])],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(2)]
    from distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(2, timeout=120)
    yield address, workers
    for process in [*workers, scheduler]:
        process.kill()
        process.wait()


@pytest.mark.slow
def test_a_dask_cluster_grades_the_batch_even_when_a_worker_dies(toy, tmp_path, dask_cluster,
                                                                 reference_run):
    address, workers = dask_cluster
    subs = make_submissions(tmp_path / "subs", 12)
    out = tmp_path / "out"
    killed = []

    def landed(source, result, reused):
        if not killed:  # the first result is in: take a worker down mid-batch
            workers[0].kill()
            killed.append(source)

    outcome = grade_batch(toy, subs, out, scheduler=address, on_result=landed)
    assert killed and outcome.graded == 12
    assert {r.environment["dask_worker"] for r in outcome.results} <= {"w0", "w1"}
    assert comparable(out) == reference_run
    assert len(list(out.glob("*/results.json"))) == 12


@pytest.mark.slow
def test_a_problem_set_that_needs_a_gpu_is_graded_only_on_gpu_workers(toy, tmp_path, dask_cluster):
    address, _workers = dask_cluster
    course = tmp_path / "toy"
    shutil.copytree(toy.root, course)
    manifest = course / "problemset.toml"
    manifest.write_text(manifest.read_text() + "\n[grading]\nworker_resources = { GPU = 1 }\n")
    from autograder.problemset import load_problem_set

    outcome = grade_batch(load_problem_set(course), make_submissions(tmp_path / "subs", 6),
                          tmp_path / "out", scheduler=address)
    assert {r.environment["dask_worker"] for r in outcome.results} == {"w1"}


UNDECIDED_ONCE = '''
import os
from pathlib import Path

import pytest

from autograder.timing import TimingInconclusive

pytestmark = pytest.mark.problem("arith")


def test_a_timing_a_busy_machine_left_undecided(student):
    """timing: undecided the first time it runs for a submission (a busy machine)"""
    seen = Path(os.environ["UNDECIDED_MARKERS"]) / student.arith.NAME
    if not seen.exists():
        seen.touch()
        raise TimingInconclusive("timing inconclusive: the machine was too busy")
'''


def test_undecided_timings_are_measured_again_at_the_end_of_the_batch(toy, tmp_path, monkeypatch):
    """A check that could not decide (no accusation, status error) is graded again once the rest of
    the batch is done; each submission is reported once, with the final result."""
    from autograder.problemset import load_problem_set

    root = tmp_path / "toy"
    shutil.copytree(toy.root, root)
    (root / "checks" / "hidden" / "test_undecided.py").write_text(UNDECIDED_ONCE)
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("UNDECIDED_MARKERS", str(markers))
    pset = load_problem_set(root)
    subs = []
    for name in ("one", "two"):
        folder = tmp_path / name
        shutil.copytree(root, folder, ignore=shutil.ignore_patterns("checks", "*.toml", "*.md"))
        with open(folder / "arith.py", "a") as f:
            f.write(f"\nNAME = {name!r}\n")
        subs.append(folder)
    reported = []
    outcome = grade_batch(pset, subs, tmp_path / "out", jobs=1,
                          on_result=lambda source, result, reused: reported.append(source))
    assert sorted(reported) == sorted(subs)  # once each
    for result in outcome.results:
        check = next(t for t in result.tests if "undecided" in t.nodeid)
        assert check.status == "passed" and not result.inconclusive and result.full_marks
        assert json.loads((tmp_path / "out" / result.submission / "results.json").read_text())["fingerprint"]
    assert len(list(markers.iterdir())) == 2
