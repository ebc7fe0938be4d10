"""A submitted notebook -> the student's modules (``<module>.py``), read as text, never run.

In the notebook that ``autograder nbgrader export`` writes, each module of the problem set is one or
more code cells whose metadata names it (``metadata.autograder.module``; nbgrader's solution cells
among them also have the grade id ``code_<module>[_<k>]``). Those cells, in order, are the module;
nothing else in the notebook is graded (scratch cells, the check cells, outputs).

Each cell is taken as the notebook runs it: a cell stops at its first top-level ``raise`` (e.g.
the ``raise NotImplementedError()`` nbgrader leaves where an answer was not written), so what
follows it in that cell is left out and the next cell still counts. IPython-only lines (``%magic``,
``!shell``) become comments, so a ``%matplotlib inline`` left in a cell does not break the import.

A notebook without that metadata (any ``.ipynb``) falls back to all of its editable code cells, for
every module of the problem set. Also here: the cell conventions shared by the exporter, the kernel
side and the gradebook recorder, and nbgrader's ``submitted/<student>/<pset>/`` layout.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from autograder.problemset import ProblemSet

META = "autograder"  # our key in a cell's metadata: {"role": ..., "module"/"problem": ...}
CODE_ID = "code_"  # grade id of a module's answer cell: code_<module>
CHECKS_MAGIC = "%%autograder_checks"  # first line of every check cell
SUBMITTED = "submitted"  # nbgrader's folder of collected submissions: submitted/<student>/<pset>/
MAX_NOTEBOOK_BYTES = 50 << 20
_IPYTHON_LINE = re.compile(r"^(\s*)([%!].*)$")


class NotebookError(Exception):
    """The notebook cannot be read or holds no code; the message says what to do."""


def nbgrader_student(source: Path) -> str | None:
    """The student id of a path in nbgrader's layout: ``submitted/<student>/<pset>`` (the folder)
    or ``submitted/<student>/<pset>/<notebook>.ipynb``; None for any other path."""
    folder = Path(source).absolute()
    if folder.suffix == ".ipynb":
        folder = folder.parent
    if folder.parent.parent.name == SUBMITTED and folder.parent.name:
        return folder.parent.name
    return None


def find_notebook(folder: Path, pset_id: str) -> Path | None:
    """The notebook a submitted folder holds: ``<pset>.ipynb`` or the only one (checkpoints aside)."""
    found = sorted((p for p in Path(folder).rglob("*.ipynb")
                    if ".ipynb_checkpoints" not in p.parts and p.is_file() and not p.is_symlink()),
                   key=lambda p: (len(p.parts), str(p)))
    named = [p for p in found if p.name == f"{pset_id}.ipynb"]
    if named:
        return named[0]
    if len(found) > 1:
        names = ", ".join(p.relative_to(folder).as_posix() for p in found[:5])
        raise NotebookError(f"the submission holds several notebooks ({names}) and none is named "
                            f"{pset_id}.ipynb; submit one notebook")
    return found[0] if found else None


def extract_notebook(notebook: Path, pset: ProblemSet, target: Path) -> list[str]:
    """Write the notebook's modules into ``target`` (existing module files are kept); their names."""
    modules = notebook_modules(read_notebook(notebook), pset, name=notebook.name)
    written = []
    for module, text in modules.items():
        path = Path(target) / f"{module}.py"
        if not path.exists():
            path.write_text(text)
            written.append(path.name)
    return written


def extract_if_only_notebook(tree: Path, pset: ProblemSet) -> list[str]:
    """A submitted folder (or zip) that holds a notebook but none of the modules: extract them next
    to the notebook. A folder that has the ``.py`` files is graded from those."""
    wanted = {f"{m}.py" for m in pset.modules}
    if any(p.name in wanted for p in Path(tree).rglob("*.py")):
        return []
    notebook = find_notebook(tree, pset.id)
    return extract_notebook(notebook, pset, notebook.parent) if notebook else []


