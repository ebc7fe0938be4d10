"""Deadlines, late policy and extensions: real manifests, extensions files and channel timestamps,
a DST change in the middle, and one line for each mistake an instructor can make."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from autograder.deadline_policy import Deadline, DeadlineError, parse_time
from autograder.grading.deadline import apply_deadline, parse_extensions, plan_deadline
from autograder.grading.result import Result
from autograder.grading.submission_time import submission_times
from autograder.problemset import ProblemSetError, load_deadline, load_problem_set
from autograder.report.display import describe_deadline as describe

from .conftest import TOY_COURSE

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2027, 1, 1, tzinfo=UTC)
# Europe/Berlin: clocks go forward on 2026-03-29 at 02:00 (CET +01 -> CEST +02).
PENALTY = """
[deadline]
due = "2026-03-28 12:00"
timezone = "Europe/Berlin"
late_policy = "penalty"
penalty_percent = 10
per = "hour"
floor_percent = 50
cutoff = "2026-04-04 12:00"
"""


def toy_with(tmp_path: Path, block: str):
    root = tmp_path / "toy"
    shutil.copytree(TOY_COURSE / "solutions" / "toy", root)
    (root / "problemset.toml").write_text((root / "problemset.toml").read_text() + block)
    return load_problem_set(root)


def result(score: float = 8.0, name: str = "alice") -> Result:
    return Result(pset="toy", submission=name, source=name, status="graded", score=score,
                  max_score=10.0)


def test_a_due_time_is_read_in_its_time_zone(tmp_path):
    deadline = load_deadline(toy_with(tmp_path, PENALTY))
    assert deadline.due == datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
    assert deadline.cutoff == datetime(2026, 4, 4, 10, 0, tzinfo=UTC)  # CEST by then
    assert (deadline.policy, deadline.percent, deadline.interval, deadline.floor_percent) == \
        ("penalty", 10.0, "hour", 50.0)


def test_lateness_across_the_spring_dst_change_is_real_elapsed_time(tmp_path):
    deadline = load_deadline(toy_with(tmp_path, PENALTY))
    # 12:00 CET on the 28th to 12:00 CEST on the 29th: 23 hours on the wall clock's 24.
    submitted = parse_time("2026-03-29 12:00", BERLIN, "t")
    r = result(8.0)
    apply_deadline(r, deadline, submitted_at=submitted, submitted_from="test", extension=None, now=NOW)
    assert r.deadline["late_seconds"] == 23 * 3600
    # 23 hours x 10% of 10 points would take 23 points; the floor keeps 50% of the maximum.
    assert (r.deadline["score_before"], r.deadline["deduction"], r.score) == (8.0, 3.0, 5.0)


def test_the_penalty_counts_each_interval_started_like_canvas():
    deadline = Deadline(due=datetime(2026, 3, 28, 11, tzinfo=UTC), zone="Europe/Berlin",
                        policy="penalty", percent=10, interval="day", floor_percent=0)
    for minutes_late, expected in ((0, 9.0), (1, 8.0), (24 * 60, 8.0), (24 * 60 + 1, 7.0)):
        r = result(9.0)
        submitted = deadline.due + timedelta(minutes=minutes_late)
        apply_deadline(r, deadline, submitted_at=submitted, submitted_from="t", extension=None, now=NOW)
        assert r.score == pytest.approx(expected), minutes_late


def test_a_score_below_the_floor_keeps_what_it_has(tmp_path):
    deadline = load_deadline(toy_with(tmp_path, PENALTY))
    r = result(4.0)
    apply_deadline(r, deadline, submitted_at=parse_time("2026-03-30 12:00", BERLIN, "t"),
                   submitted_from="t", extension=None, now=NOW)
    assert (r.score, r.deadline["deduction"], r.deadline["status"]) == (4.0, 0.0, "late")


def test_after_the_cutoff_the_score_is_zero_and_the_checks_stay_as_graded(tmp_path):
    deadline = load_deadline(toy_with(tmp_path, PENALTY))
    r = result(8.0)
    r.problems = []
    apply_deadline(r, deadline, submitted_at=parse_time("2026-04-04 12:01", BERLIN, "t"),
                   submitted_from="t", extension=None, now=NOW)
    assert (r.score, r.deadline["status"], r.deadline["score_before"]) == (0.0, "past_cutoff", 8.0)
    assert "after the cutoff 2026-04-04 12:00 CEST, so it scores 0 (graded 8)" in describe(r.deadline)


def test_applying_again_starts_from_the_score_as_graded(tmp_path):
    deadline = load_deadline(toy_with(tmp_path, PENALTY))
    r = result(8.0)
    at = parse_time("2026-03-28 13:30", BERLIN, "t")  # 1.5 h late: 2 hours started, -2 points
    assert apply_deadline(r, deadline, submitted_at=at, submitted_from="t", extension=None, now=NOW)
    assert not apply_deadline(r, deadline, submitted_at=at, submitted_from="t", extension=None, now=NOW)
    assert r.score == 6.0 and r.deadline["score_before"] == 8.0


def test_an_extensions_file_gives_new_due_times_or_extra_hours(tmp_path):
    pset = toy_with(tmp_path, PENALTY)
    deadline = load_deadline(pset)
    text = ("student,due,extra_hours,pset,note\n"
            "alice,2026-03-30 12:00,,toy,\"doctor's note, 2 days\"\n"
            "bob,,26,,\n"
            "carol,,100,ps9_other,\n")
    extensions = parse_extensions(text, deadline, "toy", "extensions.csv")
    assert set(extensions) == {"alice", "bob"}  # carol's row is for another problem set
    at = parse_time("2026-03-29 14:00", BERLIN, "t")  # 25 h after the due time (DST night)
    for name, expected in (("alice", 8.0), ("bob", 8.0), ("dave", 5.0)):
        r = result(8.0, name)
        apply_deadline(r, deadline, submitted_at=at, submitted_from="t",
                       extension=extensions.get(name), now=NOW)
        assert r.score == expected, name
    r = result(8.0, "alice")
    apply_deadline(r, deadline, submitted_at=at, submitted_from="t", extension=extensions["alice"],
                   now=NOW)
    assert "extension: new due time 2026-03-30 12:00 CEST (doctor's note, 2 days)" in describe(r.deadline)
    # the cutoff moves with the extension: bob's is 26 h later than everyone's
    assert r.deadline["status"] == "on_time"


@pytest.mark.parametrize("text, message", [
    ("name,due\nalice,2026-03-30 12:00\n", "the first line must name the columns"),
    ("student,due,extra_hours\nalice,2026-03-30 12:00,4\n", "line 2: give either a new due time or "
                                                             "extra_hours for alice, not both"),
    ("student,due,extra_hours\nalice,,\n", "not neither"),
    ("student,extra_hours\nalice,two\n", "extra_hours must be a positive number of hours, got 'two'"),
    ("student,due\nalice,30/03/2026\n", "line 2: '30/03/2026' is not a date and time"),
    ("student,due\nalice,2026-03-29 02:30\n", "does not exist in Europe/Berlin"),
    ("student,due\nalice,2026-03-27 12:00\n", "an extension moves it later"),
    ("student,extra_hours\nalice,4\nalice,5\n", "line 3: alice has a second extension"),
    ("student,extra_hours,note\nalice,4,a, b\n", "line 2: 4 cells for 3 columns"),
    ("student,extra_hours,grade\nalice,4,A\n", "unknown columns ['grade']"),
    ("student,extra_hours,note\nalice,4,\"" + "x" * 200_000 + "\"\n", "is not a readable CSV"),
])
def test_a_malformed_extensions_file_is_one_line_that_says_what_to_fix(tmp_path, text, message):
    deadline = load_deadline(toy_with(tmp_path, PENALTY))
    with pytest.raises(DeadlineError) as caught:
        parse_extensions(text, deadline, "toy", "extensions.csv")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_unix_seconds_and_a_compact_iso_date_are_told_apart():
    assert parse_time("1774785600", BERLIN, "t") == datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    assert parse_time("20260329", BERLIN, "t") == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


def test_an_ambiguous_local_time_in_the_autumn_change_is_refused_with_the_fix():
    with pytest.raises(DeadlineError, match=r"happens twice in Europe/Berlin.*2026-10-25T02:30\+02:00"):
        parse_time("2026-10-25 02:30", BERLIN, "due")
    assert parse_time("2026-10-25T02:30+01:00", BERLIN, "due") == datetime(2026, 10, 25, 1, 30,
                                                                           tzinfo=UTC)


@pytest.mark.parametrize("block, message", [
    ('[deadline]\ndue = "2026-03-28 12:00"\n', "needs due and timezone"),
    ('[deadline]\ndue = "2026-03-28 12:00"\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
    ('[deadline]\ndue = "2026-03-28 12:00"\ntimezone = "UTC"\nlate_policy = "lenient"\n',
     "late_policy must be one of none, penalty, cutoff"),
    ('[deadline]\ndue = "2026-03-28 12:00"\ntimezone = "UTC"\nlate_policy = "penalty"\n',
     "needs penalty_percent"),
    ('[deadline]\ndue = 2026-03-28T12:00:00\ntimezone = "UTC"\ncutoff = 2026-03-27T12:00:00\n',
     "cutoff is before due"),
])
def test_a_wrong_deadline_block_fails_when_the_manifest_is_read(tmp_path, block, message):
    with pytest.raises(ProblemSetError, match=message):
        toy_with(tmp_path, block)


def test_a_cutoff_policy_without_a_cutoff_accepts_nothing_late(tmp_path):
    pset = toy_with(tmp_path, '[deadline]\ndue = 2026-03-28T12:00:00\ntimezone = "America/New_York"\n'
                              'late_policy = "cutoff"\n')
    deadline = load_deadline(pset)
    r = result(8.0)
    apply_deadline(r, deadline, submitted_at=datetime(2026, 3, 28, 16, 0, 1, tzinfo=UTC),
                   submitted_from="t", extension=None, now=NOW)
    assert (r.score, r.deadline["status"]) == (0.0, "past_cutoff")


# ---------------------------------------------------------------------------- where times come from


def test_nbgrader_gradescope_and_csv_timestamps_are_read_never_file_times(tmp_path):
    nb = tmp_path / "submitted" / "alice" / "toy"
    nb.mkdir(parents=True)
    (nb / "timestamp.txt").write_text("2026-03-28 11:30:00.123456 UTC\n")  # nbgrader's format
    gs = tmp_path / "gradescope"
    (gs / "submission").mkdir(parents=True)
    (gs / "submission_metadata.json").write_text(json.dumps(
        {"created_at": "2026-03-28T05:00:00.365935-07:00", "users": []}))
    (gs / "submission" / "submission_metadata.json").write_text(json.dumps(
        {"created_at": "2026-01-01T00:00:00Z"}))  # the student's own file: never read
    assert submission_times({nb: "alice"}, BERLIN, timestamps="nbgrader")[nb] == \
        (datetime(2026, 3, 28, 11, 30, 0, 123456, tzinfo=UTC), "nbgrader timestamp.txt")
    assert submission_times({gs / "submission": "bob"}, BERLIN, timestamps="gradescope")[
        gs / "submission"][0] == datetime(2026, 3, 28, 12, 0, 0, 365935, tzinfo=UTC)
    table = tmp_path / "times.csv"
    table.write_text("student,submitted_at\nalice,2026-03-29 12:00\nbob,1774785600\n")
    times = submission_times({nb: "alice", gs: "bob"}, BERLIN, timestamps=str(table))
    assert times[nb][0] == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)  # CEST
    assert times[gs][0] == datetime.fromtimestamp(1774785600, UTC)


def test_a_gradescope_export_gives_each_submission_folder_its_created_at(tmp_path):
    export = tmp_path / "assignment_123_export"
    for name in ("submission_1", "submission_2"):
        (export / name).mkdir(parents=True)
    (export / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ada\n    :sid: '1'\n"
        "  :created_at: 2026-03-28 05:00:00.000000000 -07:00\n  :score: 8.0\n"
        "submission_2:\n  :submitters:\n  - :name: Carl\n    :sid: '2'\n"
        "  :created_at: 2026-03-29 05:00:00.000000000 -07:00\n")
    times = submission_times({export / "submission_1": "submission_1",
                              export / "submission_2": "submission_2"}, BERLIN, timestamps="gradescope")
    assert times[export / "submission_1"] == (datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
                                              "Gradescope submission_metadata.yml")
    assert times[export / "submission_2"][0] == datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    (export / "submission_3").mkdir()
    with pytest.raises(DeadlineError, match="no submission time for submission_3"):
        submission_times({export / "submission_3": "submission_3"}, BERLIN, timestamps="gradescope")


def test_a_missing_timestamp_names_the_submission_and_what_to_do(tmp_path):
    (tmp_path / "alice").mkdir()
    with pytest.raises(DeadlineError, match=r"no submission time for alice \(.*timestamp.txt\); give "
                                            r"their times in a CSV"):
        submission_times({tmp_path / "alice": "alice"}, BERLIN, timestamps="nbgrader")
    (tmp_path / "bob.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    with pytest.raises(DeadlineError, match=r"no submission time for bob \(.*bob.zip/timestamp.txt\)"):
        submission_times({tmp_path / "bob.zip": "bob"}, BERLIN, timestamps="nbgrader")
    table = tmp_path / "times.csv"
    table.write_text("student,submitted_at\nbob,2026-03-29 12:00\n")
    with pytest.raises(DeadlineError, match="times.csv has no time for alice; add a row"):
        submission_times({tmp_path / "alice": "alice"}, BERLIN, timestamps=str(table))


def test_timestamps_for_a_problem_set_without_a_deadline_are_refused(toy):
    with pytest.raises(DeadlineError, match=r"toy has no \[deadline\]"):
        plan_deadline(toy, {}, timestamps="nbgrader", submitted_at=None, extensions=None, now=NOW)
    assert plan_deadline(toy, {}, timestamps=None, submitted_at=None, extensions=None, now=NOW) is None


# ---------------------------------------------------------------------------- every report shows it


def late_result(tmp_path, *, now: datetime) -> Result:
    from autograder.grading.result import CheckResult, ProblemResult

    r = result(8.0)
    r.problems = [ProblemResult(id="arith", title="Arithmetic", score=8.0, max_score=10.0)]
    r.tests = [CheckResult(name="released later", nodeid="t::later", problem="arith", status="passed",
                           score=8.0, max_score=8.0, output="", visibility="after_due_date",
                           execution_time=0.1),
               CheckResult(name="visible", nodeid="t::v", problem="arith", status="failed", score=0.0,
                           max_score=2.0, output="wrong", visibility="visible", execution_time=0.1)]
    apply_deadline(r, load_deadline(toy_with(tmp_path, PENALTY)),
                   submitted_at=parse_time("2026-03-28 13:30", BERLIN, "t"), submitted_from="t",
                   extension=None, now=now)
    return r


def test_markdown_and_html_show_the_late_line_and_the_score_after_it(tmp_path):
    from autograder.report.html import render_html
    from autograder.report.markdown import render_markdown

    r = late_result(tmp_path, now=NOW)
    line = ("Submitted 2026-03-28 13:30 CET, 1 h 30 min late (due 2026-03-28 12:00 CET): late penalty "
            "−10% of the maximum per hour started, never below 50% of the maximum: −2, 8 → 6.")
    assert describe(r.deadline) == line
    markdown = render_markdown(r)
    assert "**Score: 6 / 10**" in markdown and f"> ⏰ {line}" in markdown
    html = render_html(r)
    assert "Score: <b>6</b> / 10" in html and line in html
    assert "| Arithmetic | 8 / 10 |" in markdown  # per-problem scores stay as graded


def test_after_due_date_checks_follow_the_students_own_due_time(tmp_path):
    from autograder.report.html import render_html
    from autograder.report.markdown import render_markdown

    before = late_result(tmp_path / "a", now=datetime(2026, 3, 28, 10, 59, tzinfo=UTC))
    after = late_result(tmp_path / "b", now=datetime(2026, 3, 28, 11, 0, tzinfo=UTC))
    assert not before.deadline["due_passed"] and after.deadline["due_passed"]
    assert "released later" not in render_markdown(before) and "released later" not in render_html(before)
    assert "released later" in render_markdown(after) and "released later" in render_html(after)


def test_the_deadline_record_survives_results_json(tmp_path):
    r = late_result(tmp_path, now=NOW)
    path = tmp_path / "out" / "results.json"
    r.write(path)
    data = json.loads(path.read_text())
    assert data["score"] == 6.0 and data["deadline"]["score_before"] == 8.0
    assert data["deadline"]["late_seconds"] == 5400 and data["deadline"]["status"] == "late"
    assert Result.from_json(data).deadline == r.deadline


# ---------------------------------------------------------------------------- the command line


def run_cli(*args, cwd):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, text=True,
                          capture_output=True, env=dict(os.environ), timeout=300)


@pytest.fixture(scope="module")
def late_course(tmp_path_factory):
    """The toy course with a deadline, two submissions (alice: the reference, bob: the stubs),
    their times in a CSV and an extension for alice."""
    course = tmp_path_factory.mktemp("late") / "course"
    shutil.copytree(TOY_COURSE, course)
    manifest = course / "solutions" / "toy" / "problemset.toml"
    manifest.write_text(manifest.read_text() + PENALTY)
    shutil.copytree(course / "solutions" / "toy", course / "subs" / "alice")
    shutil.copytree(course / "assignments" / "toy", course / "subs" / "bob")
    (course / "times.csv").write_text("student,submitted_at\nalice,2026-03-29 12:30\n"
                                      "bob,2026-03-28T10:00:00Z\n")
    (course / "extensions.csv").write_text("student,due,extra_hours,note\nalice,,24,flu\n")
    return course


def test_grade_applies_the_penalty_and_writes_it_into_every_report(late_course):
    run = run_cli("grade", "toy", "subs/alice", "subs/bob", "-o", "out", "--timestamps", "times.csv",
                  "--extensions", "extensions.csv", cwd=late_course)
    assert run.returncode == 0, run.stderr
    # alice: due 12:00 CET on the 28th + 24 h = 12:00 CEST on the 29th; in at 12:30: 1 hour started
    alice = json.loads((late_course / "out" / "alice" / "results.json").read_text())
    assert (alice["score"], alice["deadline"]["score_before"], alice["deadline"]["late_seconds"]) == \
        (9.0, 10.0, 1800)
    assert [t["score"] for t in alice["tests"]] and sum(t["score"] for t in alice["tests"]) == 10
    assert alice["deadline"]["extension"] == "+24 h (flu)"
    for report in ("feedback.md", "feedback.html"):
        assert "30 min late" in (late_course / "out" / "alice" / report).read_text()
    assert "late: alice: Submitted 2026-03-29 12:30 CEST, 30 min late" in run.stdout
    assert "alice: 9/10" in run.stdout and "(late: −1)" in run.stdout
    bob = json.loads((late_course / "out" / "bob" / "results.json").read_text())
    assert bob["deadline"]["status"] == "on_time" and bob["score"] == 0
    # a rerun keeps the graded results and applies the same deadline: nothing changes
    again = run_cli("grade", "toy", "subs/alice", "subs/bob", "-o", "out", "--timestamps",
                    "times.csv", "--extensions", "extensions.csv", cwd=late_course)
    assert again.returncode == 0 and "kept" in again.stdout
    assert json.loads((late_course / "out" / "alice" / "results.json").read_text()) == alice


def test_moving_the_deadline_regrades_nothing_and_the_next_run_with_times_applies_it(late_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(late_course, course, ignore=shutil.ignore_patterns("out", "nothing"))
    times = ("--timestamps", "times.csv")
    assert run_cli("grade", "toy", "subs/alice", "-o", "out", *times, cwd=course).returncode == 0
    alice = course / "out" / "alice" / "results.json"
    assert json.loads(alice.read_text())["deadline"]["late_seconds"] == 84600  # 23.5 h: DST began
    manifest = course / "solutions" / "toy" / "problemset.toml"
    manifest.write_text(manifest.read_text().replace('due = "2026-03-28 12:00"', 'due = "2026-03-29 12:00"'))
    moved = run_cli("grade", "toy", "subs/alice", "-o", "out", *times, cwd=course)
    assert moved.returncode == 0 and "graded 0, kept 1" in moved.stdout, moved.stdout
    data = json.loads(alice.read_text())
    assert (data["deadline"]["late_seconds"], data["score"]) == (1800, 9.0)  # the new deadline
    untimed = run_cli("grade", "toy", "subs/alice", "-o", "out", cwd=course)
    assert untimed.returncode == 0 and json.loads(alice.read_text())["score"] == 9.0
    assert "1 result keeps the late penalty of an earlier run" in untimed.stdout + untimed.stderr


@pytest.mark.parametrize("extra, message", [
    (["--extensions", "broken.csv"], "broken.csv line 2: give either a new due time or extra_hours "
                                     "for alice, not both"),
    ([], "no submission time for alice"),
])
def test_bad_deadline_input_is_one_line_and_nothing_is_written(late_course, extra, message):
    (late_course / "broken.csv").write_text("student,due,extra_hours\nalice,2026-04-01 12:00,3\n")
    (late_course / "subs" / "alice" / "timestamp.txt").unlink(missing_ok=True)
    run = run_cli("grade", "toy", "subs/alice", "-o", "nothing", "--timestamps", "nbgrader"
                  if not extra else "times.csv", *extra, cwd=late_course)
    assert run.returncode == 2
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert not (late_course / "nothing").exists()


def test_gradescope_results_carry_the_late_score_and_say_why(tmp_path):
    from autograder.export.gradescope import to_gradescope

    from .test_gradescope import validate

    data = validate(to_gradescope(late_result(tmp_path, now=NOW)))
    assert data["score"] == 6.0  # Gradescope takes the top-level score over the tests' sum
    assert "1 h 30 min late" in data["output"] and data["extra_data"]["deadline"]["deduction"] == 2.0


def test_the_late_line_rounds_points_for_people(tmp_path):
    deadline = load_deadline(toy_with(tmp_path, PENALTY))
    r = result(7.567567)
    apply_deadline(r, deadline, submitted_at=parse_time("2026-03-28 12:30", BERLIN, "t"),
                   submitted_from="t", extension=None, now=NOW)
    assert describe(r.deadline).endswith(": −1, 7.57 → 6.57.")
    assert r.score == pytest.approx(6.567567)  # the data keeps full precision


@pytest.mark.slow
def test_the_late_line_is_visible_in_a_real_browser(tmp_path):
    import subprocess

    from autograder.report.html import render_html

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "make setup installs chromium for this test"
    probe = ("<script>window.addEventListener('load', () => { const late = document.getElementById("
             "'late'); const box = late.getBoundingClientRect(); document.title = (box.height > 0 ? "
             "'SHOWN ' : 'HIDDEN ') + late.textContent; });</script>")
    page = tmp_path / "feedback.html"
    page.write_text(render_html(late_result(tmp_path, now=NOW)).replace("</body>", probe + "</body>"))
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    title = run.stdout.split("<title>")[1].split("</title>")[0]
    assert title.startswith("SHOWN ⏰ Submitted 2026-03-28 13:30 CET, 1 h 30 min late"), title


def test_github_classroom_points_name_after_due_date_checks_once_the_due_time_passed(tmp_path):
    from autograder.export.classroom import to_classroom

    before = to_classroom(late_result(tmp_path / "a", now=datetime(2026, 3, 28, 10, tzinfo=UTC)))
    after = to_classroom(late_result(tmp_path / "b", now=NOW))
    assert not any("released later" in t["name"] for t in before["tests"])
    assert any("released later" in t["name"] for t in after["tests"])


def test_github_classroom_points_are_the_score_after_the_late_penalty(tmp_path):
    from autograder.export.classroom import to_classroom

    result = late_result(tmp_path, now=NOW)  # 8 as graded, 1 h 30 min late: 2 points off
    payload = to_classroom(result)
    # what the reporter sums for Classroom's points (notify-classroom.js: every test's score)
    assert sum(t["score"] for t in payload["tests"]) == pytest.approx(result.score) == 6.0
    penalty = next(t for t in payload["tests"] if t["name"] == "late penalty")
    assert penalty["score"] == -2.0 and penalty["max_score"] == 0 and "1 h 30 min late" in penalty["message"]
    on_time = late_result(tmp_path / "b", now=NOW)
    on_time.deadline = {}
    assert not any(t["name"] == "late penalty" for t in to_classroom(on_time)["tests"])
