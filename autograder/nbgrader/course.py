"""``solutions/<pset>`` -> a real nbgrader course: ``nbgrader_config.py`` and
``source/<pset>/<pset>.ipynb`` (plus the files students need beside it).

The notebook, in order: an introduction, the statement (rendered as ``autograder release`` renders
it), a read-only setup cell, then per problem: its module as code cells (the reference module with
nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` where ours were, cut after each
module-level region, whose nbgrader stub raises), the written answers graded by hand
(``solutions/<pset>/nbgrader.toml``), and the autograded check cells: one per check file and
problem. A public check cell holds the check file as it is, run by the ``%%autograder_checks``
magic (``kernel``), and a plan: its checks with the points they carry (the manifest's points
shared by weight, as the grader shares them) and the seed the grader's ``rng`` gives them.
A hidden check cell is a placeholder: its points, its grade id, its problem and file, and no check
code, reference, seed or secret, since whatever a notebook holds reaches the student's kernel
(``nbgrader autograde`` runs the submission next to it). Only ``autograder grade --gradebook``
grades hidden checks (in its sandbox) and fills those cells; in a kernel they score 0.
nbgrader's own ``generate_assignment``, ``autograde``, ``generate_feedback`` and ``export`` work
on the notebook unchanged.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from autograder.checks.plugin import CheckRecorder, GradingContext, check_seed, seed_secret
from autograder.grading.grade import TIMING_CHECKS, check_paths, hidden_checks_secret, run_checks
from autograder.nbgrader import skip_iri_grammars
from autograder.nbgrader.notebook import CHECKS_MAGIC, CODE_ID, META, PLAN, SETUP_ID
from autograder.problemset import ProblemSet, ProblemSetError
from autograder.release import pipeline
from autograder.release.solution_markers import BEGIN, END, strip_solutions

CONFIG = "nbgrader_config.py"
SETTINGS = "nbgrader.toml"  # optional, beside problemset.toml: the written answers graded by hand
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# Text nbgrader acts on wherever it appears: only our own markers may hold it.
_NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                        "AUTOTEST")
_ID = re.compile(r"^[A-Za-z0-9_-]+$")
SANDBOX_ONLY_FIXTURES = frozenset({"timing"})  # they drive the sandboxed child itself
TIMING_CELL = "timing"  # the cell of a problem's [[timing]] checks (the engine's autograder/timing/check.py)

if TYPE_CHECKING:
    from nbformat import NotebookNode

CONFIG_TEXT = '''\
# nbgrader's configuration for this course. Written once by `autograder nbgrader export` (an
# existing file is kept): edit it freely. Run nbgrader's commands in this folder.
import os
import sys
import warnings

c = get_config()  # noqa: F821 - nbgrader defines get_config

# nbgrader's own gradebook code (nbgrader.api) makes SQLAlchemy 2 warn that objects are "not in
# session" during autoflush; what it records is right (the tests read the gradebook back).
warnings.filterwarnings("ignore", message=r"Object of type <\\w+> not in session", module=r"nbgrader\\.")

# A check cell runs all the checks of one file, each with its own time limit: give cells time.
c.Execute.timeout = 600

# The hidden checks' seed secret never reaches a notebook's kernel: nbgrader starts kernels with
# its own environment, and student code can read a kernel's environment.
os.environ.pop("AUTOGRADER_SECRET", None)

# One thread per BLAS and torch in the kernels (nbgrader starts them with this environment), as in
# the sandbox's children: a check's time limit (CPU time, in a kernel) then means the same there,
# and a loaded machine does not leave threads spinning for cores.
for _threads in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_threads] = os.environ.get("AUTOGRADER_CHILD_THREADS", "1")

# Hidden checks are not in the notebook: only `autograder grade --gradebook` grades them, in its
# sandbox. `nbgrader autograde` runs the public checks in the student's kernel and gives every
# hidden check cell 0 (docs/nbgrader.md).
if sys.argv[1:2] == ["autograde"] and not os.environ.get("AUTOGRADER_AUTOGRADE_NOTED"):
    os.environ["AUTOGRADER_AUTOGRADE_NOTED"] = "1"  # nbgrader loads this file more than once: say it once
    print("autograder: nbgrader autograde grades only the public checks, in the students' kernels; "
          "hidden check cells score 0 until `autograder grade PSET submitted/*/PSET --gradebook .` "
          "grades them in its sandbox (run it after this command: it replaces these scores)",
          file=sys.stderr)

# Feedback never shows check code: nbgrader's own ClearHiddenTests runs on the feedback copy
# (the cells this exporter writes hold no hidden checks; this keeps older notebooks safe too).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''


class ExportError(ProblemSetError):
    """The problem set cannot be written as an nbgrader notebook; the message says what to fix."""


@dataclass(frozen=True)
class Written:
    """A written answer graded by hand in the formgrader (not by the autograder)."""

    problem: str
    id: str
    points: float
    prompt: str
    answer: str = ""


@dataclass
class Check:
    nodeid: str
    function: str
    file: str  # relative to the problem set; "timing" for the manifest's [[timing]] checks
    path: Path  # the file the checks are defined in (the cell's text)
    problem: str
    visibility: str  # visible | hidden | after_due_date
    hidden_file: bool
    weight: float = 1.0
    points: float = 0.0
    seed: int = 0
    indices: dict = field(default_factory=dict)
    timeout: float = 10.0
    sandbox_only: bool = False  # uses a fixture that needs the sandbox (timing): not run in a kernel


@dataclass(frozen=True)
class Export:
    """What ``export_course`` wrote."""

    notebook: Path
    files: tuple[Path, ...]
    autograded_points: float
    written_points: float
    config_written: bool
    hidden_points: float = 0.0  # in placeholder cells: graded only by `autograder grade --gradebook`
    hidden_cells: int = 0


# ---------------------------------------------------------------------------- the course


def export_course(pset: ProblemSet, course: Path) -> Export:
    """Write (or refresh) the nbgrader course folder ``course`` for ``pset``."""
    skip_iri_grammars()
    import nbformat  # here, not at import: it takes seconds, and the CLI imports this module

    course = Path(course)
    notebook, autograded, written = build_notebook(pset)
    placeholders = [c for c in notebook.cells if c.metadata.get(META, {}).get("role") == "checks"
                    and c.metadata[META].get("visibility") == "hidden"]
    source = course / "source" / pset.id
    source.mkdir(parents=True, exist_ok=True)
    files = []
    path = source / f"{pset.id}.ipynb"
    nbformat.write(notebook, str(path))
    files.append(path)
    for rel, data in student_files(pset).items():  # what the notebook needs beside it, released too
        target = source / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files.append(target)
    config = course / CONFIG
    config_written = not config.exists()
    if config_written:
        config.write_text(CONFIG_TEXT)
        files.append(config)
    return Export(notebook=path, files=tuple(files), autograded_points=autograded,
                  written_points=written, config_written=config_written,
                  hidden_points=round(sum(c.metadata.nbgrader.points for c in placeholders), 6),
                  hidden_cells=len(placeholders))


def student_files(pset: ProblemSet) -> dict[str, bytes]:
    """Given files and drivers (students' code and the checks use them), and the released manifest
    (checks find the problem set's root by it)."""
    files = {}
    for step in (pipeline.given_files, pipeline.drivers, pipeline.released_manifest):
        files.update(step(pset))
    return files


# ---------------------------------------------------------------------------- the notebook


def build_notebook(pset: ProblemSet) -> tuple[NotebookNode, float, float]:
    """The instructor's source notebook, its autograded points and its written points."""
    skip_iri_grammars()
    from nbformat.v4 import new_notebook

    checks = collect_checks(pset)
    written = written_parts(pset)
    title, statement = _statement_parts(pset)
    cells = [_markdown_cell(_introduction(title, written))]
    cells += [_markdown_cell(part) for part in statement]
    cells.append(_setup_cell(pset))
    done_modules: set[str] = set()
    autograded = 0.0
    for problem in pset.problems:
        mine = [c for c in checks if c.problem == problem.id]
        weight = sum(c.weight for c in mine)
        points = problem.points if mine else 0.0
        shared = problem.module in done_modules
        cells.append(_markdown_cell(_problem_heading(problem, points, written, shared)))
        if not shared:
            done_modules.add(problem.module)
            cells += _answer_cells(pset, problem.module)
        for part in (w for w in written if w.problem == problem.id):
            cells += _written_cells(part)
        groups: dict[tuple[bool, str], list[Check]] = {}
        for check in mine:
            groups.setdefault((check.hidden_file, check.file), []).append(check)
        kinds = [hidden for hidden, _ in groups]
        for (hidden, file), group in sorted(groups.items()):
            suffix = f"_{_slug(Path(file).stem.removeprefix('test_'))}" if kinds.count(hidden) > 1 else ""
            grade_id = f"{'hidden' if hidden else 'public'}_{_slug(problem.id)}{suffix}"
            cell_points = _share(problem.points, sum(c.weight for c in group), weight)
            cells.append(_check_cell(pset, problem, file, group, grade_id, hidden, cell_points))
            autograded += cell_points
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        META: {"pset": pset.id, "generated_by": "autograder nbgrader export"},
    })
    _validate(notebook)
    return notebook, round(autograded, 6), round(sum(w.points for w in written), 6)


