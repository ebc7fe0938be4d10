"""benchmarks/check_strength.py: which mutants it makes, their ids, and the narrowed problem set it
grades them with (the grading itself is the real grader's, tested elsewhere)."""

import importlib.util
import sys
import tomllib

from .conftest import REPO

_spec = importlib.util.spec_from_file_location("check_strength", REPO / "benchmarks" / "check_strength.py")
check_strength = importlib.util.module_from_spec(_spec)
sys.modules["check_strength"] = check_strength  # its dataclass looks its module up there
_spec.loader.exec_module(check_strength)

TOY = '''"""A toy reference."""


def helper(x: list[int]) -> int:
    return x[0] + 1


def solved(a, b):
    # BEGIN SOLUTION
    if a < b:
        raise ValueError(f"a is {a + 1}")
    return a * b
    # END SOLUTION
'''


def _mutants(tmp_path, text=TOY):
    path = tmp_path / "toy.py"
    path.write_text(text)
    return check_strength.generate_mutants(path, "toy")


def test_mutants_only_change_solution_regions_and_compile(tmp_path):
    mutants = _mutants(tmp_path)
    assert mutants and all(m.id.startswith("toy.solved:") for m in mutants)
    for m in mutants:
        compile(m.source, "toy.py", "exec")
        assert m.source != TOY and 'return x[0] + 1' in m.source


def test_messages_in_f_strings_are_not_mutated(tmp_path):
    assert not [m for m in _mutants(tmp_path) if "{a - 1}" in m.source or "{a + 2}" in m.source]


def test_the_standard_operators_are_there(tmp_path):
    operators = {m.id.split(":")[1] for m in _mutants(tmp_path)}
    assert {"ReplaceComparisonOperator_Lt_LtE", "ReplaceBinaryOperator_Mul_Div", "RemoveStatement",
            "AddNot"} <= operators


def test_ids_do_not_depend_on_code_elsewhere_in_the_file(tmp_path):
    before = {m.id for m in _mutants(tmp_path)}
    after = {m.id for m in _mutants(tmp_path, TOY.replace('"""A toy reference."""', "import math\n\nX = 1"))}
    assert before == after and len(before) == len(_mutants(tmp_path))


def test_narrowed_manifest_keeps_only_the_problems_timing_entries():
    manifest = (REPO / "solutions" / "ps1_linalg" / "problemset.toml").read_text()
    narrowed = tomllib.loads(check_strength._without_other_timing(manifest, {"trace"}))
    assert {t["problem"] for t in narrowed["timing"]} == {"trace"}
    assert len(narrowed["problems"]) == len(tomllib.loads(manifest)["problems"])


def test_narrowed_problem_set_holds_only_that_problems_checks(tmp_path):
    from autograder.problemset import load_problem_set

    pset = load_problem_set(REPO / "solutions" / "ps1_linalg")
    root = check_strength.narrowed_problem_set(pset, {"svd_norms"}, tmp_path)
    checks = sorted(p.name for p in (root / "checks").rglob("test_*.py"))
    assert checks == ["test_svd_norms.py", "test_svd_norms.py"]
    helpers = {p.name for p in (root / "checks").rglob("*.py")} - set(checks)  # what checks import
    assert helpers == {p.name for p in (pset.root / "checks").rglob("*.py")} - {
        p.name for p in (pset.root / "checks").rglob("test_*.py")}
    assert load_problem_set(root).timing == ()
