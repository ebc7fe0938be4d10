"""Feedback reports: Markdown for terminals and CI logs, HTML with pictures, checked in a real browser."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from autograder.grading.batch import grade_batch
from autograder.grading.result import Result
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
    grade_batch(toy, [toy.root, wrong], root / "out", jobs=1)
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
