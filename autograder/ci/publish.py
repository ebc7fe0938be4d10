"""What a student repository's CI run publishes once ``autograder grade`` has finished: the Markdown
feedback for the job summary, the points payload for GitHub Classroom, and the job's exit status.

Pure: the grade command's JSON output and exit status in, a ``Publication`` out. A low score is
never a failed job; a grader error (exit status 2 or 3) always is.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.export.classroom import grader_failure, to_classroom
from autograder.grading.result import Result
from autograder.report.markdown import render_markdown

_BROKEN_CHECK = ("> [!WARNING]\n> One of the checks failed inside the grader. This is not your fault: "
                 "the failed run tells your instructor, and your score may change once it is fixed.")
_NOT_RUN = ("# Autograder\n\n> [!CAUTION]\n> The autograder could not run, so this push was not graded. "
            "This is not your fault: the failed run tells your instructor. ({detail})\n")


@dataclass(frozen=True)
class Publication:
    summary: str  # Markdown, for $GITHUB_STEP_SUMMARY
    payload: dict  # GitHub Classroom's reporter payload (see autograder.export.classroom)
    exit_code: int  # for the CI step: 0 graded, whatever the score; 2 or 3 the grader failed


def publication(grade_output: object, grade_exit: int) -> Publication:
    """``grade_output``: what ``autograder grade --json`` printed (a list of results, or one result),
    or None when it printed nothing. ``grade_exit``: its exit status."""
    results = _results(grade_output)
    if not results or grade_exit not in (0, 1, 3):
        detail = f"`autograder grade` exited with status {grade_exit}" if grade_exit else \
            "`autograder grade` printed no result"
        return Publication(_NOT_RUN.format(detail=detail), grader_failure(detail),
                           grade_exit if grade_exit >= 2 else 2)
    result = results[0]
    summary = render_markdown(result, pictures_note=False)
    if result.grader_errors or grade_exit == 3:
        summary = f"{_BROKEN_CHECK}\n\n{summary}"
        payload = to_classroom(result)
        payload["status"] = "error"
        return Publication(summary, payload, 3)
    return Publication(summary, to_classroom(result), 0)


def _results(grade_output: object) -> list[Result]:
    if isinstance(grade_output, dict):
        grade_output = [grade_output]
    if not isinstance(grade_output, list):
        return []
    return [Result.from_json(item) for item in grade_output if isinstance(item, dict)]