def _introduction(title: str, written: list[Written]) -> str:
    hand = (" The written answers (markdown cells that say `YOUR ANSWER HERE`) are graded by hand."
            if written else "")
    return (
        f"{title}\n\n"
        "**How this notebook works.** Each problem's code is a module of the problem set, given as "
        "one or more code cells under the problem's heading. Replace every `# YOUR CODE HERE` / "
        "`raise NotImplementedError()` with your code, also where a cell gives an answer or room for "
        "helper functions (a cell stops at its first error: delete the `raise` there even if you "
        "add nothing). Only these cells are graded, not cells you add: put helper functions in "
        "them, and import what one module needs from another by its name (`from matrix_chain import "
        "chain_cost`). Run the cells from the top (*Kernel → Restart & Run All*); each check cell "
        "runs public checks on your functions and prints what passes. Hidden checks are not in this "
        "notebook: they run when your notebook is graded, and their cells show 0 until then; your "
        "points are shared among public and hidden checks."
        f"{hand}"
    )


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
        _refuse_delimiters(part, f"{pset.statement} (the statement)")
    return title.strip(), parts


def _setup_cell(pset: ProblemSet):
    modules = ", ".join(repr(m) for m in pset.modules)
    source = (
        "# Setup (read-only). The check cells below run the problem set's checks with\n"
        "# `%%autograder_checks`; each module (its code cells) is importable by its name.\n"
        "import autograder.nbgrader.kernel\n\n"
        f"autograder.nbgrader.kernel.setup([{modules}])"
    )
    return _code_cell(source, metadata={
        "nbgrader": _nbgrader_meta(SETUP_ID, locked=True), META: {"role": "setup"},
        "editable": False, "deletable": False})


