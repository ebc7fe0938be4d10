"""Replace the regions between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` with student stubs.

Inside a function a region becomes ``raise NotImplementedError(...)`` naming the function; at module
level it becomes the stub text written after the marker (``# BEGIN SOLUTION: X = None``).
One concern: text in, text out. It knows nothing about files or problem sets.
"""

from __future__ import annotations

import ast
import re

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?::\s?(?P<stub>.*))?\s*$")
END = re.compile(r"^[ \t]*# END SOLUTION\s*$")


class MarkerError(Exception):
    """The solution markers are unbalanced or used where release cannot make a stub."""


def has_solution_markers(text: str) -> bool:
    return any(BEGIN.match(line) for line in text.splitlines())


def strip_solutions(text: str, filename: str, hint: str) -> str:
    """The student version of ``text``; ``hint`` ends the NotImplementedError message."""
    enclosing = _enclosing_functions(text, filename)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        begin = BEGIN.match(lines[i].rstrip("\n"))
        if END.match(lines[i].rstrip("\n")):
            raise MarkerError(f"{filename}:{i + 1}: END SOLUTION without BEGIN SOLUTION")
        if not begin:
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not END.match(lines[j].rstrip("\n")):
            if BEGIN.match(lines[j].rstrip("\n")):
                raise MarkerError(f"{filename}:{j + 1}: nested BEGIN SOLUTION")
            j += 1
        if j == len(lines):
            raise MarkerError(f"{filename}:{i + 1}: BEGIN SOLUTION without END SOLUTION")
        indent, stub = begin["indent"], begin["stub"]
        function = enclosing.get(i + 1)
        if stub is not None:
            out.append(f"{indent}{stub.rstrip()}\n")
        elif function is not None:
            message = f"{function}: not implemented yet. {hint}"
            out.append(f"{indent}raise NotImplementedError({message!r})\n")
        else:
            raise MarkerError(f"{filename}:{i + 1}: a module-level solution region needs its stub "
                              f"after the marker, e.g. '# BEGIN SOLUTION: ANSWER = None'")
        i = j + 1
    result = "".join(out)
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
