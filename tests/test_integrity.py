"""Banned APIs: found in the syntax tree (imports, aliases, attribute chains, getattr, dynamic imports,
the banned module as a value, introspection), dynamic access reported for review, and at run time."""

import time
from pathlib import Path

import pytest

from autograder.banned_names import covers
from autograder.grading.integrity import Finding, attribute_runtime, judge, references, scan_submission
from autograder.problemset import load_problem_set

from .conftest import by_name

# ps2_stochastic's manifest
BANNED = ("torch.optim.*", "torch._fused_*", "torch.ops.aten._fused_*")
ALLOWED = ("torch.optim.Optimizer", "torch.optim.optimizer", "torch.optim.optimizer.Optimizer")
PS2 = Path(__file__).resolve().parents[1] / "solutions" / "ps2_stochastic"


def judged(source: str, banned=BANNED, allowed=ALLOWED) -> list[tuple[str, bool, str]]:
    found = [judge(ref, banned, allowed) for ref in references(source, "m.py")]
    return [f for f in found if f is not None]


def banned_in(source: str, banned=BANNED, allowed=ALLOWED) -> set[str]:
    """What zeroes the problem."""
    return {name for name, review, _ in judged(source, banned, allowed) if not review}


def for_review(source: str, banned=BANNED, allowed=ALLOWED) -> set[str]:
    return {why for _, review, why in judged(source, banned, allowed) if review}


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


@pytest.mark.parametrize("source, name", [
    # aliases made by assignment, in the scope where Python looks them up
    ("import torch\no = torch.optim\no.Adam([])", "torch.optim.Adam"),
    ("import torch\nA = torch.optim.Adam", "torch.optim.Adam"),
    ("import torch\nt = torch\nfast = t.optim\ndef step():\n    return fast.SGD([])", "torch.optim.SGD"),
    ("import torch\ndef f():\n    o = torch.optim\n    return o.RMSprop", "torch.optim.RMSprop"),
    ("import torch\na, b = torch.nn, torch.optim\nb.Adagrad", "torch.optim.Adagrad"),
    ("import torch\nif (o := torch.optim):\n    o.Adam", "torch.optim.Adam"),
    ("import torch\ndef f():\n    global o\n    o = torch.optim\ndef g():\n    return o.Adam",
     "torch.optim.Adam"),
    ("g = getattr\nimport torch\ng(torch.optim, 'Adam')", "torch.optim.Adam"),
    # attribute chains, from imports with aliases, import calls as the base of a chain
    ("import torch\ntorch.optim.adam.Adam", "torch.optim.adam"),
    ("from torch import optim as o\no.SGD([])", "torch.optim.SGD"),
    ("__import__('torch').optim.Adam", "torch.optim.Adam"),
    ("__import__('torch.optim', fromlist=['x']).Adam", "torch.optim.Adam"),
    ("import importlib\nm = importlib.import_module('torch.optim')\nm.Adam", "torch.optim.Adam"),
    ("from torch.optim import *\nAdam([])", "torch.optim.Adam"),
    ("import torch\ndef f(x: torch.optim.Adam):\n    pass", "torch.optim.Adam"),
])
def test_aliases_by_assignment_and_attribute_chains_are_followed(source, name):
    assert name in banned_in(source)


@pytest.mark.parametrize("source", [
    "import torch\nf(torch.optim)",
    "import torch\nclass A:\n    def __init__(self):\n        self.o = torch.optim",
    "import torch\nmodules = [torch.optim]",
    "import torch\ndef f(o=torch.optim):\n    return o",
    "import torch\ngetattr(torch.optim, name)",
    "from torch import optim\nreturn_it = (optim,)",
    "import torch\nclass Holder:\n    o = torch.optim",  # a class attribute is reachable as Holder.o
])
def test_the_banned_module_used_as_a_value_is_a_finding(source):
    assert "torch.optim" in banned_in(source)


def test_a_banned_name_reached_through_another_student_module_is_found(toy, tmp_path):
    (tmp_path / "helpers.py").write_text("import numpy\nfrom numpy import linalg as la\n")
    (tmp_path / "arrays.py").write_text("import helpers\nfrom helpers import la\n\ndef double(x):\n"
                                        "    la.svd(x)\n    return helpers.numpy.multiply(x, 2)\n")
    found = {(f.name, f.where) for f in scan_submission(toy, tmp_path) if not f.review}
    assert found == {("numpy.linalg.svd", "arrays.py, line 5"), ("numpy.multiply", "arrays.py, line 6")}


@pytest.mark.parametrize("source, name", [
    ("from torch.optim import Optimizer\n[c for c in Optimizer.__subclasses__() if c.__name__ == 'Adam']",
     "torch.optim.Optimizer.__subclasses__"),
    ("import torch\ntorch.optim.Optimizer.__subclasses__()", "torch.optim.Optimizer.__subclasses__"),
    ("import torch\ntorch.__dict__['optim']", "torch.__dict__"),
    ("import torch\ntorch.optim.optimizer.__dict__", "torch.optim.optimizer.__dict__"),
    ("import torch\ngetattr(torch.optim.Optimizer, '__subclasses__')()",
     "torch.optim.Optimizer.__subclasses__"),
])
def test_introspection_from_near_a_ban_is_a_finding(source, name):
    assert name in banned_in(source)


