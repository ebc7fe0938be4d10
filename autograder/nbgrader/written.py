"""Written answers graded by hand in nbgrader's formgrader: read from ``solutions/<pset>/nbgrader.toml``
(optional, ``[[written]]`` entries) and written as a prompt cell and nbgrader's solution cell.
The autograder never scores them; the gradebook only marks them answered or not.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from autograder.nbgrader.cells import (
    NBGRADER_BEGIN,
    NBGRADER_END,
    ExportError,
    markdown_cell,
    nbgrader_meta,
    refuse_delimiters,
)
from autograder.notebook import META
from autograder.problemset import ProblemSet

SETTINGS = "nbgrader.toml"  # optional, beside problemset.toml: the written answers graded by hand
_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Written:
    """A written answer graded by hand in the formgrader (not by the autograder)."""

    problem: str
    id: str
    points: float
    prompt: str
    answer: str = ""


def written_parts(pset: ProblemSet) -> list[Written]:
    """The written answers of ``solutions/<pset>/nbgrader.toml`` (``[[written]]`` entries)."""
    path = pset.root / SETTINGS
    if not path.is_file():
        return []
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ExportError(f"{path} is not valid TOML: {exc}") from None
    parts = []
    known = {p.id for p in pset.problems}
    for entry in raw.get("written", []):
        try:
            part = Written(problem=str(entry["problem"]), id=str(entry["id"]),
                           points=float(entry["points"]), prompt=str(entry["prompt"]),
                           answer=str(entry.get("answer", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ExportError(f"{path}: a [[written]] entry needs problem, id, points and prompt "
                              f"(missing or malformed {exc})") from None
        if part.problem not in known:
            raise ExportError(f"{path}: written answer {part.id!r} names problem {part.problem!r}; "
                              f"known: {', '.join(sorted(known))}")
        if not _ID.match(part.id) or part.points <= 0:
            raise ExportError(f"{path}: written answer ids are letters, digits, _ and -, and "
                              f"points are positive (got {part.id!r}, {part.points:g})")
        for text in (part.prompt, part.answer):
            refuse_delimiters(text, f"{path} ({part.id})")
        parts.append(part)
    ids = [p.id for p in parts]
    if len(set(ids)) != len(ids):
        raise ExportError(f"{path}: written answer ids must be unique")
    return parts


def written_cells(part: Written) -> list:
    """The prompt (markdown) and nbgrader's manually graded solution cell holding the model answer
    (nbgrader's release replaces it with ``YOUR ANSWER HERE``)."""
    prompt = markdown_cell(f"**Written answer ({part.points:g} points, graded by hand).** "
                           f"{part.prompt.strip()}")
    answer = part.answer.strip() or "(the model answer)"
    cell = markdown_cell(f"{NBGRADER_BEGIN}\n{answer}\n{NBGRADER_END}", metadata={
        "nbgrader": nbgrader_meta(f"written_{part.id}", grade=True, solution=True,
                                  points=part.points),
        META: {"role": "written", "problem": part.problem}})
    return [prompt, cell]
