"""nbgrader: export a problem set as a real nbgrader course, grade its notebooks both ways, one
gradebook.

The fast tests build the notebook, extract modules from notebooks, and run the check cells'
code in this process. The slow ones drive the real nbgrader (generate_assignment, autograde,
generate_feedback, export) on a temporary course made from the toy course, and on ps1_linalg.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from autograder import notebook
from autograder.checks.context import GradingContext, check_seed, seed_secret
from autograder.grading.grade import grade_submission, hidden_checks_secret, tree_digest
from autograder.grading.result import CheckResult, ProblemResult, Result
from autograder.nbgrader import assignment, course, kernel
from autograder.nbgrader import student as kernel_student
from autograder.nbgrader.cells import ExportError, nbgrader_solution_source
from autograder.nbgrader.gradebook import GradebookError, cell_scores, resolve_gradebook
from autograder.nbgrader.plan import cell_points, collect_checks, parse_plan
from autograder.nbgrader.written import written_parts
from autograder.problemset import load_problem_set
from autograder.release.solution_markers import BEGIN, END
from autograder.sandbox import errors
from autograder.submission import prepare_submission

from .conftest import REPO, TOY_COURSE

BIN = Path(sys.executable).parent
ATTACK = REPO / "tests" / "attacks" / "nbgrader_feedback_capture" / "arith.py"
SECRET = "nbgrader-course-secret-5b1e0c"  # AUTOGRADER_SECRET of the nbgrader course's commands
REFERENCE_ONLY = "reference-only note 9d2f"  # in the course's reference solution, in no answer
WRITTEN_TOML = """
[[written]]
problem = "arith"
id = "why_42"
points = 2
prompt = "Explain why `ANSWER` is 42."
answer = "Because the toy says so."
"""


# ---------------------------------------------------------------------------- helpers


def reference_code(pset, module: str) -> str:
    """The reference module without its solution markers: what a correct student writes."""
    lines = (pset.root / f"{module}.py").read_text().splitlines()
    return "\n".join(line for line in lines if not BEGIN.match(line) and not END.match(line)) + "\n"


def released(notebook_json: dict) -> dict:
    """What nbgrader's generate_assignment does to answer cells, enough for in-process tests."""
    nb = copy.deepcopy(notebook_json)
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = re.sub(r"(?ms)^([ \t]*)### BEGIN SOLUTION.*?### END SOLUTION",
                                r"\1# YOUR CODE HERE\n\1raise NotImplementedError()", text)
        cell["source"] = re.sub(r"(?ms)^### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "",
                                cell["source"])
    return nb


def is_code(cell: dict) -> bool:
    return cell["metadata"].get("autograder", {}).get("role") == "code"


def solved(text: str) -> str:
    """A module cell of the source notebook as a correct student writes it: nbgrader's markers gone
    (and the reference-only note the nbgrader course puts in the reference solution)."""
    return "\n".join(line for line in text.split("\n")
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
                     and REFERENCE_ONLY not in line)


def student_notebook(release: dict, source: dict, edit=lambda module, code, stub: code) -> dict:
    """A student's copy of the released notebook: each module cell holds ``edit(module, the
    correct code, the released text)``."""
    answers = [(c["metadata"]["autograder"]["module"], solved(source_of(c)))
               for c in source["cells"] if is_code(c)]
    nb = copy.deepcopy(release)
    cells = [c for c in nb["cells"] if is_code(c)]
    assert len(cells) == len(answers)
    for cell, (module, code) in zip(cells, answers, strict=True):
        cell["source"] = edit(module, code, source_of(cell))
    return nb


def kernel_namespace(nb: dict) -> dict:
    """The kernel's globals after running the module cells in order (a cell stops at its error)."""
    namespace: dict = {}
    for cell in nb["cells"]:
        if is_code(cell):
            try:
                exec(compile(source_of(cell), "<cell>", "exec"), namespace)
            except Exception:  # noqa: BLE001 - as in a notebook: the next cell still runs
                pass
    return namespace


def bob(module: str, code: str, stub: str) -> str:
    """Partly wrong: ANSWER is 41, add is wrong unless both arguments are tiny."""
    return (code.replace("ANSWER = 42", "ANSWER = 41")
            .replace("return a + b", "return a + b if abs(a) + abs(b) < 10 else a + b + 1"))


CHEAT = """

try:  # the check cells run in this kernel: make their comparisons always pass
    import autograder.checks as _checks

    _checks.assert_close = lambda *args, **kwargs: None
    _checks.expect_type = lambda *args, **kwargs: None
except ImportError:
    pass
"""


def mallory(module: str, code: str, stub: str) -> str:
    """Honest arithmetic, a wrong double(), and code that patches the checks' assertion helpers."""
    if "def double" in code:
        return code.replace("return 2 * x", "return x") + CHEAT
    return code


def eve(module: str, code: str, stub: str) -> str:
    """The attack of tests/attacks/nbgrader_feedback_capture (a correct arith module that captures
    the check runner and sweeps the kernel) as the cell of arith's functions; arrays correct."""
    if "def add" in code:
        return ATTACK.read_text()
    return stub if module == "arith" else code


def forgot_answer(module: str, code: str, stub: str) -> str:
    """Every function written, the ANSWER cell left as released (its stub raises)."""
    return stub if "ANSWER" in code else code


