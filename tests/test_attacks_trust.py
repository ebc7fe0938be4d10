"""Attacks on the trust split (tests/attacks/trust/): nothing that measures, counts or decides is in
the student's process, and nothing the grader does with student data is unbounded. Every attack gets
its honest score, the honest submission beside it full marks, and the grader finishes."""

from __future__ import annotations

import resource
import shutil
import tomllib
from pathlib import Path

import pytest

from autograder.grading.batch import grade_batch
from autograder.problemset import load_problem_set

ATTACKS = Path(__file__).resolve().parent / "attacks" / "trust"
PSET = Path(__file__).resolve().parent / "data" / "trust"
NAMES = sorted(p.name for p in ATTACKS.iterdir() if (p / "expected.toml").is_file())
MODULES = ("descent.py", "chain.py", "symbolic.py")


def _submission(name: str, into: Path) -> Path:
    folder = into / name
    folder.mkdir()
    for module in MODULES:
        source = ATTACKS / name / module if name != "honest" else None
        shutil.copyfile(source if source is not None and source.exists() else PSET / module,
                        folder / module)
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("trust")
    subs = [_submission(name, root) for name in [*NAMES, "honest"]]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = grade_batch(load_problem_set(PSET), subs, root / "results", jobs=1).results
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return {"results": {r.submission: r for r in results}, "grown_kib": grown}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_trust_attack_gets_its_honest_score(batch, name):
    expected = tomllib.loads((ATTACKS / name / "expected.toml").read_text())
    result = batch["results"][name]
    failing = [(t.name, t.status, t.output[:160]) for t in result.tests if t.status != "passed"]
    assert result.status == "graded" and not result.grader_errors, failing
    assert result.score == pytest.approx(expected["score"], abs=1e-4), failing
    outputs = "\n".join(t.output for t in result.tests)
    for text in expected.get("messages", []):
        assert text in outputs, f"no check output mentions {text!r}: {failing}"
    assert not any(t.review for t in result.tests)  # honest measurements, no accusations


@pytest.mark.slow
def test_the_honest_submission_beside_them_gets_full_marks(batch):
    result = batch["results"]["honest"]
    assert result.full_marks, [(t.name, t.status, t.output[:160]) for t in result.tests]


@pytest.mark.slow
def test_an_oversized_reply_never_costs_the_grader_its_size(batch):
    assert batch["grown_kib"] < 300 * 1024  # the 640 MB reply was refused from its length