def read_notebook(path: Path) -> dict:
    """The notebook's JSON, checked for the shape this module reads (nbformat 4)."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB; clear its "
                                f"outputs (Kernel > Restart & Clear Output) and resubmit")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise NotebookError(f"{path.name} is not a readable notebook ({exc}); save it again in "
                            f"Jupyter and resubmit") from None
    if type(data) is not dict or type(data.get("cells")) is not list:
        raise NotebookError(f"{path.name} is not a Jupyter notebook (no list of cells); save it "
                            f"again in Jupyter and resubmit")
    if data.get("nbformat") != 4:
        raise NotebookError(f"{path.name} is in notebook format {data.get('nbformat')!r}; open and "
                            f"save it in a current Jupyter (format 4)")
    return data


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    if type(source) is list:
        return "".join(s for s in source if type(s) is str)
    return source if type(source) is str else ""


def cell_module(cell: dict, modules: tuple[str, ...]) -> str | None:
    """The module an answer cell holds, or None (by our metadata, else by nbgrader's grade id)."""
    if type(cell) is not dict or cell.get("cell_type") != "code":
        return None
    metadata = cell.get("metadata") if type(cell.get("metadata")) is dict else {}
    ours = metadata.get(META) if type(metadata.get(META)) is dict else {}
    nbgrader = metadata.get("nbgrader") if type(metadata.get("nbgrader")) is dict else {}
    if ours.get("role") == "code" and ours.get("module") in modules:
        return ours["module"]
    grade_id = nbgrader.get("grade_id")
    if nbgrader.get("solution") is True and type(grade_id) is str and grade_id.startswith(CODE_ID):
        name = grade_id.removeprefix(CODE_ID)
        for module in (name, re.sub(r"_\d+$", "", name)):
            if module in modules:
                return module
    return None


def notebook_modules(notebook: dict, pset: ProblemSet, *, name: str = "the notebook") -> dict[str, str]:
    """Module name -> source text, from the answer cells (see the module docstring)."""
    cells = [c for c in notebook["cells"] if type(c) is dict]
    parts: dict[str, list[str]] = {}
    for cell in cells:
        module = cell_module(cell, pset.modules)
        if module is not None:
            parts.setdefault(module, []).append(as_run(python_source(cell_source(cell))))
    if not parts:  # not one of our notebooks: every editable code cell, for every module
        code = [as_run(python_source(cell_source(c))) for c in cells
                if c.get("cell_type") == "code" and not _is_nbgrader_fixed(c)
                and not cell_source(c).startswith(CHECKS_MAGIC)]
        code = [c for c in code if c.strip()]
        if not code:
            raise NotebookError(f"{name} has no code cells; write your code in the answer cells "
                                f"and save the notebook before submitting")
        parts = {module: code for module in pset.modules}
    return {module: "\n\n".join(texts).rstrip() + "\n" for module, texts in parts.items()}


def as_run(text: str) -> str:
    """The cell up to its first top-level ``raise``: what running it defines (the cell stops there).
    The lines after it become comments, so line numbers stay those of the cell."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text  # the import reports the syntax error, with its line
    stop = next((node.lineno for node in tree.body if isinstance(node, ast.Raise)), None)
    if stop is None:
        return text
    lines = text.split("\n")
    kept = lines[:stop - 1]
    dropped = [f"# (not run: the cell stops at this raise) {line}" if i == 0 else f"# {line}"
               for i, line in enumerate(lines[stop - 1:])]
    return "\n".join(kept + dropped)


def python_source(text: str) -> str:
    """A cell's code as plain Python: IPython magics and shell escapes become comments (same lines).
    Code that parses as Python is left exactly as it is."""
    try:
        ast.parse(text)
        return text
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = text.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n".join(f"# {line}" for line in lines)
    return "\n".join(_IPYTHON_LINE.sub(r"\1# \2", line) for line in lines)


def _is_nbgrader_fixed(cell: dict) -> bool:
    """Grade (test) cells and read-only cells: the instructor's, never the student's code."""
    metadata = cell.get("metadata") if type(cell.get("metadata")) is dict else {}
    nbgrader = metadata.get("nbgrader") if type(metadata.get("nbgrader")) is dict else {}
    if nbgrader.get("solution") is True:
        return False
    return nbgrader.get("grade") is True or nbgrader.get("locked") is True