def _problem_heading(problem, points: float, written: list[Written], shared: bool) -> str:
    hand = sum(w.points for w in written if w.problem == problem.id)
    bonus = ", bonus" if problem.bonus else ""
    extra = f" + {hand:g} written" if hand else ""
    where = "above" if shared else "in the code cells below"
    return (f"## {problem.title} — your answer ({points:g} points{extra}{bonus})\n\n"
            f"Your module `{problem.module}` is {where} "
            f"(`{problem.module}.py` in the folder version of this problem set).")


def _answer_cells(pset: ProblemSet, module: str) -> list:
    """The module as answer cells: one per module-level solution region (nbgrader's stub raises,
    and a cell stops at its first error), the rest between them with its function regions."""
    path = pset.root / f"{module}.py"
    if not path.is_file():
        raise ExportError(f"{path} not found: every module of {pset.id}'s manifest needs its "
                          f"reference file")
    cells, count = [], 0
    for text, has_region in module_pieces(path.read_text(), str(path)):
        ours = {META: {"role": "code", "module": module}}
        if not has_region:  # nbgrader would replace a solution cell without a region entirely
            cells.append(_code_cell(text, metadata=ours))
            continue
        count += 1
        grade_id = f"{CODE_ID}{module}" if count == 1 else f"{CODE_ID}{module}_{count}"
        cells.append(_code_cell(text, metadata={"nbgrader": _nbgrader_meta(grade_id, solution=True),
                                                **ours}))
    return cells


