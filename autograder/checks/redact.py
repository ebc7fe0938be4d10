"""Fixed categories that stand in, in hidden checks' messages, for text the student's code chose.

Runs in the trusted parent on the parent's ``StudentError``s. An exception's type is named only when
it is one of Python's built-in exception classes (a list built here from ``builtins``, never from
what the child says beyond matching it); a place only as a line number; a missing module or name
only when it is one of the problem set's own. Nothing else the child sent (messages, type, file and
function names, exit codes, bytes) is ever returned.
"""

from __future__ import annotations

import ast
import builtins
import functools
import re
from pathlib import Path

from autograder.sandbox.errors import StudentException

# "builtins.ValueError" -> "ValueError", for every exception class the interpreter defines.
BUILTIN_EXCEPTIONS: dict[str, str] = {
    f"builtins.{cls.__qualname__}": cls.__qualname__
    for cls in vars(builtins).values()
    if isinstance(cls, type) and issubclass(cls, BaseException)
}
_MISSING = re.compile(r"(\w{1,100})\.py (?:is not in the submission|does not define (\w{1,100}))")
_LINE = re.compile(r", line ([1-9][0-9]{0,4})(?:, in |$)")  # the child's "file.py, line 12, in f"


def exception_kind(exc: StudentException) -> str:
    """``"an exception of a built-in type ValueError"`` or, for any other type, ``"an exception"``."""
    first = exc.type_names[0] if exc.type_names else ""
    name = BUILTIN_EXCEPTIONS.get(first)
    return f"an exception of a built-in type {name}" if name else "an exception"


def student_line(where: str) -> str:
    """``"line 12"`` from the child's place of an error, or ``""``: a number of at most five digits,
    never the file or function name around it."""
    found = _LINE.findall(where[-300:])
    return f"line {found[-1]}" if found else ""


def missing_name(message: str, modules: dict[str, Path]) -> str:
    """The child's "m.py is not in the submission" or "m.py does not define f", rebuilt from the
    parent's own lists: ``m`` one of the problem set's modules (``{name: trusted file}``) and ``f``
    a name that file defines at top level; ``""`` when the message names anything else."""
    found = _MISSING.fullmatch(message)
    if not found or found[1] not in modules:
        return ""
    module, name = found[1], found[2]
    if name is None:
        return f"{module}.py is not in the submission"
    return f"{module}.py does not define {name}" if name in top_level_names(modules[module]) else ""


@functools.cache
def top_level_names(path: Path) -> frozenset[str]:
    """Functions, classes and variables a trusted module (a reference or a stub) defines."""
    try:
        tree = ast.parse(Path(path).read_text())
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name))
    return frozenset(names)
