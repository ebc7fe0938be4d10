"""The instructor's source notebook of one assignment (``source/<pset>/<pset>.ipynb``), in order: an
introduction, the statement (rendered as ``autograder release`` renders it, one markdown cell per
``## `` section), a read-only setup cell, then per problem: its module as answer cells (``cells``),
its written answers (``written``) and its autograded check cells (``plan``). A public check cell
holds the check file as it is, run by the ``%%autograder_checks`` magic (``kernel``), and its plan;
a hidden check cell is a placeholder (its points, grade id, problem and file; no check code,
reference, seed or secret: whatever a notebook holds reaches the student's kernel).
Builds the notebook in memory; ``course`` writes it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from autograder.nbgrader import skip_iri_grammars
from autograder.nbgrader.cells import (
    ExportError,
    answer_cells,
    code_cell,
    markdown_cell,
    nbgrader_meta,
    refuse_delimiters,
    validate,
)
from autograder.nbgrader.plan import (
    PLAN,
    CheckCell,
    check_cells,
    collect_checks,
    hidden_plan,
    plan_source,
    public_plan,
    reference_modules,
)
from autograder.nbgrader.written import Written, written_cells, written_parts
from autograder.notebook import CHECKS_MAGIC, META
from autograder.problemset import Problem, ProblemSet
from autograder.release import pipeline

SETUP_ID = "autograder_setup"  # grade id of the notebook's locked setup cell

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

if TYPE_CHECKING:
    from nbformat import NotebookNode


def build_notebook(pset: ProblemSet) -> tuple[NotebookNode, float, float]:
    """The instructor's source notebook, its autograded points and its written points."""
    skip_iri_grammars()
    from nbformat.v4 import new_notebook

    cells_of = check_cells(pset, collect_checks(pset))
    written = written_parts(pset)
    title, statement = _statement_parts(pset)
    cells = [markdown_cell(_introduction(pset, title, written))]
    cells += [markdown_cell(part) for part in statement]
    cells.append(_setup_cell(pset))
    done_modules: set[str] = set()
    autograded = 0.0
    for problem in pset.problems:
        mine = cells_of[problem.id]
        shared = problem.module in done_modules
        cells.append(markdown_cell(_problem_heading(problem, problem.points if mine else 0.0,
                                                    written, shared)))
        if not shared:
            done_modules.add(problem.module)
            cells += _answer_cells(pset, problem.module)
        for part in (w for w in written if w.problem == problem.id):
            cells += written_cells(part)
        for cell in mine:
            cells.append(_check_cell(pset, problem, cell))
            autograded += cell.points
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        META: {"pset": pset.id, "generated_by": "autograder nbgrader export"},
    })
    validate(notebook)
    return notebook, round(autograded, 6), round(sum(w.points for w in written), 6)


def _introduction(pset: ProblemSet, title: str, written: list[Written]) -> str:
    hand = (" The written answers (markdown cells that say `YOUR ANSWER HERE`) are graded by hand."
            if written else "")
    return (
        f"{title}\n\n"
        "**How this notebook works.** Each problem's code is a module of the problem set, given as "
        "one or more code cells under the problem's heading. Replace every `# YOUR CODE HERE` / "
        "`raise NotImplementedError()` with your code, also where a cell gives an answer or room for "
        "helper functions (a cell stops at its first error: delete the `raise` there even if you "
        "add nothing). Only these cells are graded, not cells you add: put helper functions in "
        "them, and import what one module needs from another by its name "
        f"(`{import_example(pset)}`). Run the cells from the top (*Kernel → Restart & Run All*); "
        "each check cell runs public checks on your functions and prints what passes. Hidden checks "
        "are not in this notebook: they run when your notebook is graded, and their cells show 0 "
        "until then; your points are shared among public and hidden checks."
        f"{hand}"
    )


def import_example(pset: ProblemSet) -> str:
    """How one answer cell imports another module, with this problem set's names: the first public
    function of its first module (``from <module> import <function>``), else ``import <module>``."""
    module = pset.modules[0] if pset.modules else "your_module"
    path = pset.root / f"{module}.py"
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError, ValueError):
        return f"import {module}"
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                 and not node.name.startswith("_")]
    return f"from {module} import {functions[0]}" if functions else f"import {module}"


