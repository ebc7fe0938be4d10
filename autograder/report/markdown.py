"""A result as Markdown: for terminals, CI logs and GitHub job summaries.

Reads only the ``Result``; shows what each check's visibility allows (hidden checks appear by name
and status with their safe message; ``after_due_date`` ones once ``show_all`` is set or the
student's due time, extension included, had passed when the deadline was applied). Text a
submission controls has its control characters escaped and cannot end the block that holds it.
"""

from __future__ import annotations

import re

from autograder.grading.result import Result
from autograder.report.display import bonus_note, describe_deadline, points, problem_title, title
from autograder.terminal_text import escape_controls


def render_markdown(result: Result, *, show_all: bool = False, pictures_note: bool = True) -> str:
    """``pictures_note``: say that feedback.html holds pictures (off where no such file exists)."""
    show_all = show_all or result.deadline.get("due_passed", False)  # the student's own due time
    lines = [f"# {_cell(title(result))}", ""]
    if result.status != "graded":
        return "\n".join(lines + [f"**Not graded:** {_cell(result.output)}", ""])
    note = bonus_note(result)
    lines += [f"**Score: {points(result.score)} / {points(result.max_score)}**", ""]
    lines += [f"*{_cell(note)}.*", ""] if note else []
    if result.deadline:
        lines += [f"> ⏰ {_cell(describe_deadline(result.deadline))}", ""]
    lines += ["| problem | points |", "|---|---|"]
    lines += [f"| {_cell(problem_title(p))} | {points(p.score)} / {points(p.max_score)} |"
              for p in result.problems]
    for finding in result.findings:
        lines += ["", f"> ⚠️ {_cell(finding['message'])}"]
    for problem in result.problems:
        checks = [t for t in result.tests if t.problem == problem.id
                  and (show_all or t.visibility != "after_due_date")]
        if not checks:
            continue
        lines += ["", f"## {_cell(problem_title(problem))}", "", "| | check | points |", "|---|---|---|"]
        for t in checks:
            hidden = " *(hidden)*" if t.visibility == "hidden" else ""
            lines.append(f"| {t.status.emoji} | {_cell(t.name)}{hidden} | "
                         f"{points(t.score)} / {points(t.max_score)} |")
        failing = [t for t in checks if t.status != "passed" and t.output]
        for t in failing:
            output = escape_controls(t.output.strip())
            fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", output)), default=0))
            lines += ["", f"<details><summary>{t.status.emoji} {_cell(t.name)}</summary>",
                      "", fence, output, fence, "", "</details>"]
    if pictures_note and any(t.figures for t in result.tests if t.visibility == "visible"):
        lines += ["", "Pictures of your results are in feedback.html."]
    lines += ["", f"<sub>graded {result.graded_at} · sandbox: "
                  f"{', '.join(result.environment.get('sandbox_layers', []))}</sub>", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """One line of a heading, a quote or a table cell: controls escaped, no newline, no cell break."""
    return escape_controls(str(text).replace("\n", " ")).replace("|", "\\|")
