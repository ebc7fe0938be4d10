"""Our results -> nbgrader's gradebook (its SQLite database, through nbgrader's own ``Gradebook``
API), and the course's grade table out of it.

For each result: the student and the submission are created or updated (never duplicated); every
autograded check cell of the assignment's notebook gets ``auto_score`` read from the ``Result``
(``cell_scores``: the scores the engine gave the cell's checks, never re-judged here); manual
scores are never touched, and a cell an instructor overrode is flagged for review, as
``nbgrader autograde`` does. Hidden check cells are placeholders (no checks in them): this is
where their scores come from. When the submission is a notebook, its written answers are marked as
answered or not (nbgrader's checksum rule), and, when the gradebook sits in an nbgrader course,
``autograded/<student>/<pset>/<notebook>.ipynb`` is written from it (nbgrader's own sanitizing
preprocessors, outputs cleared, then our checks' report as each check cell's output) so that the
formgrader and ``nbgrader generate_feedback`` work on it. A late penalty that ``autograder grade``
applied goes where nbgrader keeps its own (``late_submission_penalty``: nbgrader's score is the
cells' points less it). Nothing here runs student code.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.result import Result
from autograder.nbgrader import skip_iri_grammars
from autograder.nbgrader.course import CONFIG
from autograder.nbgrader.plan import PlanRow, check_file, parse_plan
from autograder.notebook import find_notebook, nbgrader_student, read_notebook
from autograder.report.display import fraction, points
from autograder.status import Status

DEFAULT_COURSE_ID = "default_course"


class GradebookError(UserError):
    """The gradebook cannot be used as asked; the message says what to do."""


@dataclass(frozen=True)
class GradebookRef:
    db_url: str
    course_id: str = DEFAULT_COURSE_ID
    course_root: Path | None = None  # the nbgrader course around it, when there is one


@dataclass
class Recorded:
    student: str
    submission: str
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)  # grade id -> (score, max)
    autograded_notebook: Path | None = None

    @property
    def score(self) -> float:
        return round(sum(s for s, _ in self.cells.values()), 6)

    @property
    def max_score(self) -> float:
        return round(sum(m for _, m in self.cells.values()), 6)


# ---------------------------------------------------------------------------- where the gradebook is


def resolve_gradebook(spec: str | Path) -> GradebookRef:
    """``sqlite:///path/gradebook.db`` (any SQLAlchemy URL), a ``.db`` file, or an nbgrader course
    folder (its ``nbgrader_config.py`` names the database; default ``<course>/gradebook.db``)."""
    text = str(spec)
    if "://" in text:
        db_url, root = text, None
        if text.startswith("sqlite:///"):
            db = Path(text.removeprefix("sqlite:///"))
            if not db.is_file():
                raise GradebookError(f"no gradebook at {db}: run `nbgrader generate_assignment "
                                     f"PSET` in the nbgrader course first (it creates gradebook.db)")
            root = db.resolve().parent if (db.resolve().parent / CONFIG).is_file() else None
    elif Path(text).is_dir():
        root = Path(text).resolve()
        db_url = ""
    elif Path(text).is_file():
        db = Path(text).resolve()
        db_url, root = f"sqlite:///{db}", db.parent if (db.parent / CONFIG).is_file() else None
    else:
        raise GradebookError(f"{text} is neither a database URL (sqlite:///path/gradebook.db), a "
                             f"gradebook file nor an nbgrader course folder")
    course_id = DEFAULT_COURSE_ID
    if root is not None:
        settings = _course_settings(root)
        course_id = settings.get("course_id") or DEFAULT_COURSE_ID
        db_url = db_url or settings.get("db_url") or f"sqlite:///{root / 'gradebook.db'}"
        if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).is_file():
            raise GradebookError(f"{root} has no gradebook yet: run `nbgrader generate_assignment "
                                 f"PSET` there first")
    return GradebookRef(db_url=db_url, course_id=course_id, course_root=root)


def _course_settings(root: Path) -> dict:
    config = _load_config(root)
    values = config.get("CourseDirectory", {}) if config is not None else {}
    return {k: str(values[k]) for k in ("course_id", "db_url") if k in values}


def _load_config(root: Path):
    if not (root / CONFIG).is_file():
        return None
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(CONFIG, path=str(root)).load_config()


@contextlib.contextmanager
def open_gradebook(ref: GradebookRef):
    """nbgrader's ``Gradebook``; its first use of a database runs ``alembic`` from PATH, so the
    interpreter's own bin folder goes on PATH (an unactivated virtual environment works too)."""
    skip_iri_grammars()
    bin_dir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
    from nbgrader.api import Gradebook

    with Gradebook(ref.db_url, ref.course_id) as gradebook:
        yield gradebook


# ---------------------------------------------------------------------------- recording


