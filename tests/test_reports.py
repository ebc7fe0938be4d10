"""Feedback reports: Markdown for terminals and CI logs, HTML with pictures, checked in a real browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from autograder.grading.batch import grade_batch
from autograder.grading.result import Result
from autograder.report import write_reports
from autograder.report.html import render_html
from autograder.report.markdown import render_markdown

from .conftest import TOY_COURSE

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, toy):
    root = tmp_path_factory.mktemp("reports")
    wrong = root / "wrong"
    wrong.mkdir()
    (wrong / "arith.py").write_text((TOY_COURSE / "solutions" / "toy" / "arith.py").read_text()
                                    .replace("return a + b", "raise ValueError(f'secret {a} {b}')"))
    (wrong / "arrays.py").write_text("def double(x):\n    return 3 * x\n")
    grade_batch(toy, [toy.root, wrong], root / "out", jobs=1, sinks=[write_reports])
    return root / "out"


def test_every_graded_submission_gets_html_and_markdown_next_to_its_results(graded):
    for folder in graded.iterdir():
        assert {"results.json", "feedback.html", "feedback.md"} <= {p.name for p in folder.iterdir()}


def test_the_markdown_report_shows_scores_and_failures_but_not_hidden_inputs(graded):
    text = (graded / "wrong" / "feedback.md").read_text()
    assert "**Score: 2 / 10**" in text and "| Arithmetic | 2 / 6 |" in text
    assert "add: random integers *(hidden)*" in text
    hidden_block = text.split("add: random integers</summary>")[1].split("</details>")[0]
    assert "ValueError" in hidden_block and "secret" not in hidden_block
    assert "secret 2 3" in text  # the visible check shows the student's own message
    assert "double(x) is not close enough" in text


def test_after_due_date_checks_stay_out_until_released(graded):
    result = Result.from_json(json.loads((graded / "wrong" / "results.json").read_text()))
    result.tests[0].visibility = "after_due_date"
    assert result.tests[0].name not in render_markdown(result)
    assert result.tests[0].name in render_markdown(result, show_all=True)
    assert result.tests[0].name not in render_html(result)


def test_pictures_are_attached_to_visible_checks_as_data(graded):
    result = Result.from_json(json.loads((graded / "wrong" / "results.json").read_text()))
    figures = [f for t in result.tests for f in t.figures]
    assert figures and figures[0]["series"]["yours"] == [0.0, 3.0, 6.0, 9.0, 12.0]
    assert render_html(result).count("data:image/png;base64,") == 1


@pytest.mark.slow
def test_the_html_report_renders_in_a_real_browser_with_its_pictures(graded, tmp_path):
    assert BROWSER, "make setup installs chromium for this test"
    page = (graded / "wrong" / "feedback.html").read_text()
    probe = ("<script>window.addEventListener('load', () => { const ok = [...document.images]"
             ".every(i => i.complete && i.naturalWidth > 300); document.title = "
             "(ok && document.images.length ? 'IMAGES-OK ' : 'IMAGES-BROKEN ') + "
             "document.querySelectorAll('tr.check').length + ' checks, ' + "
             "document.getElementById('total').textContent; });</script>")
    copy = tmp_path / "report.html"
    copy.write_text(page.replace("</body>", probe + "</body>"))
    run = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                          "--no-first-run", "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=5000", "--dump-dom", copy.as_uri()],
                         capture_output=True, text=True, timeout=120)
    title = run.stdout.split("<title>")[1].split("</title>")[0]
    assert title == "IMAGES-OK 7 checks, Score: 2 / 10", title


# ---------------------------------------------------------------------------- numbers, names, bonus

from autograder.files import write_atomically  # noqa: E402
from autograder.grading.grade import grade_submission  # noqa: E402
from autograder.grading.outcome import CheckOutcome, distinct_names  # noqa: E402
from autograder.grading.result import ProblemResult  # noqa: E402
from autograder.problemset import load_problem_set  # noqa: E402
from autograder.report.display import points  # noqa: E402


def test_points_are_rounded_for_people_and_kept_whole_in_the_data(graded):
    assert [points(v) for v in (7.567567, 1.6216216216216217, 10.0, 2.5, 0.004, -0.001)] == \
        ["7.57", "1.62", "10", "2.5", "0", "0"]
    result = Result.from_json(json.loads((graded / "wrong" / "results.json").read_text()))
    result.score, result.problems[0].score, result.tests[0].score = 7.567567, 1.6216216, 0.8571428
    markdown, html = render_markdown(result), render_html(result)
    for text in (markdown, html):
        assert "7.57" in text and "1.62" in text and "0.86" in text
        assert "7.567" not in text and "1.6216" not in text and "0.857" not in text
    assert json.loads(json.dumps(result.to_json()))["score"] == 7.567567


def test_a_result_is_titled_by_its_submission_once(graded):
    result = Result.from_json(json.loads((graded / "wrong" / "results.json").read_text()))
    assert render_markdown(result).startswith("# toy — wrong\n")
    result.submission = "toy"  # `autograder check` on the released folder itself
    assert render_markdown(result).startswith("# toy\n") and "<h1>toy</h1>" in render_html(result)


def test_check_names_that_repeat_say_where_they_belong():
    def record(nodeid):
        return CheckOutcome(nodeid=nodeid, name="step(closure) returns the loss", problem="p",
                            weight=1, visibility="visible")

    records = [record("checks/public/test_adaptive.py::TestAdam::test_closure"),
               record("checks/public/test_adaptive.py::TestRMSprop::test_closure"),
               record("checks/public/test_muon.py::test_closure"),
               record("checks/hidden/test_muon.py::test_closure"),
               CheckOutcome(nodeid="checks/public/test_muon.py::test_other", name="unique", problem="p",
                            weight=1, visibility="visible")]
    assert list(distinct_names(records).values()) == [
        "step(closure) returns the loss (TestAdam.test_closure)",
        "step(closure) returns the loss (TestRMSprop.test_closure)",
        "step(closure) returns the loss (checks/public/test_muon.py::test_closure)",
        "step(closure) returns the loss (checks/hidden/test_muon.py::test_closure)",
        "unique",
    ]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_results_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_atomically(tmp_path / "results.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "results.json").stat().st_mode & 0o777 == mode


@pytest.fixture(scope="module")
def with_bonus(tmp_path_factory):
    """The toy reference graded with its arrays problem (4 points) made a bonus: 10 points of 6."""
    course = tmp_path_factory.mktemp("bonus") / "course"
    shutil.copytree(TOY_COURSE, course)
    manifest = course / "solutions" / "toy" / "problemset.toml"
    manifest.write_text(manifest.read_text().replace('module = "arrays"\n',
                                                     'module = "arrays"\nbonus = true\n')
                        .replace("call_timeout = 2\n", "call_timeout = 30\n"))  # a loaded machine
    pset = load_problem_set(course / "solutions" / "toy")
    return grade_submission(pset, pset.root)


def test_bonus_points_are_labelled_in_the_data_and_every_report(with_bonus):
    result = with_bonus
    assert (result.score, result.max_score) == (10, 6)
    data = json.loads(json.dumps(result.to_json()))
    assert [(p["id"], p["bonus"]) for p in data["problems"]] == [("arith", False), ("arrays", True)]
    assert (result.bonus_score, result.bonus_max_score) == (4, 4)
    note = "4 of these points come from the bonus problem Arrays, worth up to 4 points on top of " \
           "the maximum of 6"
    markdown, html = render_markdown(result), render_html(result)
    assert "| Arrays (bonus) | 4 / 4 |" in markdown and "## Arrays (bonus)" in markdown
    assert "| Arithmetic | 6 / 6 |" in markdown and note in markdown
    assert "Arrays (bonus)</a>" in html and note in html
    assert Result.from_json(data).problems[1] == ProblemResult("arrays", "Arrays", 4, 4, bonus=True)


def test_gradescope_results_label_bonus_checks_and_round_the_summary(with_bonus):
    from autograder.export.gradescope import to_gradescope

    data = to_gradescope(with_bonus)
    arrays = [t for t in data["tests"] if t["extra_data"]["problem"] == "arrays"]
    assert arrays and all(t["name"].startswith("Arrays (bonus): ") and "bonus" in t["tags"]
                          for t in arrays)
    assert not any("bonus" in t["tags"] for t in data["tests"] if t not in arrays)
    assert data["extra_data"]["bonus_max_score"] == 4
    assert "Arrays (bonus): 4 / 4" in data["output"] and "from the bonus problem Arrays" in data["output"]
