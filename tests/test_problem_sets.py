"""Invariants for every problem set in solutions/: reference = full marks, released stubs = zero,
assignments/ = what release writes, and each sample submission in examples/ scores what it promises.

New problem sets are picked up automatically; nothing here names one.
"""

from __future__ import annotations

import tomllib

import pytest

from autograder.grading.grade import grade_submission
from autograder.problemset import list_problem_sets, load_problem_set
from autograder.release.pipeline import release_drift

from .conftest import REPO

PSETS = list_problem_sets("solutions", REPO)


def _examples() -> list[tuple[str, str, dict]]:
    """Every examples/<pset>/<name>/expected.toml: the score that sample submission must get."""
    return [
        (pset_id, expected.parent.name, tomllib.loads(expected.read_text()))
        for pset_id in PSETS
        for expected in sorted((REPO / "examples" / pset_id).glob("*/expected.toml"))
    ]


@pytest.fixture(scope="module", params=[pytest.param(p, marks=pytest.mark.xdist_group(f"reference-{p}"))
                                        for p in PSETS])
def pset(request):
    """A problem set; its tests share one worker in the parallel run (the reference is graded once)."""
    return load_problem_set(REPO / "solutions" / request.param)


@pytest.fixture(scope="module")
def reference_result(pset):
    """The reference solution graded once per problem set (several invariants read it)."""
    return grade_submission(pset, pset.root)


def test_there_is_at_least_one_problem_set():
    assert "ps1_linalg" in PSETS


def test_the_released_tree_is_what_release_writes(pset):
    drift = release_drift(pset, REPO / "assignments" / pset.id)
    assert drift == [], f"run `autograder release {pset.id}` and commit assignments/: {drift}"


@pytest.mark.slow
def test_the_reference_solution_gets_full_marks(reference_result):
    result = reference_result
    failing = [(t.name, t.status, t.output) for t in result.tests if t.status != "passed"]
    assert result.full_marks and not failing and not result.grader_errors, failing


@pytest.mark.slow
def test_the_released_stubs_get_zero(pset):
    result = grade_submission(pset, REPO / "assignments" / pset.id)
    passing = [t.name for t in result.tests if t.score > 0]
    assert result.score == 0 and not passing and not result.grader_errors, passing


@pytest.mark.slow
def test_every_problem_has_public_and_hidden_checks(pset, reference_result):
    for problem in pset.problems:
        visibilities = {t.visibility for t in reference_result.tests if t.problem == problem.id}
        assert "visible" in visibilities and visibilities - {"visible"}, problem.id


@pytest.mark.slow
def test_every_declared_timing_check_runs_and_says_where(pset, reference_result):
    timed = {t.nodeid.rpartition("[")[2].rstrip("]"): t for t in reference_result.tests
             if "::test_timing[" in t.nodeid}
    assert sorted(timed) == sorted(entry.id for entry in pset.timing)
    for entry in pset.timing:
        check = timed[entry.id]
        assert check.problem == entry.problem and check.visibility == "hidden" and check.max_score > 0
        assert check.status == "passed" and check.output.startswith("timed on cpu"), check.output


def test_every_sample_submission_states_its_expected_score():
    folders = [p for pset_id in PSETS for p in (REPO / "examples" / pset_id).glob("*/") if p.is_dir()]
    assert folders and all((p / "expected.toml").is_file() for p in folders)


@pytest.mark.slow
@pytest.mark.independent
@pytest.mark.parametrize("pset_id, name, spec", _examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_sample_submission_scores_what_its_name_promises(pset_id, name, spec):
    pset = load_problem_set(REPO / "solutions" / pset_id)
    result = grade_submission(pset, REPO / "examples" / pset_id / name)
    assert not result.grader_errors
    assert result.score == pytest.approx(spec["score"]), [(t.name, t.status, t.output)
                                                          for t in result.tests if t.status != "passed"]
    for problem_id, score in spec.get("problems", {}).items():
        got = next(p.score for p in result.problems if p.id == problem_id)
        assert got == pytest.approx(score), problem_id
    statuses = {t.status for t in result.tests}
    assert set(spec.get("statuses", [])) <= statuses, statuses
    outputs = "\n".join(t.output for t in result.tests)
    for text in spec.get("messages", []):
        assert text in outputs, f"no check output mentions {text!r}"
    if "review" in spec:  # checks flagged for an instructor (e.g. implausible timings)
        assert sum(t.review for t in result.tests) == spec["review"], outputs