def record_results(pset_id: str, results: list[Result], ref: GradebookRef) -> list[Recorded]:
    """Store each result's autograded scores in the gradebook (see the module docstring)."""
    from nbgrader.api import MissingEntry

    recorded = []
    with open_gradebook(ref) as gradebook:
        try:
            assignment = gradebook.find_assignment(pset_id)
        except MissingEntry:
            raise GradebookError(f"the gradebook has no assignment {pset_id}: run `autograder nbgrader "
                                 f"export {pset_id}` and `nbgrader generate_assignment {pset_id}` in "
                                 f"the nbgrader course first") from None
        notebooks = [(nb.name, _cells(gradebook, nb, pset_id)) for nb in assignment.notebooks]
        for result in results:
            recorded.append(_record_one(gradebook, pset_id, notebooks, result, ref))
    return recorded


def _cells(gradebook, notebook, pset_id: str) -> list[dict]:
    """The notebook's grade cells: name, points, type, and the plan of check cells."""
    cells = []
    for cell in notebook.grade_cells:
        source = gradebook.find_source_cell(cell.name, notebook.name, pset_id).source
        cells.append({"name": cell.name, "max_score": float(cell.max_score),
                      "cell_type": cell.cell_type, "plan": parse_plan(source)})
    return cells


def _record_one(gradebook, pset_id: str, notebooks, result: Result, ref: GradebookRef) -> Recorded:
    source = Path(result.source)
    student = nbgrader_student(source) or result.submission
    gradebook.update_or_create_student(student)
    timestamp = _timestamp(source)
    gradebook.update_or_create_submission(pset_id, student,
                                          **({"timestamp": timestamp} if timestamp else {}))
    submitted = _submitted_notebook(source, pset_id)
    recorded = Recorded(student=student, submission=result.submission)
    for notebook_name, cells in notebooks:
        scores = cell_scores(cells, result)
        for cell in cells:
            grade = gradebook.find_grade(cell["name"], notebook_name, pset_id, student)
            if cell["plan"] is not None:
                score = scores[cell["name"]]
                grade.auto_score = score
                grade.needs_manual_grade = grade.manual_score is not None
                recorded.cells[cell["name"]] = (score, cell["max_score"])
            elif submitted is not None:  # a written answer: answered or not, as nbgrader decides
                grade.auto_score = _written_auto_score(submitted, cell["name"])
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        if submitted is not None:
            _comment_unanswered(gradebook, submitted, notebook_name, pset_id, student)
        gradebook.db.commit()
        if submitted is not None and ref.course_root is not None and len(notebooks) == 1:
            recorded.autograded_notebook = _write_autograded(
                submitted, source, result, ref, pset_id, notebook_name, student, cells, scores)
    if result.deadline:  # nbgrader's own field: its score is the cells' sum less this penalty
        for i, (notebook_name, _) in enumerate(notebooks):
            notebook = gradebook.find_submission_notebook(notebook_name, pset_id, student)
            notebook.late_submission_penalty = float(result.deadline.get("deduction", 0.0)) if i == 0 else 0.0
        gradebook.db.commit()
    return recorded


def cell_tests(plan: dict, result: Result) -> list:
    """The result's checks that a check cell stands for: those of its problem and file (a hidden
    cell's placeholder names no check), or those its plan lists (notebooks exported earlier)."""
    listed = {PlanRow.of(row).nodeid for row in plan.get("checks", ())}
    return [t for t in result.tests if t.nodeid in listed or (
        "file" in plan and t.problem == plan.get("problem") and check_file(t.nodeid) == plan["file"])]


def cell_scores(cells: list[dict], result: Result) -> dict[str, float]:
    """Each check cell's ``auto_score`` (grade id -> points), read from the result, never re-judged.

    A cell gets the scores the engine gave its checks, up to the cell's points. nbgrader's cells
    have fixed points, while the engine shares a problem's points among the checks that ran (a
    skipped check's share goes to the others): what a cell cannot hold goes to the problem's other
    cells, in notebook order, so a problem's cells add up to the problem's score in the result and
    the notebook's total is the result's score. A result that could not be graded earns nothing."""
    scores = {c["name"]: 0.0 for c in cells if c["plan"] is not None}
    if result.status != "graded":
        return scores
    by_problem: dict[str, list[dict]] = {}
    for cell in cells:
        if cell["plan"] is not None:
            by_problem.setdefault(cell["plan"].get("problem", ""), []).append(cell)
    exact = {p.id: p.score for p in result.problems}  # each check's score is rounded, not these
    for problem, mine in by_problem.items():
        left = exact.get(problem, sum(t.score for t in result.tests if t.problem == problem))
        for cell in mine:
            earned = sum(t.score for t in cell_tests(cell["plan"], result))
            scores[cell["name"]] = min(earned, cell["max_score"], left)
            left -= scores[cell["name"]]
        for cell in mine:  # what a full cell could not hold (a skipped check's share)
            more = min(max(left, 0.0), cell["max_score"] - scores[cell["name"]])
            scores[cell["name"]] += more
            left -= more
    return {name: round(max(score, 0.0), 6) for name, score in scores.items()}


def _timestamp(source: Path) -> str | None:
    folder = source.parent if source.suffix == ".ipynb" else source
    path = folder / "timestamp.txt"
    if path.is_file():
        text = path.read_text().strip()
        return text or None
    return None


