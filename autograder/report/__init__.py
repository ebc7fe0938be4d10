"""Feedback reports rendered from a ``Result`` (never re-judging anything)."""

from __future__ import annotations

from pathlib import Path

from autograder.files import write_atomically
from autograder.grading.result import Result
from autograder.report.html import render_html
from autograder.report.markdown import render_markdown

HTML_REPORT, MARKDOWN_REPORT = "feedback.html", "feedback.md"


def write_reports(result: Result, folder: Path) -> None:
    """feedback.html and feedback.md next to results.json (a sink of ``grading.batch``)."""
    write_atomically(Path(folder) / HTML_REPORT, render_html(result))
    write_atomically(Path(folder) / MARKDOWN_REPORT, render_markdown(result))
