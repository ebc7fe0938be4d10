"""A ``Result`` as Gradescope's ``results.json`` (their "Autograder Specifications", output format).

Only the keys Gradescope documents are emitted: at the top level ``score``, ``execution_time``,
``output`` (+ formats), ``visibility``, ``stdout_visibility``, ``extra_data``, ``tests``,
``leaderboard``; per test ``score``, ``max_score``, ``status`` (``passed``/``failed`` only),
``name``, ``number``, ``output``, ``tags``, ``visibility``, ``extra_data``. What has no documented
key (the maximum, per-check timings, our finer statuses) goes into ``extra_data``. Pure: no I/O.
"""

from __future__ import annotations

import math

from autograder.grading.result import CheckResult, Result
from autograder.report.display import bonus_note, describe_deadline, points, problem_title

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_STATUS_WORD = {"error": "Error", "timeout": "Timed out", "skipped": "Skipped"}


def to_gradescope(result: Result, *, hidden_visibility: str = "visible", visibility: str | None = None,
                  leaderboard: bool = False) -> dict:
    """Gradescope's results.json for one graded submission.

    ``hidden_visibility``: what Gradescope shows of our hidden checks. Their names and messages are
    written never to reveal inputs or expected values, so ``visible`` (the default) shows them as our
    own Markdown report does; ``after_due_date`` or ``after_published`` hold them back. (Gradescope's
    ``hidden`` means never shown, and is meant for checks worth no points.) Checks marked
    ``after_due_date`` in the problem set keep that visibility. ``visibility`` sets the default for
    the whole submission (Gradescope's top-level key); ``leaderboard`` adds score and grading time.
    """
    for value in (hidden_visibility, visibility or "visible"):
        if value not in VISIBILITIES:
            raise ValueError(f"visibility {value!r} is not one of {', '.join(VISIBILITIES)}")
    titles = {p.id: problem_title(p) for p in result.problems}  # "(bonus)" where it is one
    bonus = {p.id for p in result.problems if p.bonus}
    order = {pid: i for i, pid in enumerate(titles, 1)}
    counters: dict[str, int] = {}
    tests = []
    # In the problem set's order of problems (1.1, 1.2, ..., 2.1), each problem's checks in the
    # order they ran: the grading run's order interleaves problems (public files, then hidden ones).
    for check in sorted(result.tests, key=lambda c: order.get(c.problem, len(order) + 1)):
        index = order.get(check.problem, len(order) + 1)
        counters[check.problem] = counters.get(check.problem, 0) + 1
        tests.append(_test(check, f"{index}.{counters[check.problem]}", titles.get(check.problem),
                           hidden_visibility))
        if check.problem in bonus:
            tests[-1]["tags"].append("bonus")
    data: dict = {
        "score": result.score,
        "execution_time": math.ceil(result.execution_time),
        "output": _summary(result),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "extra_data": {
            "pset": result.pset,
            "status": result.status,
            "max_score": result.max_score,
            "execution_time": result.execution_time,
            "problems": [{"id": p.id, "score": p.score, "max_score": p.max_score, "bonus": p.bonus}
                         for p in result.problems],
            "bonus_max_score": result.bonus_max_score,  # on top of max_score
            "findings": [dict(f) for f in result.findings],
            "grader_errors": len(result.grader_errors),
            "sandbox_layers": list(result.environment.get("sandbox_layers", [])),
            "graded_at": result.graded_at,
            "deadline": dict(result.deadline),
        },
        "tests": tests,
    }
    if visibility:
        data["visibility"] = visibility
    if leaderboard:
        data["leaderboard"] = [
            {"name": "Score", "value": result.score, "order": "desc"},
            {"name": "Grading time (s)", "value": round(result.execution_time, 2), "order": "asc"},
        ]
    return data


def _test(check: CheckResult, number: str, problem_title: str | None, hidden_visibility: str) -> dict:
    hidden = check.visibility == "hidden"
    name = check.name + (" (hidden check)" if hidden else "")
    test: dict = {
        "name": f"{problem_title}: {name}" if problem_title else name,
        "number": number,
        "score": check.score,
        "max_score": check.max_score,
        "status": "passed" if check.status == "passed" else "failed",
        "visibility": hidden_visibility if hidden else
        (check.visibility if check.visibility in VISIBILITIES else "visible"),
        "tags": [check.problem] + (["hidden"] if hidden else []),
        "extra_data": {"status": check.status, "execution_time": check.execution_time,
                       "problem": check.problem},
    }
    output = check.output.strip()
    if check.status in _STATUS_WORD:
        output = f"{_STATUS_WORD[check.status]}: {output}" if output else _STATUS_WORD[check.status]
    if output:
        test["output"] = output
    return test


def _summary(result: Result) -> str:
    if result.status != "graded":
        return f"Not graded: {result.output}"
    lines = [f"Score: {points(result.score)} / {points(result.max_score)}", ""]
    if bonus_note(result):
        lines += [f"{bonus_note(result)}.", ""]
    if result.deadline:
        lines += [describe_deadline(result.deadline), ""]
    lines += [f"{problem_title(p)}: {points(p.score)} / {points(p.max_score)}" for p in result.problems]
    for finding in result.findings:
        lines += ["", f"Warning: {finding.get('message', '')}"]
    if result.grader_errors:
        lines += ["", "One of the checks failed inside the grader. This is not your fault: course staff "
                      "can see the details, and your score may change after they fix it."]
    return "\n".join(lines)
