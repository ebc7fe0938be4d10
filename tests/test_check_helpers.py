"""Helper modules a problem set's checks share, and the timing benchmark's variants beside each
problem set: public helpers go wherever the public checks go (the released folder, an nbgrader
notebook's folder); hidden helpers and the benchmark's variants never leave solutions/."""

import shutil
import sys
from pathlib import Path

import pytest

from autograder.nbgrader.course import student_files
from autograder.problemset import load_problem_set
from autograder.release.pipeline import render_release
from autograder.trusted_files import import_file

from .conftest import REPO, TOY_COURSE

CHECK_WITH_A_HELPER = '''"""A check file that imports a helper module from beside it."""

from pathlib import Path

from autograder.checks.plugin import import_file

arith_cases = import_file("_test_notebook_arith_cases", Path(__file__).with_name("arith_cases.py"))
'''


def test_a_notebook_check_cell_imports_the_public_helpers_from_the_notebooks_folder(tmp_path, monkeypatch):
    """The kernel runs a check cell as its file at its place in the problem set (nbgrader.kernel):
    the helper modules beside the public checks must be there too."""
    root = tmp_path / "toy"
    shutil.copytree(TOY_COURSE / "solutions" / "toy", root, ignore=shutil.ignore_patterns("__pycache__"))
    public = load_problem_set(root).public_checks_dir
    (public / "arith_cases.py").write_text('"""Cases the toy\'s checks share."""\n\nCASES = [(1, 2, 3)]\n')
    (public / "test_shared.py").write_text(CHECK_WITH_A_HELPER)
    notebook = tmp_path / "notebook"
    for rel, data in student_files(load_problem_set(root)).items():
        (notebook / rel).parent.mkdir(parents=True, exist_ok=True)
        (notebook / rel).write_bytes(data)
    monkeypatch.delitem(sys.modules, "_test_notebook_arith_cases", raising=False)
    filename = str(notebook / (public / "test_shared.py").relative_to(root))
    scope = {"__name__": "autograder_checks_test_shared", "__file__": filename}
    exec(compile(CHECK_WITH_A_HELPER, filename, "exec"), scope)  # noqa: S102 - the check cell, as the kernel runs it
    assert Path(scope["arith_cases"].__file__) == notebook / "checks" / "public" / "arith_cases.py"
    assert scope["arith_cases"].CASES == [(1, 2, 3)]
    assert not (notebook / "checks" / "public" / "test_arith.py").exists()  # checks travel as cells


PSETS = sorted(path.parent for path in (REPO / "solutions").glob("*/problemset.toml"))


def helpers(folder: Path) -> list[Path]:
    """The modules of a checks folder that are not checks."""
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("test_"))


@pytest.mark.parametrize("root", PSETS, ids=lambda p: p.name)
def test_public_helpers_are_released_beside_the_public_checks(root):
    pset = load_problem_set(root)
    files = render_release(pset)
    for helper in helpers(pset.public_checks_dir):
        assert files[f"tests/{helper.name}"] == helper.read_bytes(), helper


@pytest.mark.parametrize("root", PSETS, ids=lambda p: p.name)
def test_hidden_helpers_are_never_released(root):
    pset = load_problem_set(root)
    released = set(render_release(pset).values()) | set(student_files(pset).values())
    hidden = list(pset.hidden_checks_dir.rglob("*.py"))
    assert hidden
    assert [p.name for p in hidden if p.read_bytes() in released] == []


@pytest.mark.parametrize("root", PSETS, ids=lambda p: p.name)
def test_reviewed_equivalent_mutants_sit_beside_their_problem_set(root):
    """benchmarks/check_strength.py reads a problem set's list from its hidden checks: every id there
    names a module of that problem set."""
    check_strength = import_file("_test_check_strength", REPO / "benchmarks" / "check_strength.py")
    pset = load_problem_set(root)
    ids = check_strength.load_equivalent(pset)
    assert all(i.partition(".")[0] in pset.modules and reason for i, reason in ids.items()), ids
    assert bool(ids) == (pset.hidden_checks_dir / check_strength.EQUIVALENT).is_file()


def _timing_benchmark():
    return import_file("_test_timing_benchmark", REPO / "benchmarks" / "timing_checks.py")


def test_the_timing_benchmark_finds_every_problem_sets_variants_beside_it():
    found = _timing_benchmark().checks()
    assert {c["pset"] for c in found} == {p.name for p in PSETS if load_problem_set(p).timing}
    slow = {c["name"] for c in found if c["slow"]}
    assert {"chain_product", "chain_product_split", "trace_inner", "trace_of_product", "adam_step",
            "adamw_step", "adadelta_step"} <= slow, slow
    assert {c["name"] for c in found if c["alternative"]} >= {"chain_product", "trace_inner"}


@pytest.mark.parametrize("root", PSETS, ids=lambda p: p.name)
def test_every_timing_variant_changes_a_module_that_a_timing_check_times(root):
    pset = load_problem_set(root)
    slow, alternatives = _timing_benchmark().variants(pset)
    timed = {entry.target.partition(".")[0] + ".py" for entry in pset.timing}
    assert set(slow) | set(alternatives) <= timed