def _written_cells(part: Written) -> list:
    prompt = _markdown_cell(f"**Written answer ({part.points:g} points, graded by hand).** "
                               f"{part.prompt.strip()}")
    answer = part.answer.strip() or "(the model answer)"
    cell = _markdown_cell(f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION", metadata={
        "nbgrader": _nbgrader_meta(f"written_{part.id}", grade=True, solution=True,
                                   points=part.points),
        META: {"role": "written", "problem": part.problem}})
    return [prompt, cell]


def _check_cell(pset: ProblemSet, problem, file: str, checks: list[Check], grade_id: str,
                hidden: bool, points: float):
    meta = {"nbgrader": _nbgrader_meta(grade_id, grade=True, locked=True, points=points),
            META: {"role": "checks", "problem": problem.id,
                   "visibility": "hidden" if hidden else "visible", "file": file}}
    if hidden:
        return _code_cell(_placeholder_source(pset, problem, file, points), metadata=meta)
    text = checks[0].path.read_text()
    _refuse_delimiters(text, file)
    if _reference_modules(text):
        raise ExportError(f"{file} is a public check file but uses the `reference` fixture: the "
                          f"reference solution never goes into a notebook; move those checks to the "
                          f"hidden checks")
    plan = {"pset": pset.id, "problem": problem.id, "points": points, "visibility": "visible",
            "file": file, "checks": checks,
            "sandbox_only": [c.nodeid for c in checks if c.sandbox_only]}
    head = [f"{CHECKS_MAGIC} {file}",
            f"# Public checks of “{problem.title}” ({file}): {points:g} of the problem's "
            f"{problem.points:g} points.",
            "# They run in this kernel on your functions above; hidden checks share the other points."]
    if plan["sandbox_only"]:
        head.append(f"# {len(plan['sandbox_only'])} of them (timing) are judged only by `autograder "
                    f"grade`, which records their points; they score 0 in a kernel.")
    return _code_cell("\n".join([*head, text.rstrip(), "", _plan_source(plan)]), metadata=meta)


def _placeholder_source(pset: ProblemSet, problem, file: str, points: float) -> str:
    """A hidden check cell: what it is worth and who grades it; no check, reference or seed."""
    plan = {"pset": pset.id, "problem": problem.id, "visibility": "hidden", "points": points,
            "file": file}
    return "\n".join([
        f"{CHECKS_MAGIC}",
        f"# Hidden checks of “{problem.title}”: {points:g} of the problem's {problem.points:g} points.",
        "# They are not in this notebook. `autograder grade` runs them in its sandbox when your",
        "# notebook is graded and records their points here; run in a kernel, this cell scores 0.",
        f"{PLAN} = {plan!r}",
    ])


def _code_cell(source: str, metadata: dict):
    from nbformat.v4 import new_code_cell

    return new_code_cell(source, metadata=metadata)


def _markdown_cell(source: str, metadata: dict | None = None):
    from nbformat.v4 import new_markdown_cell

    return new_markdown_cell(source, metadata=metadata or {})


