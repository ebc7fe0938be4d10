"""The batch report (`autograder report RESULTS`): item statistics a person can check by hand, the
HTML checked in a real browser, CSVs, and one-line errors that leave nothing half-written."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grading.batch import grade_batch
from autograder.grading.result import CheckResult, ProblemResult, Result
from autograder.grading.results_folder import read_results
from autograder.report.batch import build_batch_report, write_batch_report
from autograder.report.item_statistics import failure_pattern, point_biserial

from .conftest import TOY_COURSE

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")

# Five graded submissions (s2 late: 1 point deducted, which no statistic sees) and one that could
# not be read. Problem p1 (6 points): checks A (4) and
# B (2); problem p2 (4 points): C (2), E (1, everyone passes), F (1, everyone fails).
#            A          B   C   E   F    seconds
TABLE = {
    "s1": ([4, 2, 2, 1, 0], 3.0),
    "s2": ([4, 0, 2, 1, 0], 1.0),
    "s3": ([0, 2, 0, 1, 0], 12.5),
    "s4": ([0, 0, 0, 1, 0], 0.5),
    "s5": ([2, 2, 2, 1, 0], 2.0),  # A: partial credit, 2 of 4 (status failed)
}
CHECKS = [("A", "p1", 4), ("B", "p1", 2), ("C", "p2", 2), ("E", "p2", 1), ("F", "p2", 1)]
F_MESSAGES = {"s1": "error 0.5 too large\nmore", "s2": "error 0.25 too large", "s3": "F crashed: ValueError",
              "s4": "error 1e-3 too large", "s5": "F crashed: ValueError"}


def hand_made_results() -> list[Result]:
    results = []
    for name, (points, seconds) in TABLE.items():
        tests = []
        for (check, problem, top), score in zip(CHECKS, points, strict=True):
            status = "passed" if score == top else "failed"
            tests.append(CheckResult(
                name=f"check {check}", nodeid=f"test_{problem}.py::test_{check}", problem=problem,
                status=status, score=score, max_score=top,
                output=F_MESSAGES[name] if check == "F" else ("" if status == "passed" else f"{check} wrong"),
                visibility="hidden" if check == "C" else "visible", execution_time=0.1,
                review=(name == "s3" and check == "C")))
        p1, p2 = sum(points[:2]), sum(points[2:])
        late = {"status": "late", "deduction": 1.0, "score_before": p1 + p2, "score_after": p1 + p2 - 1}
        results.append(Result(
            pset="toy", submission=name, source=name, status="graded", max_score=10,
            score=p1 + p2 - (name == "s2"), deadline=late if name == "s2" else {},
            tests=tests, problems=[ProblemResult("p1", "Problem one", p1, 6),
                                   ProblemResult("p2", "Problem two", p2, 4)],
            findings=[{"problem": "p1", "message": "uses numpy.linalg.svd"}] if name == "s2" else [],
            execution_time=seconds))
    results.append(Result(pset="toy", submission="s6", source="s6.zip", status="not_graded", score=0,
                          max_score=10, output="s6.zip is a damaged zip file; zip your folder again"))
    return results


@pytest.fixture
def results_dir(tmp_path) -> Path:
    folder = tmp_path / "results" / "toy"
    for result in hand_made_results():
        result.write(folder / result.submission / "results.json")
    return folder


def test_pass_rate_difficulty_and_point_biserial_match_the_hand_computation(results_dir):
    stats = build_batch_report(read_results(results_dir)).statistics
    by = {c.name: c for c in stats.checks}
    a, b, c = by["check A"], by["check B"], by["check C"]
    # A: passed by s1, s2 (2 of 5); shares 1, 1, 0, 0, 1/2; rest scores (total - A) 5, 3, 3, 1, 5:
    # means 4 (passed) and 3 (not), population sd sqrt(2.24), p q = 0.24 -> r = sqrt(0.24 / 2.24).
    assert (a.attempted, a.pass_rate, a.difficulty) == (5, 0.4, 0.5)
    assert a.discrimination == pytest.approx(math.sqrt(3 / 28))
    # B: rest 7, 7, 1, 1, 5; means 13/3 and 4; variance 7.36 -> r = (1/3) sqrt(0.24 / 7.36).
    assert b.pass_rate == 0.6 and b.discrimination == pytest.approx(math.sqrt(0.24 / 7.36) / 3)
    # C: rest 7, 5, 3, 1, 5; means 17/3 and 2; variance 4.16.
    assert c.discrimination == pytest.approx(11 / 3 * math.sqrt(0.24 / 4.16))
    assert [ch.name for ch in stats.checks] == ["check A", "check B", "check C", "check E", "check F"]


def test_a_check_everyone_passes_or_fails_is_pointed_out(results_dir):
    stats = build_batch_report(read_results(results_dir)).statistics
    assert [c.name for c in stats.all_pass] == ["check E"] and [c.name for c in stats.all_fail] == ["check F"]
    e = stats.all_pass[0]
    assert (e.pass_rate, e.discrimination) == (1.0, None)  # undefined: passing does not vary


def test_the_most_common_failure_counts_messages_that_differ_only_in_numbers_as_one(results_dir):
    f = {c.name: c for c in build_batch_report(read_results(results_dir)).statistics.checks}["check F"]
    assert (f.common_failure, f.common_failure_count, f.failures) == ("error 0.5 too large", 3, 5)
    assert failure_pattern("max abs error 3.2e-04 at (1, 2)") == "max abs error # at (#, #)"


def test_score_distributions_per_problem_and_total(results_dir):
    stats = build_batch_report(read_results(results_dir)).statistics
    total, p1, p2 = stats.totals, *stats.problems
    assert total.scores == [9, 7, 3, 1, 7] and total.mean == 5.4 and total.median == 7
    assert total.stdev == pytest.approx(math.sqrt(8.64))
    assert total.histogram == [0, 1, 0, 1, 0, 0, 0, 2, 0, 1]
    assert p1.histogram == [1, 0, 0, 1, 0, 0, 2, 0, 0, 1] and (p1.full_marks, p1.zero) == (1, 1)
    assert p2.histogram == [0, 0, 2, 0, 0, 0, 0, 3, 0, 0] and p2.max_score == 4


def test_flagged_not_graded_and_slowest_submissions_are_listed(results_dir):
    stats = build_batch_report(read_results(results_dir)).statistics
    assert [(f.submission, f.what) for f in stats.flags] == [("s3", "check C"), ("s2", "p1")]
    assert [r.submission for r in stats.not_graded] == ["s6"]
    assert [r.submission for r in stats.slowest][:3] == ["s3", "s1", "s5"]
    assert [r.submission for r in stats.late] == ["s2"]


def test_csvs_hold_submission_by_problem_and_per_check_rows(results_dir):
    write_batch_report(results_dir)
    scores = list(csv.DictReader(io.StringIO((results_dir / "scores.csv").read_text())))
    assert [(r["submission"], r["status"], r["score"], r["p1"], r["p2"], r["score_as_graded"],
             r["late_deduction"]) for r in scores][:2] == [("s1", "graded", "9", "6", "3", "9", "0"),
                                                            ("s2", "graded", "6", "4", "3", "7", "1")]
    assert scores[-1]["submission"] == "s6" and scores[-1]["status"] == "not_graded"
    checks = {r["check"]: r for r in csv.DictReader(io.StringIO((results_dir / "checks.csv").read_text()))}
    assert float(checks["check A"]["discrimination"]) == pytest.approx(math.sqrt(3 / 28), abs=1e-4)
    assert (checks["check E"]["verdict"], checks["check F"]["verdict"]) == ("all pass", "all fail")
    matrix = list(csv.reader(io.StringIO((results_dir / "check_scores.csv").read_text())))
    assert matrix[1] == ["s1", "4", "2", "2", "1", "0"] and matrix[-1] == ["s6", "", "", "", "", ""]


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_quoted(results_dir):
    data = json.loads((results_dir / "s1" / "results.json").read_text())
    data["submission"] = "=HYPERLINK(\"x\")"
    (results_dir / "s1" / "results.json").write_text(json.dumps(data))
    write_batch_report(results_dir)
    assert "'=HYPERLINK" in (results_dir / "scores.csv").read_text()


def test_point_biserial_is_undefined_when_nothing_varies():
    assert point_biserial([True, False], [1.0, 1.0]) is None
    assert point_biserial([True, True], [1.0, 2.0]) is None
    assert point_biserial([True, False], [2.0, 0.0]) == pytest.approx(1.0)


def report(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograder", "report", *map(str, args)], cwd=cwd,
                          text=True, capture_output=True, timeout=300, env=dict(os.environ))


@pytest.mark.parametrize("damage", ["missing", "empty", "malformed", "public", "mixed"])
def test_bad_input_gets_one_line_and_nothing_is_written(results_dir, damage):
    target = results_dir
    if damage == "missing":
        target = results_dir.parent / "nope"
    elif damage == "empty":
        target = results_dir.parent / "empty"
        target.mkdir()
    elif damage == "malformed":
        (results_dir / "s4" / "results.json").write_text('{"score": 3')
    elif damage == "public":
        data = json.loads((results_dir / "s4" / "results.json").read_text())
        (results_dir / "s4" / "results.json").write_text(json.dumps({**data, "scope": "public"}))
    else:
        data = json.loads((results_dir / "s4" / "results.json").read_text())
        (results_dir / "s4" / "results.json").write_text(json.dumps({**data, "pset": "other"}))
    run = report(target, cwd=results_dir.parent)
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in run.stderr
    assert {"missing": "is not a folder", "empty": "grade first", "malformed": "--regrade",
            "public": "autograder grade", "mixed": "one problem set"}[damage] in lines[0]
    assert not list(results_dir.parent.rglob("report.html")) and not list(results_dir.parent.rglob("*.csv"))


@pytest.fixture(scope="module")
def graded_batch(tmp_path_factory, toy):
    """A real batch from `grade`: the reference, a wrong one, and a zip that cannot be read."""
    root = tmp_path_factory.mktemp("batch")
    wrong = root / "wrong"
    wrong.mkdir()
    (wrong / "arith.py").write_text((TOY_COURSE / "solutions" / "toy" / "arith.py").read_text()
                                    .replace("return a + b", "return a - b"))
    (wrong / "arrays.py").write_text("def double(x):\n    return 3 * x\n")
    (root / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    grade_batch(toy, [toy.root, wrong, root / "broken.zip"], root / "out", jobs=1)
    return root / "out"


def test_the_report_command_reads_what_grade_wrote(graded_batch):
    run = report(graded_batch, "-o", graded_batch.parent / "report", cwd=graded_batch.parent)
    assert run.returncode == 0, run.stderr
    assert "toy: 2 graded, 1 not graded" in run.stdout
    out = graded_batch.parent / "report"
    assert {p.name for p in out.iterdir()} == {"report.html", "scores.csv", "checks.csv", "check_scores.csv"}
    page = (out / "report.html").read_text()
    assert "<td>broken</td>" in page and "broken.zip is not a readable zip file" in page


@pytest.mark.slow
def test_the_batch_report_renders_in_a_real_browser(results_dir, tmp_path):
    assert BROWSER, "make setup installs chromium for this test"
    write_batch_report(results_dir)
    probe = ("<script>window.addEventListener('load', () => { const img = document.getElementById("
             "'histograms'); const ok = img && img.complete && img.naturalWidth > 600; "
             "const n = s => document.querySelectorAll(s).length; document.title = "
             "(ok ? 'PLOT-OK' : 'PLOT-BROKEN') + ` ${n('tr.check')} checks, ${n('tr.all-pass')} all-pass, "
             "${n('tr.all-fail')} all-fail, ${n('p.alert')} alerts, ${n('tr.problem')} problems, "
             "${n('tr.flag')} flags, ${n('tr.not-graded')} not graded, ${n('tr.slow')} slow, ` + "
             "document.querySelector('tr.all-fail td:nth-child(8)').textContent.trim(); });</script>")
    copy = tmp_path / "report.html"
    copy.write_text((results_dir / "report.html").read_text().replace("</body>", probe + "</body>"))
    run = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                          "--no-first-run", "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=5000", "--dump-dom", copy.as_uri()],
                         capture_output=True, text=True, timeout=120)
    title = run.stdout.split("<title>")[1].split("</title>")[0]
    assert title == ("PLOT-OK 5 checks, 1 all-pass, 1 all-fail, 2 alerts, 3 problems, 2 flags, "
                     "1 not graded, 5 slow, error 0.5 too large (3 of 5)"), title
