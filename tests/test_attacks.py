"""The attack corpus (tests/attacks/): every attack gets its honest score, and the grader, the other
submissions of the batch and the results files come through untouched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.context import check_seed
from autograder.grading.batch import grade_batch
from autograder.grading.grade import grade_submission
from autograder.problemset import load_problem_set
from autograder.sandbox.confine import host_confinement

from .conftest import TOY_COURSE, processes_with

ATTACKS = Path(__file__).resolve().parent / "attacks"
NAMES = sorted(p.name for p in ATTACKS.iterdir() if (p / "expected.toml").is_file())
# Each call's limit here. The toy's own 2 s is met by honest code on an idle machine only: on a
# loaded one (a fresh clone's cold disk, other processes on every core) an honest import of the
# toy's modules, or read_other_files's walk of the disk that it must finish to get its honest
# score, took longer. Generous for honest code; what must be stopped (the fork bomb's
# calls) still is, at this limit.
CALL_TIMEOUT = 10


def generous_course(into: Path) -> Path:
    """A copy of the toy course whose calls may take ``CALL_TIMEOUT`` seconds."""
    course = into / "course"
    shutil.copytree(TOY_COURSE, course, ignore=shutil.ignore_patterns("__pycache__"))
    for manifest in course.glob("*/toy/problemset.toml"):
        text = manifest.read_text()
        assert "call_timeout = 2\n" in text
        manifest.write_text(text.replace("call_timeout = 2\n", f"call_timeout = {CALL_TIMEOUT}\n"))
    return course


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return generous_course(tmp_path_factory.mktemp("generous"))


@pytest.fixture(scope="module")
def toy(course):
    """The toy problem set with ``CALL_TIMEOUT`` (this module's tests use no other)."""
    pset = load_problem_set(course / "solutions" / "toy")
    assert pset.call_timeout == CALL_TIMEOUT
    return pset


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def _submission(name: str, into: Path, *, attack: bool = True) -> Path:
    """The attack's files, with the modules it does not hold taken from the toy reference (all of
    them for ``attack=False``: an honest submission)."""
    folder = into / name
    if attack:
        shutil.copytree(ATTACKS / name, folder, ignore=shutil.ignore_patterns("expected.toml"))
    else:
        folder.mkdir()
    for module in ("arith.py", "arrays.py"):
        if not (folder / module).exists():
            shutil.copyfile(TOY_COURSE / "solutions" / "toy" / module, folder / module)
    return folder


def test_the_corpus_runs_with_every_sandbox_layer():
    """The corpus proves the full sandbox; `make setup` installs bubblewrap for it."""
    assert {"bubblewrap", "no-network", "dedicated-uid"} <= set(host_confinement().layers)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, toy):
    """Every attack and one honest submission, graded in one batch like on grading day."""
    root = tmp_path_factory.mktemp("batch")
    subs = [_submission(name, root) for name in NAMES]
    honest = root / "honest"
    honest.mkdir()
    for module in ("arith.py", "arrays.py"):
        shutil.copyfile(TOY_COURSE / "solutions" / "toy" / module, honest / module)
    before = _fingerprint(toy.root)
    out = root / "results"
    results = grade_batch(toy, [*subs, honest], out).results
    return {"results": {r.submission: r for r in results}, "out": out, "before": before,
            "root": root}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_attack_gets_its_honest_score(batch, name):
    expected = tomllib.loads((ATTACKS / name / "expected.toml").read_text())
    result = batch["results"][name]
    failing = [(t.name, t.status, t.output[:120]) for t in result.tests if t.status != "passed"]
    assert result.score == pytest.approx(expected["score"]), failing
    assert not result.grader_errors
    statuses = {t.status for t in result.tests}
    assert set(expected.get("statuses", [])) <= statuses
    outputs = "\n".join(t.output for t in result.tests)
    for text in expected.get("messages", []):
        assert text in outputs, f"no check output mentions {text!r}"
    everything = json.dumps(result.to_json(), ensure_ascii=False)
    for text in expected.get("absent", []):  # what a hidden input carried out would look like
        assert text not in everything, f"the result repeats {text!r}"


@pytest.mark.slow
def test_the_honest_submission_in_the_same_batch_keeps_full_marks(batch):
    assert batch["results"]["honest"].full_marks


@pytest.mark.slow
def test_results_files_hold_what_the_grader_wrote(batch):
    for name, result in batch["results"].items():
        written = json.loads((batch["out"] / name / "results.json").read_text())
        assert written["score"] == result.score and written["score"] != 999
    forged = [p for p in batch["root"].rglob("results.json")
              if json.loads(p.read_text()).get("score") == 999]
    assert forged == []


@pytest.mark.slow
def test_the_hidden_checks_and_reference_are_untouched(batch, toy):
    assert _fingerprint(toy.root) == batch["before"]