def _submitted_notebook(source: Path, pset_id: str):
    """The submitted notebook as an nbformat node, or None (a folder of .py files, a zip)."""
    import nbformat

    try:
        if source.suffix == ".ipynb" and source.is_file():
            path = source
        elif source.is_dir():
            path = find_notebook(source, pset_id)
        else:
            return None
        if path is None:
            return None
        read_notebook(path)  # the same checks as grading (size, JSON, format 4)
        return nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 - any notebook grading could not read: scores only
        return None


def _submitted_cell(notebook, grade_id: str):
    for cell in notebook.cells:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if isinstance(nbgrader, dict) and nbgrader.get("grade_id") == grade_id:
            return cell
    return None


def _written_auto_score(notebook, grade_id: str) -> float | None:
    """nbgrader's rule: an answer left as released scores 0 (no response); else it awaits a human."""
    from nbgrader import utils

    cell = _submitted_cell(notebook, grade_id)
    if cell is None:
        return 0.0
    try:
        return utils.determine_grade(cell)[0]
    except (KeyError, ValueError, TypeError):
        return None


def _comment_unanswered(gradebook, notebook, notebook_name: str, pset_id: str, student: str) -> None:
    from nbgrader import utils

    for cell in notebook.cells:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if not isinstance(nbgrader, dict) or not nbgrader.get("solution"):
            continue
        try:
            comment = gradebook.find_comment(nbgrader.get("grade_id"), notebook_name, pset_id, student)
            unchanged = nbgrader.get("checksum") == utils.compute_checksum(cell)
        except Exception:  # noqa: BLE001 - a cell the gradebook does not know, or broken metadata
            continue
        comment.auto_comment = "No response." if unchanged else None


# ---------------------------------------------------------------------------- the autograded notebook


def _write_autograded(notebook, source: Path, result: Result, ref: GradebookRef, pset_id: str,
                      notebook_name: str, student: str, cells: list[dict],
                      scores: dict[str, float]) -> Path:
    """``autograded/<student>/<pset>/<notebook>.ipynb``: the submission sanitized by nbgrader's own
    preprocessors (instructor cells restored from the gradebook, every output cleared: whatever a
    kernel printed before, e.g. under ``nbgrader autograde``, is gone), with our report as the
    output of each check cell. No cell was executed: the sandbox graded the code."""
    import nbformat
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        OverwriteCells,
        OverwriteKernelspec,
    )

    resources = {"nbgrader": {"db_url": ref.db_url, "assignment": pset_id, "notebook": notebook_name,
                              "student": student}}
    for preprocessor in (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                         CheckCellMetadata):
        notebook, resources = preprocessor().preprocess(notebook, resources)
    plans = {c["name"]: c for c in cells if c["plan"] is not None}
    for count, cell in enumerate(notebook.cells, 1):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or grade_id not in plans:
            continue
        plan = plans[grade_id]["plan"]
        score = scores[grade_id]
        cell.execution_count = count
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=_report(plan, result, score)),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(score)},
                                   execution_count=count),
        ]
    coursedir = CourseDirectory(config=_load_config(ref.course_root), root=str(ref.course_root))
    folder = Path(coursedir.format_path(coursedir.autograded_directory, student, pset_id))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook_name}.ipynb"
    path.unlink(missing_ok=True)  # nbgrader leaves its autograded notebooks read-only
    nbformat.write(notebook, str(path))
    stamp = (source.parent if source.suffix == ".ipynb" else source) / "timestamp.txt"
    if stamp.is_file():
        (folder / "timestamp.txt").unlink(missing_ok=True)
        shutil.copyfile(stamp, folder / "timestamp.txt")
    return path


def _report(plan: dict, result: Result, score: float) -> str:
    header = "Graded by `autograder grade` in its sandbox (this cell was not run in a kernel).\n"
    if result.status != "graded":
        return f"{header}Not graded: {result.output}\n"
    lines = [header]
    for test in cell_tests(plan, result):
        lines.append(f"{test.status.mark} {test.status:<7} {test.name}  "
                     f"({fraction(test.score, test.max_score)})")
        lines += [f"      {line}" for line in (test.output or "").strip().splitlines()
                  if test.status != Status.PASSED]
    lines.append(f"{points(score)} of {points(float(plan.get('points', 0.0)))} points")
    findings = [f["message"] for f in result.findings if f.get("problem") == plan.get("problem")]
    lines += [f"⚠ {message}" for message in findings]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the grade table


def export_csv(ref: GradebookRef, destination: Path, *, assignments: tuple[str, ...] = (),
               students: tuple[str, ...] = ()) -> int:
    """The course's grade table (one row per assignment and student), written by nbgrader's own
    CSV exporter, the one ``nbgrader export`` uses. Returns the number of rows."""
    skip_iri_grammars()
    from nbgrader.plugins import CsvExportPlugin

    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with open_gradebook(ref) as gradebook:
        CsvExportPlugin(to=str(destination), assignment=list(assignments),
                        student=list(students)).export(gradebook)
    return max(0, len(destination.read_text().splitlines()) - 1)
