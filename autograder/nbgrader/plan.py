"""The plan of a notebook's check cells: which checks a grading run has (collected as the grader
collects them), how they group into cells (one per problem and check file), what each cell and
check is worth, and the plan a check cell carries (``__autograder__ = {...}``), written and read.

Points come from the grader's own rule (the manifest's points shared by weight); seeds are the
ones the grader gives public checks. Hidden checks' seeds never leave the grader: a hidden cell's
plan names its problem, file and points, nothing else. Writes no cell (``assignment`` does).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from autograder.checks.context import GradingContext, check_seed, seed_secret
from autograder.grading.grade import TIMING_CHECKS, check_paths, hidden_checks_secret, run_checks
from autograder.grading.outcome import CheckOutcome, share_points
from autograder.grading.recorder import CheckRecorder
from autograder.nbgrader.cells import ExportError
from autograder.notebook import CHECKS_MAGIC
from autograder.problemset import ProblemSet
from autograder.status import Status

PLAN = "__autograder__"  # the check cell's plan: which checks, points, seeds

SANDBOX_ONLY_FIXTURES = frozenset({"timing"})  # they drive the sandboxed child itself
TIMING_CELL = "timing"  # the cell of a problem's [[timing]] checks (autograder/checks/timing_check.py)


@dataclass
class Check:
    """One check of the grading run, as a check cell needs it."""

    nodeid: str
    file: str  # relative to the problem set; "timing" for the manifest's [[timing]] checks
    path: Path  # the file the checks are defined in (the cell's text)
    problem: str
    visibility: str  # visible | hidden | after_due_date
    hidden_file: bool
    weight: float = 1.0
    points: float = 0.0
    seed: int = 0
    timeout: float = 10.0
    sandbox_only: bool = False  # uses a fixture that needs the sandbox (timing): not run in a kernel


@dataclass(frozen=True)
class CheckCell:
    """One autograded check cell: a problem's checks of one file, public or hidden."""

    grade_id: str
    problem: str
    file: str
    hidden: bool
    checks: tuple[Check, ...]
    points: float  # the cell's share of its problem's points


def check_cells(pset: ProblemSet, checks: list[Check]) -> dict[str, list[CheckCell]]:
    """Problem id -> its check cells, in notebook order (public before hidden, then by file)."""
    groups: list[tuple[str, str, bool, str, tuple[Check, ...]]] = []  # grade id, problem, ...
    for problem in pset.problems:
        files: dict[tuple[bool, str], list[Check]] = {}
        for check in checks:
            if check.problem == problem.id:
                files.setdefault((check.hidden_file, check.file), []).append(check)
        kinds = [hidden for hidden, _ in files]
        for (hidden, file), group in sorted(files.items()):
            suffix = f"_{_slug(Path(file).stem.removeprefix('test_'))}" if kinds.count(hidden) > 1 else ""
            grade_id = f"{'hidden' if hidden else 'public'}_{_slug(problem.id)}{suffix}"
            groups.append((grade_id, problem.id, hidden, file, tuple(group)))
    points = cell_points(pset, [(problem, sum(c.weight for c in group))
                                 for _, problem, _, _, group in groups])
    cells: dict[str, list[CheckCell]] = {p.id: [] for p in pset.problems}
    for (grade_id, problem, hidden, file, group), share in zip(groups, points, strict=True):
        cells[problem].append(CheckCell(grade_id=grade_id, problem=problem, file=file, hidden=hidden,
                                        checks=group, points=share))
    return cells


def cell_points(pset: ProblemSet, cells: list[tuple[str, float]]) -> list[float]:
    """Each cell's points, for cells given as (problem, weight of its checks): the problem's points
    shared by weight by the grader's own ``share_points``, which rounds each share to 1e-6; the last
    cell of a problem takes what the others leave, so a problem's cells add up to its points."""
    outcomes = [CheckOutcome(nodeid=f"cell {i}", name=f"cell {i}", problem=problem, weight=weight,
                             visibility="visible", status=Status.PASSED, fraction=1.0)
                for i, (problem, weight) in enumerate(cells)]
    shares, problems = share_points(pset, outcomes)
    points = [share.max_score for share in shares]
    last = {problem: i for i, (problem, _) in enumerate(cells)}
    for problem in problems:
        if problem.id in last:
            others = sum(p for i, p in enumerate(points)
                         if cells[i][0] == problem.id and i != last[problem.id])
            points[last[problem.id]] = round(problem.max_score - others, 6)
    return points


def _check_points(pset: ProblemSet, outcomes: list[CheckOutcome]) -> dict[str, float]:
    """Each check's points when every check counts: its ``max_score`` in results.json."""
    every = [replace(o, status=Status.PASSED, fraction=1.0) for o in outcomes]
    return {row.nodeid: row.max_score for row in share_points(pset, every)[0]}


# ---------------------------------------------------------------------------- collecting the checks


