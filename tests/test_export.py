"""``autograder export FORMAT RESULTS``: every target from one graded folder (tests/data/export/results,
graded by `autograder grade` from the toy course: alice full marks, bob one failed hidden check,
carol a damaged zip), byte for byte what the exporters wrote before they moved under one verb
(tests/data/export/expected, captured then). Scores come from the results, never recomputed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.grading.result import Result

from .conftest import TOY_COURSE

DATA = Path(__file__).resolve().parent / "data"
GRADED = DATA / "export" / "results" / "toy"
EXPECTED = DATA / "export" / "expected"
CANVAS_ROSTER = DATA / "lms" / "canvas_gradebook_export.csv"
MOODLE_ROSTER = DATA / "lms" / "moodle_grades_export.csv"
SUBMISSIONS = ("alice", "bob", "carol")


def export(*args):
    return CliRunner().invoke(main, ["export", *map(str, args)])


def results(folder: Path = GRADED) -> dict[str, Result]:
    return {p.parent.name: Result.from_json(json.loads(p.read_text())) for p in folder.glob("*/results.json")}


@pytest.mark.parametrize("args, expected", [
    (["canvas", GRADED, "--roster", CANVAS_ROSTER, "--match", "SIS Login ID", "--assignment",
      "Problem set 1 (4711)"], "canvas.csv"),
    (["canvas", GRADED, "--roster", CANVAS_ROSTER, "--match", "SIS Login ID"], "canvas_new_assignment.csv"),
    (["moodle", GRADED, "--roster", MOODLE_ROSTER], "moodle.csv"),
])
def test_canvas_and_moodle_write_what_they_wrote_before(tmp_path, args, expected):
    run = export(*args, "-o", tmp_path / "out.csv")
    assert run.exit_code == 0, run.output
    assert (tmp_path / "out.csv").read_bytes() == (EXPECTED / expected).read_bytes()
    assert f"wrote 3 student(s) to {tmp_path / 'out.csv'}" in run.stdout
    assert "note: carol: not graded" in run.stderr


@pytest.mark.parametrize("options, expected", [
    ([], "gradescope"),
    (["--hidden-visibility", "after_due_date", "--visibility", "after_published", "--leaderboard"],
     "gradescope_after_due_date_leaderboard"),
])
def test_gradescope_writes_per_submission_what_the_bundle_writes_in_gradescope(tmp_path, options, expected):
    run = export("gradescope", GRADED, "-o", tmp_path / "gs", *options)
    assert run.exit_code == 0, run.output
    for name in SUBMISSIONS:
        written = (tmp_path / "gs" / name / "results.json").read_bytes()
        assert written == (EXPECTED / expected / name / "results.json").read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "gs").iterdir()) == list(SUBMISSIONS)


def test_classroom_writes_the_reporters_payload_per_submission(tmp_path):
    run = export("classroom", GRADED, "-o", tmp_path / "cl")
    assert run.exit_code == 0, run.output
    for name in SUBMISSIONS:
        written = (tmp_path / "cl" / name / "classroom.json").read_bytes()
        assert written == (EXPECTED / "classroom" / name / "classroom.json").read_bytes(), name
    payload = json.loads((tmp_path / "cl" / "bob" / "classroom.json").read_text())
    assert sum(t["score"] for t in payload["tests"]) == pytest.approx(results()["bob"].score)


def test_csv_from_results_is_a_row_per_submission_and_a_column_per_problem(tmp_path):
    run = export("csv", GRADED, "-o", tmp_path / "grades.csv")
    assert run.exit_code == 0, run.output
    assert (tmp_path / "grades.csv").read_text().splitlines() == [
        "submission,status,score,max_score,arith,arrays,score_before_late_penalty,late_status",
        "alice,graded,10,10,6,4,10,",
        "bob,graded,9.75,10,5.75,4,9.75,",
        "carol,not_graded,,10,,,,",
    ]
    by_name = results()
    assert by_name["bob"].score == 9.75 and [p.score for p in by_name["bob"].problems] == [5.75, 4]


def test_every_target_reads_the_score_the_result_holds_and_recomputes_nothing(tmp_path):
    folder = tmp_path / "results"
    shutil.copytree(GRADED, folder)
    data = json.loads((folder / "bob" / "results.json").read_text())
    (folder / "bob" / "results.json").write_text(json.dumps({**data, "score": 3.25}))  # not its checks' sum
    assert export("csv", folder, "-o", tmp_path / "g.csv").exit_code == 0
    assert "bob,graded,3.25," in (tmp_path / "g.csv").read_text()
    assert export("moodle", folder, "--roster", MOODLE_ROSTER, "-o", tmp_path / "m.csv").exit_code == 0
    assert "carl@uni.example,3.25" in (tmp_path / "m.csv").read_text()
    assert export("gradescope", folder, "-o", tmp_path / "gs").exit_code == 0
    assert json.loads((tmp_path / "gs" / "bob" / "results.json").read_text())["score"] == 3.25


@pytest.mark.parametrize("target", [["csv"], ["canvas", "--roster", CANVAS_ROSTER], ["gradescope"],
                                    ["classroom"], ["gradebook", "--gradebook", "sqlite:///x.db"]])
@pytest.mark.parametrize("damage, says", [
    ("missing", "is not a folder; pass the folder `autograder grade` wrote"),
    ("empty", "holds no <submission>/results.json; grade first"),
    ("malformed", "is not a result of `autograder grade`"),
])
def test_a_bad_results_folder_is_one_line_with_exit_two_and_nothing_written(tmp_path, target, damage, says):
    folder = tmp_path / "results"
    if damage != "missing":
        folder.mkdir()
    if damage == "malformed":
        (folder / "bob").mkdir()
        (folder / "bob" / "results.json").write_text('{"score": 3')
    name, *options = target
    run = export(name, folder, *options, "-o", tmp_path / "out") if name != "gradebook" else \
        export(name, folder, *options)
    assert run.exit_code == 2, run.output
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: ") and says in run.stderr
    assert not (tmp_path / "out").exists()


def test_csv_takes_results_or_a_gradebook(tmp_path):
    for args in ([], [GRADED, "--gradebook", tmp_path]):
        run = export("csv", *args)
        assert run.exit_code == 2 and "give RESULTS (the folder `autograder grade` wrote) or --gradebook" \
            in run.stderr
    run = export("csv", GRADED, "--student", "bob", "-o", tmp_path / "g.csv")
    assert run.exit_code == 2 and "--assignment and --student select from a gradebook" in run.stderr
    assert not (tmp_path / "g.csv").exists()


def test_the_old_nbgrader_record_names_the_new_form():
    run = CliRunner().invoke(main, ["nbgrader", "record", "toy", "results/toy", "--gradebook", "nb"])
    assert run.exit_code == 2 and run.stderr.count("\n") == 1
    assert "is now `autograder export gradebook RESULTS --gradebook NBGRADER_DIR`" in run.stderr


@pytest.mark.slow
def test_gradebook_records_the_results_scores_in_nbgraders_gradebook(tmp_path):
    """A real nbgrader course (our export, nbgrader's generate_assignment), then the graded folder
    recorded into it; nbgrader's own grade table then holds each result's score."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    course = tmp_path / "nbgrader"
    made = CliRunner().invoke(main, ["--course", str(TOY_COURSE), "nbgrader", "export", "toy", "--course",
                                     str(course)])
    assert made.exit_code == 0, made.output
    generated = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "toy", "--create"],
                               cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr[-2000:]
    run = export("gradebook", GRADED, "--gradebook", course)
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines() == ["gradebook: alice autograded 10/10",
                                       "gradebook: bob autograded 9.75/10",
                                       "gradebook: carol autograded 0/10"]
    table = export("csv", "--gradebook", course, "-o", tmp_path / "grades.csv")
    assert table.exit_code == 0, table.output
    rows = [line.split(",") for line in (tmp_path / "grades.csv").read_text().splitlines()]
    assert rows[0][3] == "student_id" and rows[0][9] == "score"
    assert {row[3]: float(row[9]) for row in rows[1:]} == {n: r.score for n, r in results().items()}
