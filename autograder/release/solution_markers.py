"""Our solution markers (``# BEGIN SOLUTION`` / ``# END SOLUTION``): where the regions are, and the
student version with each region replaced by its stub.

Inside a function a region becomes ``raise NotImplementedError(...)`` naming the function; at module
level it becomes the stub text written after the marker (``# BEGIN SOLUTION: X = None``).
``solution_regions`` is the one reader of the markers (the nbgrader export translates the same
regions into nbgrader's markers). One concern: text in, text out. It knows nothing about files or
problem sets.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from autograder.errors import UserError

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?::\s?(?P<stub>.*))?\s*$")
END = re.compile(r"^[ \t]*# END SOLUTION\s*$")


class MarkerError(UserError):
    """The solution markers are unbalanced or used where release cannot make a stub."""


@dataclass(frozen=True)
class Region:
    """One solution region of a text's ``splitlines()``: the indices of its two marker lines."""

    begin: int  # the line of ``# BEGIN SOLUTION`` (0-based)
    end: int  # the line of ``# END SOLUTION``
    indent: str  # of the BEGIN marker
    stub: str | None  # the text after ``# BEGIN SOLUTION:``, if any
    function: str | None  # the innermost function whose body holds the region; None at module level


def has_solution_markers(text: str) -> bool:
    return any(BEGIN.match(line) for line in text.splitlines())


def solution_regions(text: str, filename: str) -> list[Region]:
    """The regions of ``text``, in order; ``MarkerError`` (with the line) for a text that does not
    parse or markers that are unbalanced or nested."""
    enclosing = _enclosing_functions(text, filename)
    lines = text.splitlines()
    regions: list[Region] = []
    i = 0
    while i < len(lines):
        begin = BEGIN.match(lines[i])
        if END.match(lines[i]):
            raise MarkerError(f"{filename}:{i + 1}: END SOLUTION without BEGIN SOLUTION")
        if not begin:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not END.match(lines[j]):
            if BEGIN.match(lines[j]):
                raise MarkerError(f"{filename}:{j + 1}: nested BEGIN SOLUTION")
            j += 1
        if j == len(lines):
            raise MarkerError(f"{filename}:{i + 1}: BEGIN SOLUTION without END SOLUTION")
        regions.append(Region(begin=i, end=j, indent=begin["indent"], stub=begin["stub"],
                              function=enclosing.get(i + 1)))
        i = j + 1
    return regions


def strip_solutions(text: str, filename: str, hint: str) -> str:
    """The student version of ``text``; ``hint`` ends the NotImplementedError message."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for region in solution_regions(text, filename):
        out += lines[position:region.begin]
        if region.stub is not None:
            out.append(f"{region.indent}{region.stub.rstrip()}\n")
        elif region.function is not None:
            message = f"{region.function}: not implemented yet. {hint}"
            out.append(f"{region.indent}raise NotImplementedError({message!r})\n")
        else:
            raise MarkerError(f"{filename}:{region.begin + 1}: a module-level solution region needs "
                              f"its stub after the marker, e.g. '# BEGIN SOLUTION: ANSWER = None'")
        position = region.end + 1
    result = "".join(out + lines[position:])
    try:
        ast.parse(result, filename)
    except SyntaxError as exc:
        raise MarkerError(f"{filename}: the stub version does not parse ({exc.msg}, line "
                          f"{exc.lineno}); check the indentation of the markers") from None
    return result


def _enclosing_functions(text: str, filename: str) -> dict[int, str]:
    """Line number -> name of the innermost function whose body contains that line."""
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as exc:
        raise MarkerError(f"{filename}: the reference does not parse: {exc}") from None
    owner: dict[int, str] = {}
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for node in sorted(functions, key=lambda n: n.lineno):  # inner functions overwrite outer ones
        for line in range(node.lineno + 1, (node.end_lineno or node.lineno) + 1):
            owner[line] = node.name
    return owner