class _Items:
    def __init__(self) -> None:
        self.items: list[pytest.Item] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.items = list(items)


def collect_checks(pset: ProblemSet) -> list[Check]:
    """Every check of the grading run (public and hidden), with its points and seed, as the grader
    would assign them: same collection (``grading.grade.run_checks``), same node ids, same weights,
    same secret."""
    hidden = pset.hidden_checks_dir
    context = GradingContext(pset=pset, submission_dir=pset.root, secret=hidden_checks_secret(hidden),
                             reference_root=pset.root)
    recorder, items = CheckRecorder(context), _Items()
    log = run_checks(check_paths(pset, hidden), pset.root, [recorder, items], "--collect-only")
    broken = list(recorder.collection_errors)
    broken += [f"{r.nodeid}: {r.grader_error}" for r in recorder.outcomes.values() if r.grader_error]
    if broken or not recorder.outcomes:
        raise ExportError(f"the checks of {pset.id} cannot be collected: "
                          f"{'; '.join(broken) or log[-2000:]}")
    points = _check_points(pset, list(recorder.outcomes.values()))
    checks = []
    for item in items.items:
        record = recorder.outcomes[item.nodeid]
        path = Path(item.path).resolve()
        timed = path == TIMING_CHECKS.resolve()
        marker = item.get_closest_marker("call_timeout")
        file = TIMING_CELL if timed else path.relative_to(pset.root).as_posix()
        hidden_file = timed or (hidden is not None and hidden in path.parents)
        if check_file(item.nodeid) != file:  # the gradebook maps results to cells by check_file
            raise ExportError(f"{item.nodeid}: its node id does not name its file {file}; check "
                              f"files must sit under {pset.root}")
        checks.append(Check(
            nodeid=item.nodeid,
            file=file,
            path=path,
            problem=record.problem,
            visibility=record.visibility,
            hidden_file=hidden_file,
            weight=record.weight,
            points=points[item.nodeid],
            # a public check's seed, as the grader gives it; hidden ones never leave the grader
            seed=0 if hidden_file else check_seed(seed_secret(context, path), item.nodeid),
            timeout=float(marker.args[0]) if marker else pset.call_timeout,
            sandbox_only=bool(SANDBOX_ONLY_FIXTURES & set(getattr(item, "fixturenames", ()))),
        ))
    return checks


def check_file(nodeid: str) -> str:
    """The check file a grading run's node id names, as check cells name it: its path in the
    problem set (``checks/hidden/test_arith.py``), or ``timing`` for the engine's [[timing]]
    checks (their file is outside the problem set, and pytest leaves the path out)."""
    return nodeid.split("::", 1)[0] or TIMING_CELL


def reference_modules(text: str) -> set[str]:
    """The modules a check file reads as ``reference.<module>``."""
    return {node.attr for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "reference"}


# ---------------------------------------------------------------------------- the plan in a cell


def public_plan(pset_id: str, cell: CheckCell) -> dict:
    """What a public check cell's kernel needs: its checks with their points and seeds."""
    return {"pset": pset_id, "problem": cell.problem, "points": cell.points, "visibility": "visible",
            "file": cell.file, "checks": list(cell.checks),
            "sandbox_only": [c.nodeid for c in cell.checks if c.sandbox_only]}


def hidden_plan(pset_id: str, cell: CheckCell) -> dict:
    """A hidden check cell's plan: its problem, file and points; no check, reference or seed."""
    return {"pset": pset_id, "problem": cell.problem, "visibility": "hidden", "points": cell.points,
            "file": cell.file}


def plan_source(plan: dict) -> str:
    """A public cell's plan as the Python its cell ends with (one check per line)."""
    lines = ["# Written by `autograder nbgrader export`: the checks this cell runs, their points "
             "and seeds.", f"{PLAN} = {{"]
    for key in ("pset", "problem", "visibility", "points", "file"):
        lines.append(f"    {key!r}: {plan[key]!r},")
    lines.append("    # node id, points, rng seed, time limit per call (s)")
    lines.append("    'checks': [")
    for c in plan["checks"]:
        lines.append(f"        {[c.nodeid, c.points, c.seed, c.timeout]!r},")
    lines.append("    ],")
    if plan["sandbox_only"]:
        lines.append(f"    'sandbox_only': {plan['sandbox_only']!r},")
    lines.append("}")
    return "\n".join(lines)


@dataclass(frozen=True)
class PlanRow:
    """One check of a public cell's plan."""

    nodeid: str
    points: float
    seed: int
    timeout: float

    @classmethod
    def of(cls, row: list) -> PlanRow:
        """A plan's row: ``[node id, points, seed, time limit]``, or as notebooks exported before
        pytest ran the cells wrote it (``[function, node id, points, seed, indices, time limit]``)."""
        nodeid, points, seed, timeout = (row[1], row[2], row[3], row[5]) if len(row) == 6 else row
        return cls(str(nodeid), float(points), int(seed), float(timeout))


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


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)