@pytest.mark.parametrize("source, why", [
    ("import torch\ngetattr(torch, name)", "getattr with a computed name on torch"),
    ("def f(obj, name):\n    return getattr(obj, 'fast_' + name)", "getattr with a computed name"),
    ("import torch\nvars(torch)", "vars (dynamic access)"),
    ("globals()['x']", "globals (dynamic access)"),
    ("def f(self):\n    return self.__dict__", "__dict__ of an object the scan cannot name"),
    ("def f(x):\n    return type(x).__mro__", "__mro__ of an object the scan cannot name"),
    ("import sys\nsys.modules['torch']", "sys.modules (dynamic access)"),
    ("from sys import modules\nmodules['torch']", "sys.modules (dynamic access)"),
    ("import importlib\nimportlib.import_module(name)", "importlib.import_module (dynamic access)"),
    ("import importlib.util\nimportlib.util.spec_from_file_location('m', 'x.txt')",
     "importlib.util.spec_from_file_location (dynamic access)"),
    ("__import__(name)", "__import__ (dynamic access)"),
    ("exec(code)", "exec (dynamic access)"),
    ("eval('1 + 1')", "eval (dynamic access)"),
    ("compile(src, 'f', 'exec')", "compile (dynamic access)"),
    ("import pickle\npickle.loads(b'')", "pickle.loads (dynamic access)"),
])
def test_dynamic_access_the_scan_cannot_resolve_is_for_review(source, why):
    assert why in for_review(source) and banned_in(source) == set()


@pytest.mark.parametrize("source", [
    "import torch\nclass A(torch.optim.Optimizer):\n    pass",
    "from torch.optim import Optimizer\nfrom torch.optim.optimizer import Optimizer as O",
    "import torch.optim\nclass A(torch.optim.Optimizer):\n    pass",
    "import torch\ntorch._foreach_mul_([], 0.9)",
    "import torch.optim\nx = 1",
    "adam = 3\nAdam = adam",
    "import torch\ndef f(torch):\n    return torch.optim.Adam",  # a parameter shadows the module
    "import re\nre.compile('x')",  # not the builtin compile
    "def getattr(o, n):\n    return 1\ngetattr(x, name)",  # the student's own getattr
    "def f(self):\n    return getattr(self, 'lr')",
])
def test_the_scan_leaves_allowed_uses_alone(source):
    assert judged(source) == []


MAIN_BLOCK = ("import numpy as np\n\ndef double(x):\n    return 2 * x\n\n"
              "if __name__ == '__main__':\n    print(np.multiply(double(1), 1))\n")


def zeroing(toy, folder: Path, arrays: str) -> set[str]:
    (folder / "arrays.py").write_text(arrays)
    return {f.name for f in scan_submission(toy, folder) if not f.review}


def test_a_reference_in_a_main_block_that_never_runs_is_not_a_finding(toy, tmp_path):
    assert scan_submission(toy, tmp_path / "none") == []  # nothing there
    assert zeroing(toy, tmp_path, MAIN_BLOCK) == set()
    reversed_test = MAIN_BLOCK.replace("__name__ == '__main__'", "'__main__' == __name__")
    assert zeroing(toy, tmp_path, reversed_test) == set()


@pytest.mark.parametrize("trick", [
    "__name__ = '__main__'\n",
    "globals()['__name__'] = '__main__'\n",
    "import sys\nsetattr(sys.modules[__name__], '__name__', '__main__')\n",
])
def test_a_main_block_counts_when_the_submission_could_make_it_run(toy, tmp_path, trick):
    assert "numpy.multiply" in zeroing(toy, tmp_path, trick + MAIN_BLOCK)


def test_a_main_block_counts_when_another_module_could_make_it_run(toy, tmp_path):
    (tmp_path / "helpers.py").write_text("import importlib\nimport arrays\narrays.__name__ = '__main__'\n"
                                         "importlib.reload(arrays)\n")
    assert "numpy.multiply" in zeroing(toy, tmp_path, MAIN_BLOCK)


def test_code_beside_a_main_block_is_still_scanned(toy, tmp_path):
    assert "numpy.multiply" in zeroing(toy, tmp_path, MAIN_BLOCK + "else:\n    np.multiply(1, 2)\n")


@pytest.mark.parametrize("arrays", [
    "import numpy as np\n\ndef double(x: np.multiply) -> np.multiply:\n    return 2 * x\n",
    "import numpy as np\n\nscale: np.multiply | None = None\n",
    "import numpy as np\n\nclass Box:\n    kind: 'np.multiply'\n",
    "from __future__ import annotations\nimport numpy as np\n\ndef f(x: np.multiply(1, 2)):\n    return x\n",
])
def test_a_type_annotation_that_only_names_a_banned_api_is_not_a_finding(toy, tmp_path, arrays):
    assert zeroing(toy, tmp_path, arrays) == set()


