"""Inside the notebook's kernel: the ``%%autograder_checks`` cell magic, and a check cell's run.

Only public checks run here. This is nbgrader's model, kept for them: the check cells of an
exported notebook run in the same Python process as the student's code, which can therefore patch
anything here (that is why ``autograder grade`` grades the same notebook in the sandbox). So
nothing here holds or receives hidden material: hidden check cells are placeholders (their plan
names a problem, a file and points, nothing more) that score 0 in a kernel; the ``reference``
fixture refuses (no reference root); the seeds a cell carries are its public checks' own. A cell
runs as a grading run runs its file, so that their verdicts agree for honest code:

- pytest runs the cell (``run_checks``): the grader's arguments, markers, fixtures (``given``,
  ``feedback``, ...), recorder and ``classify``, on the cell's text as its file at its place in the
  problem set, so node ids, parametrized cases and seeds are the grader's;
- ``student`` is the kernel's globals behind the sandbox's interface (``nbgrader.student``);
- the cell is scored by the grader's ``share_points`` (the cell as one problem worth its points: a
  skipped check's share goes to the cell's other checks).

A check cell's value is its score (nbgrader's partial credit); what the checks print goes to stdout,
never stderr (stderr would make nbgrader score the cell zero).
"""

from __future__ import annotations

import contextlib
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.context import GradingContext
from autograder.grading.grade import run_checks as run_pytest
from autograder.grading.outcome import CheckOutcome, share_points
from autograder.grading.recorder import CheckRecorder
from autograder.nbgrader.plan import PlanRow, parse_plan
from autograder.nbgrader.student import KernelStudent
from autograder.notebook import CHECKS_MAGIC
from autograder.problemset import MANIFEST, Problem, ProblemSet, ProblemSetError, load_problem_set
from autograder.status import Status


def load_ipython_extension(ipython) -> None:
    """``%load_ext autograder.nbgrader.kernel``: registers the ``%%autograder_checks`` magic."""
    ipython.register_magic_function(_checks_magic, magic_kind="cell", magic_name="autograder_checks")


def setup(modules: list[str] | tuple[str, ...] = (), *, ipython=None) -> None:
    """The notebook's setup cell: the magic, and each answer cell importable as its module
    (``import <module>`` in another cell or in a driver reads this kernel's globals)."""
    ipython = ipython or _ipython()
    load_ipython_extension(ipython)
    for module in modules:
        sys.modules[module] = NotebookModule(module, ipython.user_ns)


def _ipython():
    from IPython import get_ipython

    ipython = get_ipython()
    if ipython is None:
        raise RuntimeError("the autograder's check cells run in a Jupyter kernel")
    return ipython


def _checks_magic(line: str, cell: str):
    return run_checks(line.strip(), cell, _ipython().user_ns)


class NotebookModule(types.ModuleType):
    """A module whose attributes are the notebook's globals."""

    def __init__(self, name: str, namespace: dict):
        super().__init__(name, f"the notebook's answer cell for {name}")
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name: str):
        namespace = object.__getattribute__(self, "_namespace")
        if name.startswith("__") or name not in namespace:
            raise AttributeError(f"{self.__name__} (the notebook) has no {name!r}")
        return namespace[name]


# ---------------------------------------------------------------------------- running a cell


def run_checks(path: str, source: str, namespace: dict) -> float:
    """Run the checks a cell defines on the notebook's ``namespace``; return the cell's score.

    pytest runs them, as in a grading run (``grading.grade.run_checks``: the same arguments,
    fixtures and markers, the grader's recorder classifying each outcome), on the cell's text as
    its file (``_cell_file``). Only ``student`` differs: the notebook's globals (``KernelStudent``);
    and ``rng`` is seeded from the plan. The plan's checks are the ones run; a sandbox-only one
    keeps its share and earns 0."""
    plan = parse_plan(f"{CHECKS_MAGIC}\n{source}")
    if plan is None or "checks" not in plan:  # a hidden check cell's placeholder
        print("Hidden checks: they are not in this notebook. `autograder grade` runs them in its "
              "sandbox when your notebook is graded and records their points; 0 here.")
        return 0.0
    rows = {row.nodeid: row for row in map(PlanRow.of, plan["checks"])}
    cell_points = float(plan.get("points", sum(r.points for r in rows.values())))
    cell = _cell_as_problem_set(plan, cell_points)
    here = _released_problem_set() or cell
    sandbox_only = set(plan.get("sandbox_only", ()))
    recorder = CheckRecorder(GradingContext(pset=here, submission_dir=Path.cwd()))
    kernel = _KernelPlugin(namespace, rows, sandbox_only)
    with _cell_file(plan.get("file") or path, source) as file:
        log = run_pytest([file], Path.cwd(), [recorder, kernel])
    outcomes = []
    for nodeid, row in rows.items():
        outcome = recorder.outcomes.get(nodeid) or _missing(plan, nodeid, recorder, log)
        if nodeid in sandbox_only:  # e.g. timing: measured only where the student's code is isolated
            outcome.status, outcome.inconclusive = Status.ERROR, True
            outcome.message = ("judged only by `autograder grade` (in its sandbox), which records "
                               "its points in the gradebook; 0 here")
        outcome.weight = row.points  # the plan's points are the check's share of the cell
        outcomes.append(outcome)
    tests, (score,) = share_points(cell, outcomes)
    for test, outcome in zip(tests, outcomes, strict=True):
        print(f"{test.status.mark} {test.status:<7} {test.name}  ({test.score:g}/{test.max_score:g})")
        for text in (outcome.message, outcome.grader_error):
            for line in (text or "").strip().splitlines():
                print(f"      {line}")
        student = kernel.students.get(test.nodeid)
        output = student.output.strip() if student is not None else ""
        if output and test.status != Status.PASSED:
            print("      your code printed:", output[-500:].replace("\n", "\n      "))
    print(f"{score.score:g} of {cell_points:g} points")
    return score.score