@pytest.mark.slow
def test_no_process_outlives_its_grading(batch):
    assert processes_with("autograder-attack-busy-threads") == []


def test_a_zip_with_an_escaping_path_is_refused(toy, tmp_path):
    archive = tmp_path / "slip.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("arith.py", "ANSWER = 42\n")
        z.writestr("../../../../tmp/autograder-zip-slip.py", "pwned = True\n")
    result = grade_submission(toy, archive)
    assert result.status == "not_graded" and "unsafe path" in result.output
    assert not Path("/tmp/autograder-zip-slip.py").exists()


def test_a_zip_with_a_symlink_to_etc_passwd_gets_no_link(toy, tmp_path):
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for module in ("arith.py", "arrays.py"):
            z.write(TOY_COURSE / "solutions" / "toy" / module, module)
        link = zipfile.ZipInfo("passwd")
        link.external_attr = (0o120777 << 16)
        z.writestr(link, "/etc/passwd")
    result = grade_submission(toy, archive)
    assert result.full_marks  # graded normally; the link was neither created nor followed


def test_a_folder_with_a_symlink_out_of_it_is_graded_without_it(toy, tmp_path):
    folder = _submission("read_other_files", tmp_path)
    (folder / "secret").symlink_to(TOY_COURSE / "solutions" / "toy" / "checks")
    assert grade_submission(toy, folder).score == 9


def test_non_utf8_file_names_do_not_break_grading(toy, tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    for module in ("arith.py", "arrays.py"):
        shutil.copyfile(TOY_COURSE / "solutions" / "toy" / module, folder / module)
    (folder / os.fsdecode(b"notes-\xff\xfe.txt")).write_text("hello")
    assert grade_submission(toy, folder).full_marks


def test_a_2_gb_file_is_refused_with_a_clear_message(toy, tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "data.bin", "wb") as f:
        f.truncate(2 << 30)  # sparse: 2 GB on paper, nothing on disk
    result = grade_submission(toy, folder)
    assert result.status == "not_graded" and "too large" in result.output


# ---------------------------------------------------------------------------- no leaks

_RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_escape_sequences_reach_no_terminal_and_no_report_raw(course, tmp_path):
    """The real CLI grades a submission whose name, messages, type and file names hold escape
    sequences and bidi overrides: what it prints and the reports it writes show them escaped."""
    folder = _submission("escape_sequences", tmp_path)
    folder = folder.rename(tmp_path / "sub\x1b[31m\u202eevil")
    run = subprocess.run([sys.executable, "-m", "autograder", "--course", str(course), "grade", "toy",
                          str(folder), "--details", "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "300"})
    assert run.returncode == 0, run.stderr
    assert "\\x1b[2J" in run.stdout and "\\u202e" in run.stdout  # the text is there, escaped
    assert not _RAW_CONTROLS.search(run.stdout + run.stderr)
    [report] = (tmp_path / "out").iterdir()
    for name in ("feedback.md", "feedback.html"):
        text = (report / name).read_text()
        assert "\\x1b[2J" in text and not _RAW_CONTROLS.search(text), name


DRAWS = '''
import pytest

pytestmark = pytest.mark.problem("arith")


def test_draw(student, rng, feedback):
    """add: a number drawn from rng, reported in the check's output"""
    drawn = int(rng.integers(1 << 62))
    feedback.note(f"drew {drawn}")
    assert student.arith.add(drawn, 0) == drawn
'''


def test_hidden_inputs_depend_on_the_submission_and_public_ones_do_not(course, tmp_path):
    """Regrading the same files draws the same hidden inputs; other files draw others; the public
    checks' inputs are the same for everyone (the seed plain pytest uses)."""
    root = tmp_path / "toy"
    shutil.copytree(course / "solutions" / "toy", root)
    for folder in ("public", "hidden"):
        (root / "checks" / folder / "test_draw.py").write_text(DRAWS)
    pset = load_problem_set(root)
    first = _submission("honest_a", tmp_path, attack=False)
    second = _submission("honest_b", tmp_path, attack=False)
    (second / "arith.py").write_text((second / "arith.py").read_text() + "# another submission\n")

    def draws(folder: Path) -> dict[str, str]:
        result = grade_submission(pset, folder)
        assert result.full_marks
        return {t.nodeid.split("/")[1]: t.output for t in result.tests if "test_draw" in t.nodeid}

    a, a_again, b = draws(first), draws(first), draws(second)
    assert a == a_again
    assert a["hidden"] != b["hidden"] and a["hidden"].startswith("drew ")
    public = np.random.default_rng(check_seed("", "checks/public/test_draw.py::test_draw"))
    assert a["public"] == b["public"] == f"drew {int(public.integers(1 << 62))}"