@pytest.mark.parametrize("arrays", [
    "import numpy as np\n\ndef f(x: np.multiply(1, 2)):\n    return x\n",  # evaluated at def time
    "import numpy as np\n\ndef f(x: np.multiply):\n    return x\n\nf.__annotations__['x'](1, 2)\n",
    "import typing\nimport numpy as np\n\ndef f(x: np.multiply):\n    return x\n\n"
    "typing.get_type_hints(f)['x'](1, 2)\n",
])
def test_an_annotation_counts_when_it_runs_code_or_is_read_back(toy, tmp_path, arrays):
    assert "numpy.multiply" in zeroing(toy, tmp_path, arrays)


@pytest.mark.parametrize("source", [
    "def my_fused_step(p):\n    return p\n\nmy_fused_step(1)",
    "from helpers import _fused_step\n_fused_step(1)",
    "import helpers\nhelpers.my_fused_step(1)",
])
def test_a_students_own_fused_helper_is_not_a_fused_kernel(source):
    assert judged(source) == []


@pytest.mark.parametrize("pattern, name, expected", [
    ("torch._fused_*", "torch._fused_adam_", True),
    ("torch._fused_*", "helpers._fused_step", False),
    ("torch._fused_*", "torch.ops.aten._fused_adam_", False),
    ("torch.optim.*", "torch.optim", False),
    ("torch.optim.*", "torch.optim.adam.Adam", True),
    ("numpy.multiply", "numpy.multiply.reduce", True),
    ("numpy.multiply", "numpy.multiply_x", False),
    ("scipy.linalg.pinv*", "scipy.linalg.pinvh", True),
])
def test_patterns_match_along_the_module_path(pattern, name, expected):
    assert covers(pattern, name) is expected


def test_the_ps2_manifest_bans_fused_kernels_by_their_module_path():
    pset = load_problem_set(PS2)
    for problem in pset.problems:
        assert all(not b.startswith("*") for b in problem.banned)


def test_the_ps2_reference_has_no_finding_and_is_scanned_quickly():
    pset = load_problem_set(PS2)
    started = time.perf_counter()
    assert scan_submission(pset, pset.root) == []
    assert time.perf_counter() - started < 5


def test_a_file_too_deeply_nested_to_scan_zeroes_with_a_clear_message(tmp_path):
    """The child may raise its recursion limit and import what the scan cannot parse."""
    deep = "y = " + " + ".join(["a"] * 5000) + "\n"
    assert judged(deep) == [("", False, "nested too deeply to be scanned")]
    pset = load_problem_set(PS2)
    (tmp_path / "adaptive.py").write_text(deep)
    [finding] = [f for f in scan_submission(pset, tmp_path) if f.problem == "adaptive"]
    assert finding.message.startswith("adaptive.py could not be scanned for banned APIs")


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
    assert result.problems[1].score == 0
    assert {"helpers.py, line 1", "arrays.py, line 1"} <= {f["where"] for f in result.findings}


def test_the_runtime_tripwire_catches_a_name_built_at_run_time(grade_toy):
    sneaky = ("import numpy as np\n\ndef double(x):\n"
              "    return getattr(np, 'mul' + 'tiply')(x, 2)\n")
    result = grade_toy({"arrays.py": sneaky})
    assert result.problems[1].score == 0
    assert [(f["name"], f["how"], f["review"]) for f in result.findings] == [
        ("numpy", "static", True), ("numpy.multiply", "runtime", False)]  # the scan cannot name it


def test_a_finding_for_review_is_reported_and_leaves_the_score_alone(grade_toy):
    dynamic = ("import numpy as np\n\ndef double(x):\n"
               "    return getattr(np, 'asarray')(x) * vars(np)['float64'](2)\n")
    result = grade_toy({"arrays.py": dynamic})
    assert result.full_marks
    assert result.findings and all(f["review"] for f in result.findings)
    messages = [f["message"] for f in result.findings]
    assert any(m.startswith("for review: vars (dynamic access) at arrays.py, line 4") for m in messages)


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


def test_a_main_block_self_test_keeps_full_marks(grade_toy):
    result = grade_toy({"arrays.py": MAIN_BLOCK})
    assert result.full_marks and result.findings == []


def test_a_runtime_use_belongs_to_the_problems_whose_code_references_it():
    static = Finding("adaptive", "torch.optim.Adam", "adaptive.py, line 3", "static")
    ran = [Finding(problem, "torch.optim.Adam", "run time", "runtime") for problem in ("adaptive", "muon")]
    attributed = attribute_runtime([static, *ran])
    assert [(f.problem, f.how, f.review) for f in attributed] == [
        ("adaptive", "static", False), ("adaptive", "runtime", False), ("muon", "runtime", True)]
    assert "another problem" in attributed[2].message and "unchanged" in attributed[2].message


def test_a_runtime_use_no_scan_explains_counts_for_every_problem_that_bans_it():
    ran = [Finding(problem, "torch.optim.Adam", "run time", "runtime") for problem in ("adaptive", "muon")]
    assert attribute_runtime(ran) == ran