def hidden_source(path: Path) -> list[str]:
    """Text only a hidden check file's code holds: its checks' names and its lines of code that no
    public check file of the problem set has (feedback shows a check's name and message, not these)."""
    public = {line.strip() for other in (path.parents[1] / "public").glob("*.py")
              for line in other.read_text().splitlines()}
    tree = ast.parse(path.read_text())
    names = [node.name for node in ast.walk(tree)
             if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    lines = [line.strip() for line in path.read_text().splitlines()
             if len(line.strip()) > 15 and line.strip() not in public
             and not line.strip().startswith(('"""', "@", "def ", "from ", "import "))]
    return names + lines


def hidden_texts(path: Path) -> list[str]:
    """What results show of a hidden check file (names from docstrings, messages): never in a
    notebook or a kernel."""
    return sorted({node.value.split("\n")[0] for node in ast.walk(ast.parse(path.read_text()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and len(node.value) > 12})


def hidden_seeds(pset, fingerprints: tuple[str, ...] = ("",)) -> list[str]:
    """The hidden checks' secret and the seeds the grader draws their inputs from (for submissions
    with these fingerprints; and by the formula before fingerprints were mixed in), as text."""
    secret = hidden_checks_secret(pset.hidden_checks_dir)
    found = [secret]
    for check in collect_checks(pset):
        if check.hidden_file:
            for fingerprint in fingerprints:
                context = GradingContext(pset=pset, submission_dir=pset.root, secret=secret,
                                         fingerprint=fingerprint)
                found.append(str(check_seed(seed_secret(context, check.path), check.nodeid)))
            found.append(str(check_seed(secret, check.nodeid)))
    assert len(found) > 1
    return found


def check_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["metadata"].get("autograder", {}).get("role") == "checks"]


def source_of(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture(scope="module")
def toy_notebook():
    pset = load_problem_set(TOY_COURSE / "solutions" / "toy")
    nb, autograded, written = assignment.build_notebook(pset)
    return pset, json.loads(json.dumps(nb)), autograded, written


# ---------------------------------------------------------------------------- the exported notebook


def test_the_notebook_has_answer_cells_with_nbgrader_markers_and_check_cells_with_points(toy_notebook):
    pset, nb, autograded, written = toy_notebook
    assert (autograded, written) == (10, 0)
    arith = [(c["metadata"].get("nbgrader", {}).get("grade_id"), source_of(c)) for c in nb["cells"]
             if is_code(c) and c["metadata"]["autograder"]["module"] == "arith"]
    # The module in order, cut after its module-level region: nbgrader's stub for it raises, and a
    # cell stops at its first error, so the functions go in a cell of their own.
    assert [grade_id for grade_id, _ in arith] == [None, "code_arith", "code_arith_2"]
    assert arith[0][1] == '"""Arithmetic: the toy problem."""'
    assert arith[1][1] == ("ANSWER = None  # the answer to everything\n### BEGIN SOLUTION\n"
                           "ANSWER = 42\n### END SOLUTION")
    assert "    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION" in arith[2][1]
    assert "# BEGIN SOLUTION" not in arith[2][1].replace("### BEGIN SOLUTION", "")
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in check_cells(nb)}
    assert set(cells) == {"public_arith", "hidden_arith", "public_arrays", "hidden_arrays"}
    points = {k: c["metadata"]["nbgrader"]["points"] for k, c in cells.items()}
    assert points == pytest.approx({"public_arith": 2, "hidden_arith": 4, "public_arrays": 1,
                                    "hidden_arrays": 3})
    public = source_of(cells["public_arith"])
    assert public.startswith("%%autograder_checks checks/public/test_arith.py\n")
    assert "def test_add_small(student)" in public  # the public check file, run in the kernel
    assert "BEGIN HIDDEN" not in public and "reference" not in parse_plan(public)


def test_hidden_check_cells_are_placeholders_without_checks_reference_or_seeds(toy_notebook):
    """A hidden check cell holds its points, grade id, problem and file: nothing a student's
    kernel could use (nbgrader autograde runs the cell next to the student's code)."""
    pset, nb, _, _ = toy_notebook
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in check_cells(nb)}
    hidden = source_of(cells["hidden_arith"])
    assert parse_plan(hidden) == {"pset": "toy", "problem": "arith", "visibility": "hidden",
                                         "points": 4.0, "file": "checks/hidden/test_arith.py"}
    assert cells["hidden_arith"]["metadata"]["nbgrader"] == {
        "grade": True, "grade_id": "hidden_arith", "locked": True, "points": 4.0,
        "schema_version": 3, "solution": False}
    text = json.dumps(nb)
    for path in pset.hidden_checks_dir.glob("*.py"):
        for secret in hidden_source(path) + hidden_texts(path):
            assert secret not in text, secret
    assert [seed for seed in hidden_seeds(pset) if seed in text] == []
    public_seeds = [c.seed for c in collect_checks(pset) if not c.hidden_file]
    assert public_seeds and all(str(seed) in text for seed in public_seeds)
    sources = [source_of(c) for c in nb["cells"]]
    assert not [s for s in sources if "BEGIN HIDDEN TESTS" in s]
    # the reference solution only in its solution regions (nbgrader's release removes them)
    assert [s for s in sources if "return a + b" in s] == [
        s for s in sources if "### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION" in s]
    setup = [c["metadata"]["nbgrader"] for c in nb["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade_id") == "autograder_setup"]
    assert setup and setup[0]["locked"]


def test_the_statement_comes_as_markdown_cells(toy_notebook):
    _, nb, _, _ = toy_notebook
    markdown = "\n".join(source_of(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "| Arithmetic | `arith.py` | 6 |" in markdown  # rendered as the release renders it
    assert "## Problem 1 — Arithmetic" in markdown


def test_the_title_heads_the_first_cell_once(toy_notebook):
    pset, nb, _, _ = toy_notebook
    first, second = (source_of(c) for c in nb["cells"][:2])
    assert first.startswith(f"# {pset.title}\n\n**How this notebook works.**")
    assert pset.title not in second and f"# {pset.title}" not in "\n".join(
        source_of(c) for c in nb["cells"][1:])


def test_the_introductions_import_example_names_the_problem_sets_own_module(toy_notebook):
    """No problem set's detail in the engine: the example is the rendered problem set's."""
    pset, nb, _, _ = toy_notebook
    intro = source_of(nb["cells"][0])
    assert "(`from arith import add`)" in intro and "matrix_chain" not in intro
    assert assignment.import_example(load_problem_set(REPO / "solutions" / "ps2_stochastic")) \
        .startswith("from variance_reduction import ")


def test_cells_take_the_graders_shares_and_add_up_to_their_problems_points():
    """share_points shares (each share rounded to 1e-6, as results.json has it); the last cell of a
    problem takes what the others leave, so the notebook's total is the problem set's."""
    pset = load_problem_set(TOY_COURSE / "solutions" / "toy")
    arith = pset.problem("arith").points
    points = cell_points(pset, [("arith", 1.0), ("arith", 1.0), ("arith", 1.0), ("arrays", 2.0)])
    assert points[:2] == [round(arith / 3, 6)] * 2
    assert points[2] == pytest.approx(arith / 3, abs=1e-6)
    assert sum(points[:3]) == pytest.approx(arith, abs=1e-12)
    assert points[3] == pset.problem("arrays").points
    checks = collect_checks(pset)  # each check's points: its max_score in a full grading run
    result = grade_submission(pset, pset.root)
    assert {c.nodeid: c.points for c in checks} == {t.nodeid: t.max_score for t in result.tests}


def test_text_that_nbgrader_would_take_for_its_markers_is_refused():
    with pytest.raises(ExportError, match="BEGIN SOLUTION"):
        nbgrader_solution_source('"""Write BEGIN SOLUTION here."""\n', "m.py")
    with pytest.raises(ExportError, match="BEGIN HIDDEN TESTS"):
        nbgrader_solution_source("# see BEGIN HIDDEN TESTS\n", "m.py")


def test_a_function_level_stub_stays_as_a_comment_a_module_level_one_as_code():
    text = ("def f():\n    # BEGIN SOLUTION: return None\n    return 1\n    # END SOLUTION\n\n"
            "# BEGIN SOLUTION: X = None\nX = 3\n# END SOLUTION\n")
    out = nbgrader_solution_source(text, "m.py")
    assert "    # return None\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION" in out
    assert "X = None\n### BEGIN SOLUTION\nX = 3\n### END SOLUTION" in out


def test_the_course_config_keeps_the_secret_from_kernels_and_warns_on_autograde(tmp_path):
    """nbgrader loads nbgrader_config.py before it starts any kernel, and kernels inherit its
    environment: the config removes AUTOGRADER_SECRET there, gives them one thread per BLAS (as the
    sandbox's children), and says what autograde leaves at 0."""
    (tmp_path / course.CONFIG).write_text(course.CONFIG_TEXT)
    probe = ("import os\nfrom traitlets.config.loader import PyFileConfigLoader\n"  # argv[1]: the verb
             f"config = PyFileConfigLoader({course.CONFIG!r}, path={str(tmp_path)!r}).load_config()\n"
             "print(os.environ.get('AUTOGRADER_SECRET'), config.Execute.timeout,\n"
             "      os.environ['OMP_NUM_THREADS'], os.environ['OPENBLAS_NUM_THREADS'])\n")
    env = dict(os.environ, AUTOGRADER_SECRET=SECRET, OMP_NUM_THREADS="8")
    env.pop("AUTOGRADER_CHILD_THREADS", None)
    for verb, warned in (("autograde", True), ("generate_feedback", False)):
        run = subprocess.run([sys.executable, "-c", probe, verb], env=env, capture_output=True,
                             text=True, timeout=300, check=True)
        assert run.stdout.split() == ["None", "600", "1", "1"]  # kernels: one thread, as the sandbox
        assert ("hidden check cells score 0 until `autograder grade" in run.stderr) is warned


def test_the_export_compiles_no_iri_grammars_and_writes_a_valid_notebook(tmp_path):
    """jsonschema imports rfc3987_syntax (38 grammars compiled at import, 1.3 s of CPU) only for
    formats no notebook schema has: the export goes without it, and nbformat still validates."""
    probe = ("import sys\nfrom autograder.nbgrader.course import export_course\n"
             "from autograder.problemset import load_problem_set\n"
             f"done = export_course(load_problem_set({str(TOY_COURSE / 'solutions' / 'toy')!r}), "
             f"{str(tmp_path / 'course')!r})\n"
             "import nbformat\nnbformat.validate(nbformat.read(str(done.notebook), as_version=4))\n"
             "print(sys.modules.get('rfc3987_syntax', 'never imported'))\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["None"]  # the import was refused, never compiled


def test_written_answers_come_from_nbgrader_toml(tmp_path):
    root = tmp_path / "toy"
    shutil.copytree(TOY_COURSE / "solutions" / "toy", root)
    (root / "nbgrader.toml").write_text(WRITTEN_TOML)
    pset = load_problem_set(root)
    nb, autograded, written = assignment.build_notebook(pset)
    assert (autograded, written) == (10, 2)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "written_why_42")
    assert cell.cell_type == "markdown" and cell.metadata.nbgrader.solution and cell.metadata.nbgrader.grade
    assert cell.source == "### BEGIN SOLUTION\nBecause the toy says so.\n### END SOLUTION"
    (root / "nbgrader.toml").write_text(WRITTEN_TOML.replace('"arith"', '"nope"'))
    with pytest.raises(ExportError, match="names problem 'nope'"):
        written_parts(load_problem_set(root))


def test_ps1_linalg_declares_the_written_proofs():
    pset = load_problem_set(REPO / "solutions" / "ps1_linalg")
    parts = {p.problem: p for p in written_parts(pset)}
    assert set(parts) == {"svd_norms", "trace"}
    assert "sigma" in parts["svd_norms"].prompt and "S^{-1}" in parts["trace"].prompt


# ---------------------------------------------------------------------------- notebook -> modules


def test_answer_cells_become_modules_and_ipython_lines_become_comments(toy_notebook, tmp_path):
    pset, nb, _, _ = toy_notebook
    nb = student_notebook(released(nb), nb)
    cell = next(c for c in nb["cells"] if c["metadata"].get("autograder", {}).get("module") == "arith")
    cell["source"] = "%matplotlib inline\n" + cell["source"]
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": "print(add(1, 2))  # a scratch cell: not graded"})
    modules = notebook.notebook_modules(nb, pset)
    assert set(modules) == {"arith", "arrays"}
    assert modules["arith"].startswith("# %matplotlib inline\n")
    assert "scratch" not in modules["arith"] + modules["arrays"]
    path = tmp_path / "toy.ipynb"
    path.write_text(json.dumps(nb))
    assert sorted(notebook.extract_notebook(path, pset, tmp_path)) == ["arith.py", "arrays.py"]


def test_a_notebook_without_our_metadata_gives_its_code_cells_to_every_module(toy):
    code = reference_code(toy, "arith") + "\n" + reference_code(toy, "arrays")
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# my work"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": code}]}
    modules = notebook.notebook_modules(nb, toy)
    assert modules["arith"] == modules["arrays"] == code.rstrip() + "\n"


def test_unreadable_notebooks_are_not_graded_with_a_message(toy, tmp_path):
    bad = tmp_path / "toy.ipynb"
    bad.write_text("{not json")
    result = grade_submission(toy, bad)
    assert result.status == "not_graded" and "not a readable notebook" in result.output
    bad.write_text(json.dumps({"nbformat": 4, "cells": []}))
    assert "no code cells" in grade_submission(toy, bad).output


def test_nbgrader_submitted_paths_name_the_student():
    assert notebook.nbgrader_student(Path("c/submitted/alice/toy")) == "alice"
    assert notebook.nbgrader_student(Path("c/submitted/alice/toy/toy.ipynb")) == "alice"
    assert notebook.nbgrader_student(Path("c/solutions/toy")) is None


def test_grade_takes_a_notebook_or_a_submitted_folder_holding_one(toy_notebook, tmp_path):
    pset, nb, _, _ = toy_notebook
    folder = tmp_path / "submitted" / "alice" / "toy"
    folder.mkdir(parents=True)
    (folder / "toy.ipynb").write_text(json.dumps(student_notebook(released(nb), nb)))
    for source in (folder, folder / "toy.ipynb"):
        result = grade_submission(pset, source)
        assert result.full_marks and result.submission == "alice", result.output
    stubs = tmp_path / "stubs.ipynb"
    stubs.write_text(json.dumps(released(nb)))
    result = grade_submission(pset, stubs)
    assert result.status == "graded" and result.score == 0


# ---------------------------------------------------------------------------- the check cells' code


def sandbox_scores(nb: dict, result) -> dict[str, float]:
    """What the gradebook records for each check cell of ``nb`` from a grading result."""
    cells = [{"name": c["metadata"]["nbgrader"]["grade_id"], "max_score": c["metadata"]["nbgrader"]["points"],
              "plan": parse_plan(source_of(c))} for c in check_cells(nb)]
    return cell_scores(cells, result)


def run_cells(nb: dict, namespace: dict) -> dict[str, float | None]:
    """Each check cell of the source notebook, run as the kernel's magic runs it (in a notebook's
    folder of its own: a cell runs as its file there)."""
    scores = {}
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        for cell in check_cells(nb):
            first, _, body = source_of(cell).partition("\n")
            path = first.removeprefix(notebook.CHECKS_MAGIC).strip()
            scores[cell["metadata"]["nbgrader"]["grade_id"]] = kernel.run_checks(path, body, namespace)
        assert not list(Path(folder).iterdir())  # each cell's file is gone after its run
    return scores


@pytest.mark.parametrize("edit", [lambda m, c, s: c, bob, forgot_answer],
                         ids=["correct", "partly-wrong", "forgot-the-answer"])
def test_check_cells_score_what_the_sandbox_scores(toy_notebook, edit, tmp_path, capsys):
    """Same checks, same seeds, same points: in the kernel's way and in the grader's."""
    pset, nb, _, _ = toy_notebook
    submission = student_notebook(released(nb), nb, edit)
    in_kernel = run_cells(nb, kernel_namespace(submission))
    path = tmp_path / "toy.ipynb"
    path.write_text(json.dumps(submission))
    result = grade_submission(pset, path)
    in_sandbox = sandbox_scores(nb, result)
    public = {k for k in in_sandbox if k.startswith("public_")}
    assert {k: in_kernel[k] for k in public} == pytest.approx({k: in_sandbox[k] for k in public},
                                                              abs=1e-6)
    assert {k: v for k, v in in_kernel.items() if k not in public} == {"hidden_arith": 0.0,
                                                                        "hidden_arrays": 0.0}
    assert sum(in_sandbox.values()) == pytest.approx(result.score, abs=1e-6)
    assert "points" in capsys.readouterr().out
    if edit is forgot_answer:  # the stub's raise ends its own cell only: the functions count
        assert result.score == 9 and "ANSWER should be 42" in json.dumps(result.to_json())


PARAMETRIZED = '''
import pytest

pytestmark = pytest.mark.problem("arith")


@pytest.mark.parametrize("a", [1, pytest.param(2, id="two")])
@pytest.mark.parametrize("b, c", [(3, 0), (4, 5)])
@pytest.mark.call_timeout(1)
def test_add_cases(student, rng, a, b, c):
    """add: small cases"""
    d = int(rng.integers(0, 3))
    assert student.arith.add(a, b + c + d) == a + b + c + d, f"add({a}, {b + c + d}) is wrong"
'''


def test_parametrized_checks_run_every_case_in_the_kernel_with_the_graders_seeds(tmp_path, capsys):
    root = tmp_path / "toy"
    shutil.copytree(TOY_COURSE / "solutions" / "toy", root)
    (root / "checks" / "public" / "test_param.py").write_text(PARAMETRIZED)
    pset = load_problem_set(root)
    nb = json.loads(json.dumps(assignment.build_notebook(pset)[0]))
    plan = parse_plan(source_of(next(c for c in check_cells(nb)
                                             if "test_param" in c["metadata"]["autograder"]["file"])))
    assert [row[0].split("::")[1] for row in plan["checks"]] == [
        "test_add_cases[3-0-1]", "test_add_cases[3-0-two]", "test_add_cases[4-5-1]",
        "test_add_cases[4-5-two]"]
    assert {row[3] for row in plan["checks"]} == {1.0}
    wrong = reference_code(pset, "arith").replace("return a + b", "return a + b if a != 2 else 0")
    namespace: dict = {}
    exec(wrong + reference_code(pset, "arrays"), namespace)
    in_kernel = run_cells(nb, namespace)
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "arith.py").write_text(wrong)
    (submission / "arrays.py").write_text(reference_code(pset, "arrays"))
    result = grade_submission(pset, submission)
    in_sandbox = sandbox_scores(nb, result)
    public = [k for k in in_sandbox if k.startswith("public_")]
    assert {k: in_kernel[k] for k in public} == pytest.approx({k: in_sandbox[k] for k in public},
                                                              abs=1e-6)
    points = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
              for c in check_cells(nb)}
    assert 0 < in_kernel["public_arith_param"] < points["public_arith_param"]  # 2 cases of 4 wrong
    assert "add(2, " in capsys.readouterr().out


KERNEL_ON_THE_REFERENCE = """
import json, os, sys
from pathlib import Path
from autograder.nbgrader import kernel
from autograder.notebook import CHECKS_MAGIC
from autograder.problemset import load_problem_set
pset, notebook = load_problem_set(Path(sys.argv[1])), Path(sys.argv[2])
os.chdir(notebook.parent)  # a kernel's folder: the notebook's
namespace = {}
for module in pset.modules:
    exec((pset.root / f"{module}.py").read_text(), namespace)
kernel.setup(pset.modules, ipython=type("IPython", (), {
    "user_ns": namespace, "register_magic_function": lambda *a, **k: None})())
scores = {}
for cell in json.loads(notebook.read_text())["cells"]:
    first, _, body = "".join(cell["source"]).partition("\\n")
    if cell["cell_type"] == "code" and first.startswith(CHECKS_MAGIC + " "):
        scores[cell["metadata"]["nbgrader"]["grade_id"]] = (
            kernel.run_checks(first.removeprefix(CHECKS_MAGIC).strip(), body, namespace),
            cell["metadata"]["nbgrader"]["points"])
print(json.dumps(scores), file=sys.stderr)
"""


@pytest.mark.parametrize("pset_id", ["ps2_stochastic", "ps4_methods"])
def test_public_cells_use_the_checks_fixtures_helpers_and_oracles_in_a_kernel(pset_id, tmp_path):
    """pytest runs a cell, so every fixture of a grading run but ``student`` is the checks' own
    (``given`` among them), the helpers released beside the notebook import, and an ``Oracle``
    reaches the student's code as the sandbox's stand-in. On the reference every public cell of
    these problem sets scores full marks (before pytest ran the cells: ps2's variance_reduction
    0 of 16, ps4's nelder_mead 0 of 2.5, mds 2 of 3.33, newton 4 of 6)."""
    done = course.export_course(load_problem_set(REPO / "solutions" / pset_id), tmp_path / "course")
    run = subprocess.run([sys.executable, "-c", KERNEL_ON_THE_REFERENCE, str(REPO / "solutions" / pset_id),
                          str(done.notebook)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    scores = json.loads(run.stderr.strip().splitlines()[-1])
    assert scores and {k: v[0] for k, v in scores.items()} == pytest.approx(
        {k: v[1] for k, v in scores.items()}, abs=1e-6), run.stdout[-3000:]
    assert sorted(p.name for p in done.notebook.parent.rglob("test_*.py")) == []  # no cell file left


def test_in_the_kernel_errors_timeouts_and_missing_names_are_classified_like_the_sandbox(toy_notebook):
    pset, nb, _, _ = toy_notebook
    namespace: dict = {}
    exec("ANSWER = 42\ndef add(a, b):\n    while True:\n        pass\n"
         "def safe_div(a, b):\n    return None\n", namespace)  # no double() at all
    scores = run_cells(nb, namespace)
    assert scores == {"public_arith": 1.0, "hidden_arith": 0.0, "public_arrays": 0.0,
                      "hidden_arrays": 0.0}


def test_in_the_kernel_a_call_is_limited_by_its_cpu_time_not_by_a_busy_machine(monkeypatch):
    """Time a call spends without the CPU (waiting, as on a machine busy with other processes) does
    not use up its limit; computing does; waiting far beyond the limit is stopped too."""
    import time

    def spin():
        while True:
            pass

    assert kernel_student.call(lambda s: time.sleep(s) or "done", "waits", (0.6,), {}, 0.3) == "done"
    with monkeypatch.context() as patch:  # a spin that gets under 1/WAIT_FACTOR of a core (a machine
        patch.setattr(kernel_student, "WAIT_FACTOR", 1000)  # more than 4x oversubscribed) would be
        with pytest.raises(errors.StudentTimeout,  # stopped by the wall backstop first
                           match=r"spin\(\.\.\.\) did not finish within 0.2 s of CPU"):
            kernel_student.call(spin, "spin", (), {}, 0.2)
    with pytest.raises(errors.StudentTimeout, match=r"within 1 s \(it waited instead of computing\)"):
        kernel_student.call(time.sleep, "sleeps", (30,), {}, 1 / kernel_student.WAIT_FACTOR)
    assert signal.getitimer(signal.ITIMER_PROF) == signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_in_the_kernel_an_oracle_is_served_and_counted_as_through_the_sandbox():
    from autograder.sandbox.oracle import Oracle

    class Problem:
        m = 3
        used = 0

        def grad(self, x):
            self.used += 1
            if x < 0:
                raise ValueError("x must be non-negative")
            return 2 * x

    oracle = Oracle(Problem(), methods=("grad",), attributes=("m",), properties=("used",))

    def student_code(problem):
        return type(problem).__name__, problem.m, problem.grad(4), problem.used, repr(problem)

    assert kernel_student.call(student_code, "solve", (oracle,), {}, 5.0) == (
        "Problem", 3, 8, 1, "<Problem: served by the grader>")
    assert oracle.counts == {"grad": 1, "used": 1}
    with pytest.raises(errors.StudentException, match="ValueError: x must be non-negative"):
        kernel_student.call(lambda problem: problem.grad(-1), "solve", (oracle,), {}, 5.0)
    with pytest.raises(errors.StudentException, match="has no 'target'"):
        kernel_student.call(lambda problem: problem.target, "solve", (oracle,), {}, 5.0)


def test_a_hidden_placeholder_scores_zero_in_a_kernel_and_says_who_grades_it(toy_notebook, capsys):
    _, nb, _, _ = toy_notebook
    cell = next(c for c in check_cells(nb) if c["metadata"]["nbgrader"]["grade_id"] == "hidden_arith")
    first, _, body = source_of(cell).partition("\n")
    assert first == notebook.CHECKS_MAGIC
    before = set(sys.modules)
    assert kernel.run_checks("", body, {}) == 0.0  # an execute_result of 0: nbgrader awards nothing
    assert "`autograder grade` runs them in its sandbox" in capsys.readouterr().out
    assert set(sys.modules) == before  # it loads nothing
    assert kernel.run_checks("", "# an older notebook's hidden cell, emptied by the release\n", {}) == 0


SKIPPING = '''
import pytest

pytestmark = pytest.mark.problem("arith")


def test_on_gpu(student):
    """add on a GPU"""
    pytest.skip("no GPU here")


def test_add(student):
    """add"""
    assert student.arith.add(1, 2) == 3, "add(1, 2) should be 3"


def test_add_timed(student, timing):
    """add, timed"""
'''


def _skipping_plan(*rows) -> dict:
    return {"pset": "toy", "problem": "arith", "visibility": "visible", "points": 3.0,
            "file": "checks/public/test_s.py",
            "checks": [[f"checks/public/test_s.py::{name}", 1.0, 0, 1.0] for name in rows],
            "sandbox_only": ["checks/public/test_s.py::test_add_timed"]}


@pytest.mark.parametrize("add, score", [(lambda a, b: a + b, 1.5), (lambda a, b: 0, 0.0)],
                         ids=["right", "wrong"])
def test_in_the_kernel_a_skipped_checks_share_goes_to_the_cells_other_checks(add, score, capsys,
                                                                            monkeypatch, tmp_path):
    """The grader's rule (share_points), with the cell as the problem: a skipped check is not full
    credit (it was, before: 2 and, with a wrong add, 1 of 3); a check only the sandbox judges keeps
    its share and earns 0 here."""
    monkeypatch.chdir(tmp_path)
    plan = _skipping_plan("test_on_gpu", "test_add", "test_add_timed")
    assert kernel.run_checks(plan["file"], f"{SKIPPING}\n__autograder__ = {plan!r}\n", {"add": add}) == score
    out = capsys.readouterr().out
    assert "- skipped add on a GPU  (0/0)" in out
    assert f"add  ({score:g}/1.5)" in out
    assert "! error   add, timed  (0/1.5)" in out and "judged only by `autograder grade`" in out
    assert out.rstrip().endswith(f"{score:g} of 3 points")


def test_the_kernel_never_gets_the_reference_fixture(tmp_path, capsys, monkeypatch):
    check = ('import pytest\n\npytestmark = pytest.mark.problem("arith")\n\n\n'
             'def test_uses_reference(student, reference):\n    """uses the reference"""\n'
             '    assert student.arith.add(1, 2) == reference.arith.add(1, 2)\n')
    plan = {"pset": "toy", "problem": "arith", "visibility": "visible", "points": 1.0,
            "file": "checks/public/test_r.py",  # as notebooks exported earlier wrote the row:
            "checks": [["test_uses_reference", "checks/public/test_r.py::test_uses_reference", 1.0,
                        7, {}, 1.0]]}
    namespace = {"add": lambda a, b: a + b}
    (tmp_path / "notebook").mkdir()
    monkeypatch.chdir(tmp_path / "notebook")
    before = set(sys.modules)
    assert kernel.run_checks(plan["file"], f"{check}\n__autograder__ = {plan!r}\n", namespace) == 0
    assert "only available to hidden checks" in capsys.readouterr().out
    assert not [m for m in set(sys.modules) - before if "reference" in m]
    root = tmp_path / "toy"
    shutil.copytree(TOY_COURSE / "solutions" / "toy", root)
    (root / "checks" / "public" / "test_r.py").write_text(check)
    with pytest.raises(ExportError, match="reference solution never goes into a notebook"):
        assignment.build_notebook(load_problem_set(root))


def _result(tests: list[tuple[str, str, str, float, float]]) -> Result:
    """A result as the engine writes it: (problem, node id, status, score, max score) per check."""
    checks = [CheckResult(name=nodeid, nodeid=nodeid, problem=problem, status=status, score=score,
                          max_score=top, output="", visibility="visible", execution_time=0.0)
              for problem, nodeid, status, score, top in tests]
    problems = [ProblemResult(id=p, title=p, score=sum(t.score for t in checks if t.problem == p),
                              max_score=sum(t.max_score for t in checks if t.problem == p))
                for p in dict.fromkeys(t.problem for t in checks)]
    return Result(pset="toy", submission="s", source="s", status="graded",
                  score=sum(p.score for p in problems), max_score=10, tests=checks, problems=problems)


def _cell(name: str, points: float, problem: str, file: str) -> dict:
    return {"name": name, "max_score": points,
            "plan": {"pset": "toy", "problem": problem, "points": points, "file": file}}


def test_cell_scores_come_from_the_result_and_add_up_to_its_score():
    """One scoring rule: the engine's. A skipped check's points went to the problem's other checks
    in the result; nbgrader's cells have fixed points, so what a full cell cannot hold goes to the
    problem's other cells, and the cells add up to the result's score."""
    cells = [_cell("public_arith", 2, "arith", "checks/public/test_arith.py"),
             _cell("hidden_arith", 4, "arith", "checks/hidden/test_arith.py"),
             _cell("public_arrays", 4, "arrays", "checks/public/test_arrays.py"),
             {"name": "written_why", "max_score": 2, "plan": None}]
    result = _result([  # arith: 6 points over 5 checks that ran (one GPU check skipped): 1.2 each
        ("arith", "checks/public/test_arith.py::test_a", "passed", 1.2, 1.2),
        ("arith", "checks/public/test_arith.py::test_b", "passed", 1.2, 1.2),
        ("arith", "checks/hidden/test_arith.py::test_c", "passed", 1.2, 1.2),
        ("arith", "checks/hidden/test_arith.py::test_d", "failed", 0.0, 1.2),
        ("arith", "checks/hidden/test_arith.py::test_e", "passed", 0.6, 1.2),
        ("arith", "checks/hidden/test_arith.py::test_gpu", "skipped", 0.0, 0.0),
        ("arrays", "checks/public/test_arrays.py::test_f", "failed", 0.0, 4.0)])
    scores = cell_scores(cells, result)
    assert scores == pytest.approx({"public_arith": 2.0, "hidden_arith": 2.2, "public_arrays": 0.0})
    assert sum(scores.values()) == pytest.approx(result.score)
    everything = _result([(t.problem, t.nodeid, "passed", t.max_score, t.max_score)
                          for t in result.tests])
    assert cell_scores(cells, everything) == {"public_arith": 2, "hidden_arith": 4, "public_arrays": 4}
    everything.status = "not_graded"
    assert set(cell_scores(cells, everything).values()) == {0.0}


def test_cells_add_up_to_the_problems_score_not_to_its_rounded_checks():
    """A result rounds each check's score (to 1e-6) and each problem's sum of exact shares once:
    with many checks the rounded ones drift (7 checks of 1/7 point add up to 0.999999); the cells
    add up to the problem's score."""
    result = _result([("arith", f"checks/public/test_arith.py::test_{i}", "passed", 0.142857, 0.142857)
                      for i in range(7)])
    result.problems[0].score = result.problems[0].max_score = result.score = 1.0
    cells = [_cell("public_arith", 1, "arith", "checks/public/test_arith.py")]
    assert cell_scores(cells, result) == {"public_arith": 1.0}


def test_a_missing_gradebook_is_a_one_line_error(tmp_path):
    with pytest.raises(GradebookError, match="generate_assignment"):
        resolve_gradebook(f"sqlite:///{tmp_path}/gradebook.db")
    with pytest.raises(GradebookError, match="neither"):
        resolve_gradebook(tmp_path / "nothing-here")


# ---------------------------------------------------------------------------- the real nbgrader


def _env(home: Path) -> dict:
    """This interpreter's tools first on PATH (nbgrader runs `alembic`), Jupyter's own paths
    private to the test, so only this environment's kernelspec and no user config apply."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        env[name] = str(home / sub)
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    return env


def _run(args: list[str], cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    run = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, f"{args} failed:\n{run.stdout[-3000:]}\n{run.stderr[-5000:]}"
    return run


def nbgrader(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "nbgrader", *args], cwd, env)


def autograder(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "autograder", *args], cwd, env)


def ensure_kernel(env: dict, cwd: Path) -> dict:
    """The python3 kernel nbgrader starts must be this environment's: install its kernelspec into
    this prefix when it is missing."""
    def spec():
        found = json.loads(_run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
                                cwd, env).stdout)["kernelspecs"]
        return found.get("python3")

    python3 = spec()
    if python3 is None or not Path(python3["resource_dir"]).resolve().is_relative_to(
            Path(sys.prefix).resolve()):
        _run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
             cwd, env)
        python3 = spec()
    assert Path(python3["resource_dir"]).resolve().is_relative_to(Path(sys.prefix).resolve())
    argv0 = python3["spec"]["argv"][0]
    assert argv0 in ("python", "python3") or Path(argv0).resolve() == Path(sys.executable).resolve()
    return python3


def gradebook_scores(db: Path, pset_id: str) -> dict[str, dict]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        out = {}
        for submission in gb.assignment_submissions(pset_id):
            grades = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade)
                      for nb in submission.notebooks for g in nb.grades}
            out[submission.student.id] = {"score": submission.score, "grades": grades,
                                          "max": submission.max_score}
        return out


def autograded_points(entry: dict) -> float:
    return sum(auto or 0.0 for name, (auto, _, _) in entry["grades"].items()
               if not name.startswith("written_"))


def generous_limits(pset_root: Path, factor: int = 10) -> None:
    """Every call limit of the problem set copy at ``pset_root`` (the manifest's ``call_timeout`` and
    each check's ``call_timeout`` mark) ``factor`` times longer: these tests grade honest code, in
    kernels and in the sandbox, and compare scores; a loaded machine must not make a call miss its
    limit (limits count CPU time, but a call starved of CPU is stopped at 4 times its limit)."""
    manifest = pset_root / "problemset.toml"
    limit = load_problem_set(pset_root).call_timeout * factor
    text, line = manifest.read_text(), f"call_timeout = {limit:g}"
    if re.search(r"(?m)^call_timeout = ", text):
        text = re.sub(r"(?m)^call_timeout = .*$", line, text)
    elif "\n[sandbox]\n" in text:
        text = text.replace("\n[sandbox]\n", f"\n[sandbox]\n{line}\n")
    else:
        text += f"\n[sandbox]\n{line}\n"
    manifest.write_text(text)
    assert load_problem_set(pset_root).call_timeout == limit
    for path in pset_root.glob("checks/*/*.py"):
        path.write_text(re.sub(r"call_timeout\(([\d.]+)\)",
                               lambda m: f"call_timeout({float(m[1]) * factor:g})", path.read_text()))


def submit(nbgrader_dir: Path, pset, student: str, nb: dict) -> Path:
    folder = nbgrader_dir / "submitted" / student / pset.id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{pset.id}.ipynb").write_text(json.dumps(nb, indent=1))
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    return folder


@pytest.fixture(scope="module")
def toy_course(tmp_path_factory):
    """A toy course (with one written answer) exported to nbgrader, released by nbgrader, three
    submissions collected, and graded by `nbgrader autograde`; the gradebook's scores then."""
    root = tmp_path_factory.mktemp("nbgrader")
    repo = root / "repo"
    shutil.copytree(TOY_COURSE, repo)
    (repo / "solutions" / "toy" / "nbgrader.toml").write_text(WRITTEN_TOML)
    generous_limits(repo / "solutions" / "toy")
    reference = repo / "solutions" / "toy" / "arith.py"
    reference.write_text(reference.read_text().replace(
        "    # BEGIN SOLUTION\n    return a + b",
        f"    # BEGIN SOLUTION\n    # {REFERENCE_ONLY}\n    return a + b"))
    env = _env(root / "jupyter")
    env["AUTOGRADER_SECRET"] = SECRET
    ensure_kernel(env, root)
    nb_dir = root / "nbgrader"
    export = autograder("--course", str(repo), "nbgrader", "export", "toy", "--course", str(nb_dir),
                        cwd=root, env=env)
    nbgrader("generate_assignment", "toy", "--create", cwd=nb_dir, env=env)
    release = json.loads((nb_dir / "release" / "toy" / "toy.ipynb").read_text())
    pset = load_problem_set(repo / "solutions" / "toy")
    source = json.loads((nb_dir / "source" / "toy" / "toy.ipynb").read_text())
    alice = student_notebook(release, source)
    written = next(c for c in alice["cells"]
                   if c["metadata"].get("nbgrader", {}).get("grade_id") == "written_why_42")
    written["source"] = "It is the answer to everything."
    submit(nb_dir, pset, "alice", alice)
    submit(nb_dir, pset, "bob", student_notebook(release, source, bob))
    submit(nb_dir, pset, "mallory", student_notebook(release, source, mallory))
    submit(nb_dir, pset, "carol", student_notebook(release, source, forgot_answer))
    submit(nb_dir, pset, "eve", student_notebook(release, source, eve))
    autograde = nbgrader("autograde", "toy", cwd=nb_dir, env=env)
    nbgrader("generate_feedback", "toy", cwd=nb_dir, env=env)  # from the kernels' outputs
    capture = nb_dir / "autograded" / "eve" / "toy" / "capture"
    return {"repo": repo, "nbgrader": nb_dir, "env": env, "release": release, "pset": pset,
            "by_nbgrader": gradebook_scores(nb_dir / "gradebook.db", "toy"),
            "export_output": export.stdout, "autograde_output": autograde.stdout + autograde.stderr,
            "kernel_feedback": (nb_dir / "feedback" / "eve" / "toy" / "toy.html").read_text(),
            "memory": (capture / "memory.txt").read_text(), "files": (capture / "files.txt").read_text()}


@pytest.fixture(scope="module")
def toy_regraded(toy_course):
    """Then: an instructor grades the written answer by hand, and `autograder grade` regrades the
    same submissions into the same gradebook."""
    from nbgrader.api import Gradebook

    nb_dir, env = toy_course["nbgrader"], toy_course["env"]
    with Gradebook(f"sqlite:///{nb_dir / 'gradebook.db'}") as gb:
        gb.find_grade("written_why_42", "toy", "toy", "alice").manual_score = 1.5
        gb.db.commit()
    submissions = [str(p) for p in sorted((nb_dir / "submitted").glob("*/toy"))]
    run = autograder("--course", str(toy_course["repo"]), "grade", "toy", *submissions,
                     "-o", str(nb_dir / "results"), "--gradebook", str(nb_dir), cwd=nb_dir, env=env)
    first = gradebook_scores(nb_dir / "gradebook.db", "toy")
    autograder("--course", str(toy_course["repo"]), "grade", "toy", *submissions, "--regrade",
               "-o", str(nb_dir / "results"), "--gradebook", f"sqlite:///{nb_dir / 'gradebook.db'}",
               cwd=nb_dir, env=env)
    return {"output": run.stdout, "first": first,
            "second": gradebook_scores(nb_dir / "gradebook.db", "toy")}


@pytest.mark.slow
def test_nbgrader_releases_the_notebook_without_solutions_or_hidden_checks(toy_course):
    release = toy_course["release"]
    text = json.dumps(release)
    assert "return a + b" not in text and "ANSWER = 42" not in text
    assert "Because the toy says so" not in text and "YOUR ANSWER HERE" in text
    assert "test_add_random" not in text and "def add(a, b)" in text
    assert "raise NotImplementedError()" in text


@pytest.mark.slow
def test_nbgrader_autograde_scores_public_cells_and_gives_hidden_placeholders_zero(toy_course):
    scores = toy_course["by_nbgrader"]
    assert scores["alice"]["max"] == 12  # 10 autograded + 2 written
    for student in ("alice", "bob", "carol", "eve", "mallory"):
        grades = scores[student]["grades"]
        assert grades["hidden_arith"][0] == grades["hidden_arrays"][0] == 0, student
    assert autograded_points(scores["alice"]) == pytest.approx(3)  # all public points: 2 + 1
    assert autograded_points(scores["bob"]) == pytest.approx(2)  # 1 + 1
    assert scores["alice"]["grades"]["written_why_42"][0] is None  # answered: awaits a human
    assert scores["bob"]["grades"]["written_why_42"][0] == 0  # left as released: no response
    assert autograded_points(scores["carol"]) == pytest.approx(2)  # only the ANSWER check lost
    assert "hidden check cells score 0 until `autograder grade" in toy_course["autograde_output"]
    assert ("IMPORTANT: the hidden checks (7 points, 2 cells) are not in the notebook"
            in toy_course["export_output"])
    assert "after `nbgrader autograde` alone they score 0" in toy_course["export_output"]


@pytest.mark.slow
def test_nbgrader_autograde_says_once_what_it_leaves_at_0_and_warns_of_nothing_else(toy_course):
    """nbgrader loads the course's config more than once per command; its own gradebook code makes
    SQLAlchemy warn; a locked cell that the release and the gradebook disagree on is a warning per
    cell and per student: none of it here."""
    output = toy_course["autograde_output"]
    assert output.count("hidden check cells score 0 until") == 1
    assert "SAWarning" not in output and "has changed" not in output


@pytest.mark.slow
def test_autograder_grade_records_the_same_public_scores_as_nbgrader_and_the_hidden_ones(
        toy_course, toy_regraded):
    before, after = toy_course["by_nbgrader"], toy_regraded["first"]
    for student in ("alice", "bob", "carol"):
        for name, (auto, _, _) in before[student]["grades"].items():
            if name.startswith("public_"):
                assert after[student]["grades"][name][0] == pytest.approx(auto, abs=1e-6), (student, name)
    assert autograded_points(after["alice"]) == pytest.approx(10)
    assert after["bob"]["grades"]["hidden_arith"][0] == pytest.approx(1.75)  # 3 of 4 cases
    assert autograded_points(after["bob"]) == pytest.approx(6.75)  # 1 + 1.75 + 1 + 3
    assert autograded_points(after["carol"]) == pytest.approx(9)  # only the ANSWER check lost
    assert "gradebook: bob autograded 6.75/10" in toy_regraded["output"]


@pytest.mark.slow
def test_a_notebook_that_patches_the_checks_fools_nbgrader_but_not_the_sandbox(toy_course,
                                                                               toy_regraded):
    """nbgrader runs the public checks in the student's kernel, where the student's code replaced
    the assertion helpers: every public point. The sandbox grades the same code: its honest score."""
    fooled = toy_course["by_nbgrader"]["mallory"]
    assert autograded_points(fooled) == pytest.approx(3) and fooled["grades"]["public_arrays"][0] == 1
    honest = toy_regraded["first"]["mallory"]
    assert autograded_points(honest) == pytest.approx(6)  # arithmetic right, double() wrong
    assert honest["grades"]["public_arrays"][0] == 0 and honest["grades"]["hidden_arrays"][0] == 0


@pytest.mark.slow
def test_regrading_replaces_scores_keeps_manual_grades_and_duplicates_nothing(toy_course, toy_regraded):
    first, second = toy_regraded["first"], toy_regraded["second"]
    assert first == second
    assert set(second) == {"alice", "bob", "carol", "eve", "mallory"}
    assert second["alice"]["grades"]["written_why_42"][1] == 1.5  # the hand grade stays
    assert second["alice"]["score"] == pytest.approx(11.5)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{toy_course['nbgrader'] / 'gradebook.db'}") as gb:
        assert len(gb.assignment_submissions("toy")) == 5 and len(gb.students) == 5
        assert all(len(nb.grades) == 5 for s in gb.assignment_submissions("toy") for nb in s.notebooks)


@pytest.mark.slow
def test_a_late_penalty_is_recorded_where_nbgrader_keeps_its_own(toy_course, toy_regraded, tmp_path):
    from nbgrader.api import Gradebook

    from autograder.nbgrader.gradebook import record_results

    nb_dir = tmp_path / "nbgrader"  # a copy: the other tests read the course's gradebook
    shutil.copytree(toy_course["nbgrader"], nb_dir)
    alice = next(Result.from_json(json.loads(path.read_text()))
                 for path in (nb_dir / "results").glob("*/results.json") if "/alice/" in path.read_text())
    alice.deadline = {"status": "late", "deduction": 2.5, "score_before": alice.score,
                      "score_after": alice.score - 2.5}
    alice.score -= 2.5
    record_results("toy", [alice], resolve_gradebook(str(nb_dir)))
    with Gradebook(f"sqlite:///{nb_dir / 'gradebook.db'}") as gb:
        submission = gb.find_submission("toy", "alice")
        assert submission.late_submission_penalty == pytest.approx(2.5)
        assert submission.score == pytest.approx(toy_regraded["first"]["alice"]["score"])  # cells as graded
        assert gb.find_submission("toy", "bob").late_submission_penalty in (None, 0)  # nothing applied


@pytest.mark.slow
def test_feedback_and_the_grade_table_come_from_the_recorded_scores(toy_course, toy_regraded):
    nb_dir, env = toy_course["nbgrader"], toy_course["env"]
    autograded = json.loads((nb_dir / "autograded" / "bob" / "toy" / "toy.ipynb").read_text())
    hidden = next(c for c in autograded["cells"]
                  if c["metadata"].get("nbgrader", {}).get("grade_id") == "hidden_arith")
    assert "`autograder grade` runs them in its sandbox" in source_of(hidden)  # the placeholder
    assert "add is right on 3 of 4 cases" in json.dumps(hidden["outputs"])  # the result's message
    assert "1.75 of 4 points" in json.dumps(hidden["outputs"])
    nbgrader("generate_feedback", "toy", "--force", cwd=nb_dir, env=env)
    feedback = (nb_dir / "feedback" / "bob" / "toy" / "toy.html").read_text()
    assert "add is right on 3 of 4 cases" in feedback
    assert "test_add_random" not in feedback and "BEGIN HIDDEN TESTS" not in feedback
    nbgrader("export", cwd=nb_dir, env=env)
    autograder("export", "csv", "--gradebook", str(nb_dir), "-o", str(nb_dir / "ours.csv"),
               cwd=nb_dir, env=env)
    ours = (nb_dir / "ours.csv").read_text()
    assert ours == (nb_dir / "grades.csv").read_text()
    rows = {line.split(",")[3]: line.split(",") for line in ours.splitlines()[1:]}
    assert float(rows["alice"][9]) == pytest.approx(11.5) and float(rows["mallory"][9]) == 6
    assert float(rows["eve"][9]) == 10


def _secrets(pset, submitted: Path, hidden_sources_only: bool = False) -> list[str]:
    """What must never reach a student through nbgrader: the hidden checks' code (and, unless
    ``hidden_sources_only``, the names and messages results show of them), the seeds of the
    submission's hidden checks, the secret they come from and the course's AUTOGRADER_SECRET.
    Call with AUTOGRADER_SECRET set as the course's commands had it."""
    found = [SECRET]
    for path in sorted(pset.hidden_checks_dir.glob("*.py")):
        found += hidden_source(path) + ([] if hidden_sources_only else hidden_texts(path))
    with tempfile.TemporaryDirectory() as work:  # the fingerprint grading gives the submission
        fingerprint = tree_digest(prepare_submission(submitted, pset, Path(work)).root)
    return found + hidden_seeds(pset, ("", fingerprint))


@pytest.mark.slow
def test_a_notebook_that_captures_the_check_runner_finds_nothing_hidden(toy_course, toy_regraded,
                                                                        monkeypatch):
    """eve's notebook patches the check runner and sweeps her kernel under `nbgrader autograde`
    (globals, sys.modules, gc, frames, linecache, the environment, the nbgrader course's files):
    no hidden check, hidden seed or secret anywhere, nor the reference solution in the kernel.
    The course's files hold the reference solution (nbgrader's source notebook does, by design):
    docs/nbgrader.md says what student code under `nbgrader autograde` can read."""
    nb_dir, env, pset = toy_course["nbgrader"], toy_course["env"], toy_course["pset"]
    memory, files = toy_course["memory"], toy_course["files"]
    assert "add(2, 3) returned" in memory  # the capture worked: it holds the public checks
    assert "gradebook.db" in files and REFERENCE_ONLY in files  # it read the course's files
    monkeypatch.setenv("AUTOGRADER_SECRET", SECRET)
    submitted = nb_dir / "submitted" / "eve" / "toy"
    secrets = _secrets(pset, submitted)
    assert [s for s in secrets if s in memory] == []
    assert [s for s in secrets if s in files] == []
    assert REFERENCE_ONLY not in memory
    kernel_feedback = toy_course["kernel_feedback"]  # generated from the kernels' outputs
    assert "captured check cell 'checks/public/test_arith.py'" in kernel_feedback  # its channel
    assert [s for s in [*secrets, REFERENCE_ONLY] if s in kernel_feedback] == []
    # The sandbox grades her honest code; the feedback comes from its result, no kernel output.
    assert autograded_points(toy_regraded["first"]["eve"]) == pytest.approx(10)
    nbgrader("generate_feedback", "toy", "--student", "eve", "--force", cwd=nb_dir, env=env)
    feedback = (nb_dir / "feedback" / "eve" / "toy" / "toy.html").read_text()
    assert "captured check cell 'checks/public/test_arith.py'" not in feedback
    assert "Graded by `autograder grade`" in feedback
    assert [s for s in [*_secrets(pset, submitted, hidden_sources_only=True), REFERENCE_ONLY]
            if s in feedback] == []


def _ps1_without_missing_modules(repo: Path) -> None:
    """ps1_linalg as far as it is written: problems whose reference module exists (the manifest
    of this temporary copy, not the repository's)."""
    root = repo / "solutions" / "ps1_linalg"
    text = (root / "problemset.toml").read_text()
    raw = tomllib.loads(text)
    keep = [p["id"] for p in raw["problems"] if (root / f"{p['module']}.py").is_file()]
    blocks = re.split(r"(?m)^(?=\[\[problems\]\])", text)
    blocks = [b for b in blocks if not b.startswith("[[problems]]")
              or re.search(r'(?m)^id = "(\w+)"', b).group(1) in keep]
    (root / "problemset.toml").write_text("".join(blocks))
    for path in root.glob("checks/*/*.py"):
        marker = re.search(r'pytest\.mark\.problem\("(\w+)"\)', path.read_text())
        if marker and marker.group(1) not in keep:
            path.unlink()
    text = (root / "nbgrader.toml").read_text()
    missing = {p["problem"] for p in tomllib.loads(text)["written"]} - set(keep)
    if missing:
        pytest.skip(f"ps1_linalg's nbgrader.toml names {sorted(missing)}, not written yet")


@pytest.mark.slow
def test_ps1_linalg_through_nbgrader_and_the_sandbox_gives_the_same_scores(tmp_path):
    repo = tmp_path / "repo"
    (repo / "solutions").mkdir(parents=True)
    shutil.copytree(REPO / "solutions" / "ps1_linalg", repo / "solutions" / "ps1_linalg",
                    ignore=shutil.ignore_patterns("__pycache__"))
    _ps1_without_missing_modules(repo)
    generous_limits(repo / "solutions" / "ps1_linalg")
    env = _env(tmp_path / "jupyter")
    ensure_kernel(env, tmp_path)
    nb_dir = tmp_path / "nbgrader"
    autograder("--course", str(repo), "nbgrader", "export", "ps1_linalg", "--course", str(nb_dir),
               cwd=tmp_path, env=env)
    nbgrader("generate_assignment", "ps1_linalg", "--create", cwd=nb_dir, env=env)
    release = json.loads((nb_dir / "release" / "ps1_linalg" / "ps1_linalg.ipynb").read_text())
    pset = load_problem_set(repo / "solutions" / "ps1_linalg")
    source = json.loads((nb_dir / "source" / "ps1_linalg" / "ps1_linalg.ipynb").read_text())
    submit(nb_dir, pset, "alice", student_notebook(release, source))
    submit(nb_dir, pset, "bob", student_notebook(release, source, lambda m, c, stub: stub))
    autograde = nbgrader("autograde", "ps1_linalg", cwd=nb_dir, env=env)
    assert "has changed" not in autograde.stdout + autograde.stderr  # no locked cell reported changed
    by_nbgrader = gradebook_scores(nb_dir / "gradebook.db", "ps1_linalg")
    checks = collect_checks(pset)
    timed = {c.nodeid for c in checks if c.sandbox_only}  # timing: judged in the sandbox only
    cells = {c["metadata"]["nbgrader"]["grade_id"]: parse_plan(source_of(c))
             for c in check_cells(source)}
    kernel_cells = {k for k, plan in cells.items()  # public cells, no timing check in them
                    if "checks" in plan and not timed & {row[0] for row in plan["checks"]}}
    assert {k for k in cells if k.startswith("hidden_")} == {k for k, plan in cells.items()
                                                             if "checks" not in plan}
    expected = sum(row[1] for k in kernel_cells for row in cells[k]["checks"])
    assert expected > 0
    assert sum(by_nbgrader["alice"]["grades"][k][0] for k in kernel_cells) == pytest.approx(expected)
    assert autograded_points(by_nbgrader["bob"]) == 0
    folders = [str(nb_dir / "submitted" / student / "ps1_linalg") for student in ("alice", "bob")]
    autograder("--course", str(repo), "grade", "ps1_linalg", *folders, "-o", str(nb_dir / "results"),
               "--gradebook", str(nb_dir), cwd=nb_dir, env=env)
    by_sandbox = gradebook_scores(nb_dir / "gradebook.db", "ps1_linalg")
    for student in ("alice", "bob"):
        ours, theirs = autograded_grades(by_sandbox[student]), autograded_grades(by_nbgrader[student])
        assert {k: ours[k] for k in kernel_cells} == pytest.approx(  # results round to 1e-6
            {k: theirs[k] for k in kernel_cells}, abs=1e-5), student
        assert all(theirs[k] == 0 for k in set(cells) - kernel_cells)  # hidden: not in a kernel
        result = json.loads((nb_dir / "results" / student / "results.json").read_text())
        assert sum(ours.values()) == pytest.approx(result["score"], abs=1e-5)  # one scoring rule
    assert all(by_sandbox["bob"]["grades"][k][0] == 0 for k in cells)
    assert sum(by_sandbox["alice"]["grades"][k][0] for k in cells if k.startswith("hidden_")) > 0


def autograded_grades(entry: dict) -> dict[str, float]:
    return {name: auto for name, (auto, _, _) in entry["grades"].items() if not name.startswith("written_")}