def _nbgrader_meta(grade_id: str, *, grade: bool = False, solution: bool = False,
                   locked: bool = False, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def _validate(notebook) -> None:
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    try:
        MetadataValidator().validate_nb(notebook)
    except ValidationError as exc:
        raise ExportError(f"the notebook's nbgrader metadata is invalid: {exc}") from None


# ---------------------------------------------------------------------------- solution markers


def nbgrader_solution_source(text: str, filename: str) -> str:
    """The reference module with nbgrader's markers where ours are (all pieces, joined)."""
    return "\n\n".join(piece for piece, _ in module_pieces(text, filename)) + "\n"


def module_pieces(text: str, filename: str) -> list[tuple[str, bool]]:
    """The reference module with nbgrader's markers where ours are, cut after each module-level
    region: ``[(cell source, holds a region)]``, in order. A stub written after our marker stays as
    the line before the region (at module level as code, ``ANSWER = None``; inside a function as a
    comment); nbgrader replaces each region by its own stub, which raises."""
    strip_solutions(text, filename, "")  # the markers are balanced and the stub version parses
    pieces: list[tuple[str, bool]] = []
    current: list[str] = []
    has_region = module_level = False

    def cut() -> None:
        nonlocal has_region
        piece = "\n".join(current).strip("\n")
        if piece.strip():
            pieces.append((piece, has_region))
        current.clear()
        has_region = False

    for number, line in enumerate(text.splitlines(), 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            indent, stub = begin["indent"], (begin["stub"] or "").rstrip()
            module_level = not indent
            if module_level:
                cut()
            if stub:
                current.append(f"{indent}{stub}" if module_level or stub.startswith("#")
                               else f"{indent}# {stub}")
            current.append(f"{indent}### BEGIN SOLUTION")
            has_region = True
        elif end:
            current.append(f"{line[:len(line) - len(line.lstrip())]}### END SOLUTION")
            if module_level:
                cut()
                module_level = False
        else:
            _refuse_delimiters(line, f"{filename}:{number}")
            current.append(line)
    cut()
    return pieces


def _refuse_delimiters(text: str, where: str) -> None:
    for delimiter in _NBGRADER_DELIMITERS:
        if delimiter in text:
            raise ExportError(f"{where} contains {delimiter!r}, which nbgrader treats as its own "
                              f"marker in any cell; reword it")


# ---------------------------------------------------------------------------- the checks


class _Items:
    def __init__(self) -> None:
        self.items: list[pytest.Item] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.items = list(items)


def collect_checks(pset: ProblemSet) -> list[Check]:
    """Every check of the grading run (public and hidden), with its points and seed, as the grader
    would assign them: same collection, same node ids, same weights, same secret."""
    hidden = pset.hidden_checks_dir
    context = GradingContext(pset=pset, submission_dir=pset.root, secret=hidden_checks_secret(hidden),
                             reference_root=pset.root)
    recorder, items = CheckRecorder(context), _Items()
    log = run_checks(check_paths(pset, hidden), pset.root, [recorder, items], "--collect-only")
    broken = list(recorder.collection_errors)
    broken += [f"{r.nodeid}: {r.grader_error}" for r in recorder.records.values() if r.grader_error]
    if broken or not recorder.records:
        raise ExportError(f"the checks of {pset.id} cannot be collected: "
                          f"{'; '.join(broken) or log[-2000:]}")
    total_weight: dict[str, float] = {}  # a problem's points are shared by weight, as in grading
    for record in recorder.records.values():
        total_weight[record.problem] = total_weight.get(record.problem, 0.0) + record.weight
    checks = []
    for item in items.items:
        record = recorder.records[item.nodeid]
        path = Path(item.path).resolve()
        timed = path == TIMING_CHECKS.resolve()
        callspec = getattr(item, "callspec", None)
        marker = item.get_closest_marker("call_timeout")
        file = TIMING_CELL if timed else path.relative_to(pset.root).as_posix()
        hidden_file = timed or (hidden is not None and hidden in path.parents)
        if check_file(item.nodeid) != file:  # the gradebook maps results to cells by check_file
            raise ExportError(f"{item.nodeid}: its node id does not name its file {file}; check "
                              f"files must sit under {pset.root}")
        checks.append(Check(
            nodeid=item.nodeid,
            function=item.originalname if hasattr(item, "originalname") else item.name,
            file=file,
            path=path,
            problem=record.problem,
            visibility=record.visibility,
            hidden_file=hidden_file,
            weight=record.weight,
            points=_share(pset.problem(record.problem).points, record.weight,
                          total_weight[record.problem]),
            # a public check's seed, as the grader gives it; hidden ones never leave the grader
            seed=0 if hidden_file else check_seed(seed_secret(context, path), item.nodeid),
            indices=_case_indices(item) if callspec is not None else {},
            timeout=float(marker.args[0]) if marker else pset.call_timeout,
            sandbox_only=bool(SANDBOX_ONLY_FIXTURES & set(getattr(item, "fixturenames", ()))),
        ))
    return checks


def check_file(nodeid: str) -> str:
    """The check file a grading run's node id names, as check cells name it: its path in the
    problem set (``checks/hidden/test_arith.py``), or ``timing`` for the engine's [[timing]]
    checks (their file is outside the problem set, and pytest leaves the path out)."""
    return nodeid.split("::", 1)[0] or TIMING_CELL


def _case_indices(item: pytest.Item) -> dict[str, int]:
    """Which case of each ``parametrize`` mark this item runs: {first argument name: position in
    the mark's list}. Found by identity (pytest passes the listed objects themselves), since the
    callspec's own indices count instances, not cases; the kernel picks the same cases."""
    params = item.callspec.params
    indices = {}
    for mark in item.iter_markers("parametrize"):
        argnames = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        argvalues = mark.args[1] if len(mark.args) > 1 else mark.kwargs.get("argvalues", ())
        names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
        if not names or names[0] not in params:
            continue
        for position, case in enumerate(argvalues):
            if hasattr(case, "values") and hasattr(case, "marks"):  # pytest.param(...)
                values = tuple(case.values)
            else:
                values = (case,) if len(names) == 1 else tuple(case)
            if len(values) == len(names) and all(
                    params.get(n) is v for n, v in zip(names, values, strict=True)):
                indices[names[0]] = position
                break
        else:
            raise ExportError(f"{item.nodeid}: cannot tell which case of its parametrize mark it runs "
                              f"(indirect parametrization is not supported in notebooks)")
    return indices


def _share(points: float, weight: float, total_weight: float) -> float:
    """A share of a problem's points, unrounded: the cells of a problem add up to its points."""
    return points * weight / total_weight if total_weight > 0 else 0.0



def _reference_modules(text: str) -> set[str]:
    """The modules a check file reads as ``reference.<module>``."""
    return {node.attr for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "reference"}


def _plan_source(plan: dict) -> str:
    lines = ["# Written by `autograder nbgrader export`: the checks this cell runs, their points "
             "and seeds.", f"{PLAN} = {{"]
    for key in ("pset", "problem", "visibility", "points", "file"):
        lines.append(f"    {key!r}: {plan[key]!r},")
    lines.append("    # function, node id, points, rng seed, parametrize indices, time limit per call (s)")
    lines.append("    'checks': [")
    for c in plan["checks"]:
        row = [c.function, c.nodeid, c.points, c.seed, c.indices, c.timeout]
        lines.append(f"        {row!r},")
    lines.append("    ],")
    if plan["sandbox_only"]:
        lines.append(f"    'sandbox_only': {plan['sandbox_only']!r},")
    lines.append("}")
    return "\n".join(lines)


def parse_plan(source: str) -> dict | None:
    """The plan of a check cell's source (hidden regions included), or None for any other cell."""
    lines = source.split("\n")
    if not lines or not lines[0].startswith(CHECKS_MAGIC):
        return None
    try:
        tree = ast.parse("\n".join(lines[1:]))
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == PLAN
                                                for t in node.targets):
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return None
    return None


# ---------------------------------------------------------------------------- written answers


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
            _refuse_delimiters(text, f"{path} ({part.id})")
        parts.append(part)
    ids = [p.id for p in parts]
    if len(set(ids)) != len(ids):
        raise ExportError(f"{path}: written answer ids must be unique")
    return parts


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)