def _statement_parts(pset: ProblemSet) -> tuple[str, list[str]]:
    """The statement's title line (its leading ``# `` heading, else the problem set's title) and the
    rest as ``autograder release`` renders it, one markdown cell per ``## `` section. The title
    heads the notebook's first cell, once."""
    text = pipeline.statement(pset)["README.md"].decode().lstrip("\n")
    title = f"# {pset.title}"
    if text.startswith("# "):
        title, _, text = text.partition("\n")
    parts, current = [], []
    for line in text.splitlines():
        if line.startswith("## ") and current:
            parts.append("\n".join(current).strip())
            current = []
        current.append(line)
    parts.append("\n".join(current).strip())
    parts = [p for p in parts if p]
    for part in (title, *parts):
        refuse_delimiters(part, f"{pset.statement} (the statement)")
    return title.strip(), parts


def _setup_cell(pset: ProblemSet):
    modules = ", ".join(repr(m) for m in pset.modules)
    source = (
        "# Setup (read-only). The check cells below run the problem set's checks with\n"
        "# `%%autograder_checks`; each module (its code cells) is importable by its name.\n"
        "import autograder.nbgrader.kernel\n\n"
        f"autograder.nbgrader.kernel.setup([{modules}])"
    )
    return code_cell(source, metadata={
        "nbgrader": nbgrader_meta(SETUP_ID, locked=True), META: {"role": "setup"},
        "editable": False, "deletable": False})


def _problem_heading(problem: Problem, points: float, written: list[Written], shared: bool) -> str:
    hand = sum(w.points for w in written if w.problem == problem.id)
    bonus = ", bonus" if problem.bonus else ""
    extra = f" + {hand:g} written" if hand else ""
    where = "above" if shared else "in the code cells below"
    return (f"## {problem.title} — your answer ({points:g} points{extra}{bonus})\n\n"
            f"Your module `{problem.module}` is {where} "
            f"(`{problem.module}.py` in the folder version of this problem set).")


def _answer_cells(pset: ProblemSet, module: str) -> list:
    path = pset.root / f"{module}.py"
    if not path.is_file():
        raise ExportError(f"{path} not found: every module of {pset.id}'s manifest needs its "
                          f"reference file")
    return answer_cells(path, module)


def _check_cell(pset: ProblemSet, problem: Problem, cell: CheckCell):
    meta = {"nbgrader": nbgrader_meta(cell.grade_id, grade=True, locked=True, points=cell.points),
            META: {"role": "checks", "problem": problem.id,
                   "visibility": "hidden" if cell.hidden else "visible", "file": cell.file}}
    if cell.hidden:
        return code_cell(_placeholder_source(pset, problem, cell), metadata=meta)
    text = cell.checks[0].path.read_text()
    refuse_delimiters(text, cell.file)
    if reference_modules(text):
        raise ExportError(f"{cell.file} is a public check file but uses the `reference` fixture: the "
                          f"reference solution never goes into a notebook; move those checks to the "
                          f"hidden checks")
    plan = public_plan(pset.id, cell)
    head = [f"{CHECKS_MAGIC} {cell.file}",
            f"# Public checks of “{problem.title}” ({cell.file}): {cell.points:g} of the problem's "
            f"{problem.points:g} points.",
            "# They run in this kernel on your functions above; hidden checks share the other points."]
    if plan["sandbox_only"]:
        head.append(f"# {len(plan['sandbox_only'])} of them (timing) are judged only by `autograder "
                    f"grade`, which records their points; they score 0 in a kernel.")
    return code_cell("\n".join([*head, text.rstrip(), "", plan_source(plan)]), metadata=meta)


def _placeholder_source(pset: ProblemSet, problem: Problem, cell: CheckCell) -> str:
    """A hidden check cell: what it is worth and who grades it; no check, reference or seed."""
    return "\n".join([
        f"{CHECKS_MAGIC}",
        f"# Hidden checks of “{problem.title}”: {cell.points:g} of the problem's "
        f"{problem.points:g} points.",
        "# They are not in this notebook. `autograder grade` runs them in its sandbox when your",
        "# notebook is graded and records their points here; run in a kernel, this cell scores 0.",
        f"{PLAN} = {hidden_plan(pset.id, cell)!r}",
    ])
