"""Banned APIs: found in the syntax tree (imports, aliases, getattr, dynamic imports) and at run time."""

import pytest

from autograder.grading.integrity import dotted_names, is_banned

from .conftest import by_name

BANNED, ALLOWED = ("torch.optim.*", "*._fused_*"), ("torch.optim.Optimizer", "torch.optim.optimizer")


def banned_in(source: str) -> set[str]:
    return {name for name, _ in dotted_names(source, "m.py") if is_banned(name, BANNED, ALLOWED)}


@pytest.mark.parametrize("source, name", [
    ("import torch\ntorch.optim.Adam([])", "torch.optim.Adam"),
    ("from torch.optim import Adam as Fast\nFast([])", "torch.optim.Adam"),
    ("import torch.optim as o\no.AdamW", "torch.optim.AdamW"),
    ("from torch import optim\noptim.adam.adam", "torch.optim.adam"),
    ("import torch.optim._functional as F", "torch.optim._functional"),
    ("import torch\ngetattr(torch.optim, 'Adam')", "torch.optim.Adam"),
    ("import importlib\nimportlib.import_module('torch.optim.adam')", "torch.optim.adam"),
    ("__import__('torch.optim.sgd')", "torch.optim.sgd"),
    ("import torch\ntorch._fused_adam_", "torch._fused_adam_"),
    ("import torch\ntorch.ops.aten._fused_adamw_", "torch.ops.aten._fused_adamw_"),
    ("from torch.optim import *", "torch.optim.*"),
])
def test_the_scan_resolves_every_way_of_naming_a_banned_api(source, name):
    assert name in banned_in(source)


@pytest.mark.parametrize("source", [
    "import torch\nclass A(torch.optim.Optimizer):\n    pass",
    "from torch.optim import Optimizer\nfrom torch.optim.optimizer import Optimizer as O",
    "import torch\ntorch._foreach_mul_([], 0.9)",
    "import torch.optim\nx = 1",
    "adam = 3\nAdam = adam",
])
def test_the_scan_leaves_allowed_uses_alone(source):
    assert banned_in(source) == set()


ARRAYS_OK = "def double(x):\n    return 2 * x\n"


def test_a_static_use_of_a_banned_api_zeroes_that_problem_only(grade_toy):
    result = grade_toy({"arrays.py": "import numpy as np\n\ndef double(x):\n    return np.multiply(x, 2)\n"})
    assert {p.id: p.score for p in result.problems} == {"arith": 6, "arrays": 0}
    check = by_name(result)["test_double_numpy"]
    assert check.status == "failed" and "banned API numpy.multiply" in check.output
    seen = {(f["problem"], f["name"], f["how"], f["where"]) for f in result.findings}
    assert ("arrays", "numpy.multiply", "static", "arrays.py, line 4") in seen
    assert ("arrays", "numpy.multiply", "runtime", "run time") in seen  # both layers see it


def test_a_banned_api_in_a_helper_module_counts_too(grade_toy, toy_submission):
    result = grade_toy({"helpers.py": "from numpy import multiply as twice\n",
                        "arrays.py": "from helpers import twice\n\ndef double(x):\n    return twice(x, 2)\n"})
    assert result.problems[1].score == 0 and result.findings[0]["where"] == "helpers.py, line 1"


def test_the_runtime_tripwire_catches_a_name_built_at_run_time(grade_toy):
    sneaky = ("import numpy as np\n\ndef double(x):\n"
              "    return getattr(np, 'mul' + 'tiply')(x, 2)\n")
    result = grade_toy({"arrays.py": sneaky})
    assert result.problems[1].score == 0
    assert [(f["name"], f["how"]) for f in result.findings] == [("numpy.multiply", "runtime")]


def test_allowed_names_and_honest_solutions_are_not_findings(grade_toy):
    honest = "import numpy as np\n\ndef double(x):\n    np.linalg.norm(x)\n    return 2 * x\n"
    result = grade_toy({"arrays.py": honest})
    assert result.full_marks and result.findings == []


def test_the_problem_sets_own_checks_handed_in_with_the_folder_are_not_student_code(
        toy, toy_submission, tmp_path):
    """Students often submit the whole released folder: its public checks may use banned names."""
    import shutil

    from autograder.grading.grade import grade_submission
    from autograder.problemset import load_problem_set

    course = tmp_path / "toy"
    shutil.copytree(toy.root, course)
    check = ("import numpy as np\nimport pytest\n\npytestmark = pytest.mark.problem('arrays')\n\n"
             "def test_x():\n    assert np.multiply(2, 2) == 4\n")
    (course / "checks" / "public" / "test_uses_banned.py").write_text(check)
    pset = load_problem_set(course)
    folder = toy_submission()
    (folder / "tests").mkdir()
    (folder / "tests" / "test_uses_banned.py").write_text(check)
    assert grade_submission(pset, folder).findings == []
    (folder / "tests" / "helper.py").write_text(check + "# mine\n")  # not the course's file
    assert grade_submission(pset, folder).findings != []