def _released_problem_set() -> ProblemSet | None:
    """The released manifest beside the notebook (the export writes it there), if readable: the
    ``given`` fixture imports the given files it names from this folder."""
    try:
        return load_problem_set(Path.cwd()) if (Path.cwd() / MANIFEST).is_file() else None
    except ProblemSetError:
        return None


@contextlib.contextmanager
def _cell_file(file: str, source: str):
    """The cell as its check file, at its place in the problem set under the notebook's folder
    (``checks/public/test_x.py``), for the run: node ids, seeds and parametrized cases are then the
    grader's, and the public checks' helper modules, which the export puts there, import from beside
    it. Whatever was at that path before is put back afterwards."""
    relative = Path(file)
    if relative.is_absolute() or ".." in relative.parts or relative.suffix != ".py":
        relative = Path("checks") / "test_cell.py"
    path = Path.cwd() / relative
    before = path.read_bytes() if path.is_file() else None
    made = [p for p in reversed(path.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    try:
        yield path
    finally:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(before)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()


def _missing(plan: dict, nodeid: str, recorder: CheckRecorder, log: str) -> CheckOutcome:
    """A check of the plan that pytest did not collect from the cell."""
    why = "; ".join(recorder.collection_errors) or log.strip()[-1000:]
    return CheckOutcome(nodeid=nodeid, name=nodeid.partition("::")[2] or nodeid,
                        problem=plan.get("problem", ""), weight=1.0,
                        visibility=plan.get("visibility", "visible"), status=Status.ERROR,
                        message="the check is missing from its cell (was the cell edited?)",
                        grader_error=why)


def _cell_as_problem_set(plan: dict, points: float) -> ProblemSet:
    """The cell as the one problem ``share_points`` shares: worth the cell's points. A kernel knows
    only its cell's checks, so a skipped check's share goes to the cell's other checks (the grader
    shares it among all the problem's checks, hidden ones too)."""
    problem = Problem(id=plan.get("problem", ""), title=plan.get("problem", ""), module="",
                      points=points)
    return ProblemSet(id=plan.get("pset", ""), title=plan.get("pset", ""), root=Path.cwd(),
                      problems=(problem,))


class _KernelPlugin:
    """The kernel's part of the pytest run: only the plan's checks (less the sandbox-only ones),
    the kernel's ``student`` (one per check: what the student's code printed) and the plan's seeds."""

    def __init__(self, namespace: dict, rows: dict[str, PlanRow], sandbox_only: set[str]):
        self.namespace = namespace
        self.rows = rows
        self.sandbox_only = sandbox_only
        self.students: dict[str, KernelStudent] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        # Registered now, after the checks' plugin: fixtures of a later plugin override its own.
        config.pluginmanager.register(_KernelFixtures(self), "autograder-kernel-fixtures")

    @pytest.hookimpl(trylast=True)  # after the recorder has described every check collected
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        items[:] = [i for i in items if i.nodeid in self.rows and i.nodeid not in self.sandbox_only]


class _KernelFixtures:
    def __init__(self, run: _KernelPlugin):
        self.run = run

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> KernelStudent:
        """The notebook's globals as ``student.<module>.<name>``, each call under its time limit."""
        student = KernelStudent(self.run.namespace, self.run.rows[request.node.nodeid].timeout)
        self.run.students[request.node.nodeid] = student
        return student

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """Seeded as the grader seeds this public check (the plan carries the seed)."""
        return np.random.default_rng(self.run.rows[request.node.nodeid].seed)
