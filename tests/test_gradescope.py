"""The Gradescope bundle: its contents, and setup.sh and run_autograder run in a temporary root laid
out like Gradescope's (/autograder/source, submission, results) on a correct, a wrong and a
malicious submission. Every results.json is validated against Gradescope's documented format."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import autograder
from autograder.cli import main
from autograder.export.gradescope import to_gradescope
from autograder.grading.grade import grade_submission
from autograder.problemset import MANIFEST, load_problem_set
from autograder.release.pipeline import render_release

from .conftest import TOY_COURSE

SOLUTIONS = TOY_COURSE / "solutions" / "toy"
_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
# Gradescope's results.json, from their "Autograder Specifications" (output format, test case
# visibility and status, output string formatting, leaderboards). Only documented keys are allowed,
# so an undocumented key we might emit fails here rather than on Gradescope.
GRADESCOPE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": _FORMAT,
        "test_output_format": _FORMAT,
        "test_name_format": _FORMAT,
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"},
                "name_format": _FORMAT,
                "number": {"type": "string"},
                "output": {"type": "string"},
                "output_format": _FORMAT,
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": _VISIBILITY,
                "extra_data": {"type": "object"},
            },
        }},
        "leaderboard": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "value"],
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}},
        }},
    },
    # "score: optional, but required if not on each test case"
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}}],
}
WRONG_ADD = '"""Arithmetic."""\nANSWER = 42\n\n\ndef add(a, b):\n    return a - b\n\n\n' \
            'def safe_div(a, b):\n    return a / b\n'
# Reads the hidden checks from the bundle folder (if it can: ANSWER = 42, one point more) and tries
# to forge results.json and leave a marker beside it. Otherwise correct: it must score exactly 9/10.
MALICIOUS = '''"""Attack on the Gradescope bundle."""
import os

ROOT = {root!r}
HIDDEN = os.path.join(ROOT, "source", "course", "solutions", "toy", "checks", "hidden", "test_arith.py")


def _leaked():
    try:
        with open(HIDDEN) as f:
            return "def test_" in f.read()
    except OSError:
        return False


def _forge():
    for name, text in (("results.json", '{{"score": 999, "tests": []}}'), ("forged", "x")):
        try:
            with open(os.path.join(ROOT, "results", name), "w") as f:
                f.write(text)
        except OSError:
            pass


_forge()
ANSWER = 42 if _leaked() else None


def add(a, b):
    _forge()
    return a + b


def safe_div(a, b):
    return a / b
'''


def validate(data: dict) -> dict:
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    return data


def build(out: Path, *extra: str, course: Path = TOY_COURSE):
    return CliRunner().invoke(main, ["--course", str(course), "gradescope", "build", "toy", "-o", str(out),
                                     *extra], catch_exceptions=False)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    run = build(out)
    assert run.exit_code == 0, run.output
    return out


@pytest.fixture
def gradescope_root(bundle):
    """A root laid out like Gradescope's /autograder, world-traversable (as /autograder is) so that
    file permissions, not a private temporary folder, are what keeps other uids out."""
    root = Path(tempfile.mkdtemp(prefix="gradescope-", dir="/tmp"))
    root.chmod(0o755)
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            target = root / "source" / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            target.chmod((info.external_attr >> 16) & 0o777)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    yield root
    shutil.rmtree(root, ignore_errors=True)


def run_autograder(root: Path) -> tuple[subprocess.CompletedProcess, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_GRADESCOPE_ROOT=str(root), AUTOGRADER_GRADESCOPE_PYTHON=sys.executable)
    process = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, text=True,
                             capture_output=True, timeout=300)
    results = root / "results" / "results.json"
    return process, validate(json.loads(results.read_text())) if results.exists() else {}


def submit(root: Path, **files: str) -> None:
    for name in ("arith.py", "arrays.py"):
        shutil.copyfile(SOLUTIONS / name, root / "submission" / name)
    for name, text in files.items():
        (root / "submission" / f"{name}.py").write_text(text)


# ---------------------------------------------------------------------------- the bundle


def test_the_bundle_holds_the_scripts_the_pinned_requirements_the_engine_and_the_problem_set(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        requirements = archive.read("requirements.txt").decode().splitlines()
        manifest = archive.read(f"course/assignments/toy/{MANIFEST}")
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in requirements
    pins = dict(line.split("==") for line in requirements if "==" in line)
    for package in ("numpy", "sympy", "pytest", "click", "rich", "jinja2"):
        assert pins[package] == metadata.version(package)
    assert pins["torch"] == metadata.version("torch").split("+")[0] + "+cpu"
    assert {f"course/solutions/toy/{p.relative_to(SOLUTIONS).as_posix()}" for p in SOLUTIONS.rglob("*")
            if p.is_file() and p.name != "statement.md"} <= names  # hidden checks, reference
    assert "course/solutions/toy/statement.md" not in names  # grading never reads it
    assert manifest == render_release(load_problem_set(SOLUTIONS))[MANIFEST]
    assert not [n for n in names if n.startswith("course/assignments/") and not n.endswith(MANIFEST)]
    engine = Path(autograder.__file__).parent
    assert {f"engine/autograder/{p.relative_to(engine).as_posix()}" for p in engine.rglob("*.py")
            if "__pycache__" not in p.parts} <= names
    assert {"engine/pyproject.toml", "engine/autograder/gradescope/templates/run_autograder"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_bundle_leaves_out_model_answers_and_the_statement_sources(tmp_path):
    """nbgrader.toml holds the model answers of written questions, and the statement (with what it
    includes) only makes the release: neither goes to Gradescope; what grading reads does."""
    course = tmp_path / "course"
    shutil.copytree(TOY_COURSE, course, ignore=shutil.ignore_patterns("__pycache__"))
    root = course / "solutions" / "toy"
    (root / "nbgrader.toml").write_text('[[written]]\nproblem = "arith"\nid = "why"\npoints = 1\n'
                                        'prompt = "Why 42?"\nanswer = "MODEL ANSWER 7c1f"\n')
    (root / "statement").mkdir()
    (root / "statement" / "arith.md").write_text("Add two numbers.\n")
    (root / "statement.md").write_text((root / "statement.md").read_text()
                                       + '\n{% include "statement/arith.md" %}\n')
    released = CliRunner().invoke(main, ["--course", str(course), "release", "toy"], catch_exceptions=False)
    assert released.exit_code == 0, released.output
    assert build(tmp_path / "autograder.zip", course=course).exit_code == 0
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        names = set(archive.namelist())
        everything = b"".join(archive.read(n) for n in names)
    solutions = {n.removeprefix("course/solutions/toy/") for n in names if n.startswith("course/solutions/")}
    assert not {"nbgrader.toml", "statement.md", "statement/arith.md"} & solutions
    assert b"MODEL ANSWER 7c1f" not in everything
    assert {"problemset.toml", "arith.py", "arrays.py", "checks/hidden/test_arith.py",
            "checks/public/test_arith.py"} <= solutions


def test_the_same_course_builds_the_same_bundle_byte_for_byte(bundle, tmp_path):
    assert build(tmp_path / "again.zip").exit_code == 0
    assert (tmp_path / "again.zip").read_bytes() == bundle.read_bytes()


def test_a_drifted_release_is_refused(tmp_path):
    shutil.copytree(TOY_COURSE, tmp_path / "course")
    (tmp_path / "course" / "assignments" / "toy" / "arith.py").write_text("# edited\n")
    run = build(tmp_path / "autograder.zip", course=tmp_path / "course")
    assert run.exit_code == 2 and "autograder release toy" in run.stderr
    assert not (tmp_path / "autograder.zip").exists()


def test_setup_in_dry_mode_prints_its_installs_and_changes_nothing(gradescope_root):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_GRADESCOPE_ROOT=str(gradescope_root), AUTOGRADER_SETUP_DRY="1")
    before = sorted(p for p in gradescope_root.rglob("*"))
    process = subprocess.run(["bash", str(gradescope_root / "source" / "setup.sh")], env=env, text=True,
                             capture_output=True, timeout=300)
    assert process.returncode == 0, process.stderr
    commands = process.stdout.splitlines()
    assert any("apt-get install" in c and "bubblewrap" in c for c in commands)
    venv, source = gradescope_root / "venv", gradescope_root / "source"
    assert f"+ {venv}/bin/python -m pip install --quiet -r {source}/requirements.txt" in commands
    assert f"+ {venv}/bin/python -m pip install --quiet --no-deps {source}/engine" in commands
    assert commands[-2].startswith(f"+ {venv}/bin/python -I -m autograder.gradescope.run --self-test")
    assert commands[-1] == f"+ chmod -R go-rwx {source}"
    assert sorted(p for p in gradescope_root.rglob("*")) == before


def self_test(root: Path) -> subprocess.CompletedProcess:
    source = root / "source"
    return subprocess.run([sys.executable, "-I", "-m", "autograder.gradescope.run", "--self-test",
                           "--config", str(source / "gradescope.json"), "--course", str(source / "course")],
                          text=True, capture_output=True, timeout=300)


def test_the_setup_self_test_passes_when_the_reference_scores_full_marks_here(gradescope_root):
    process = self_test(gradescope_root)
    assert process.returncode == 0, process.stdout + process.stderr
    assert "the reference scores 10/10" in process.stdout


def test_the_setup_self_test_fails_the_image_when_the_reference_does_not(gradescope_root):
    arrays = gradescope_root / "source/course/solutions/toy/arrays.py"
    arrays.write_text(arrays.read_text().replace("return 2 * x", "return 3 * x"))
    process = self_test(gradescope_root)
    assert process.returncode == 1
    assert "the reference scores 6/10" in process.stdout and "self-test failed" in process.stdout


# ---------------------------------------------------------------------------- run_autograder


def test_a_correct_submission_scores_full_marks_in_gradescopes_format(gradescope_root):
    submit(gradescope_root)
    process, results = run_autograder(gradescope_root)
    assert process.returncode == 0, process.stdout + process.stderr
    assert results["score"] == 10 and results["extra_data"]["max_score"] == 10
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert sum(t["max_score"] for t in results["tests"]) == 10
    assert results["stdout_visibility"] == "hidden"
    assert "sandbox layers:" in process.stdout  # for the instructor, in Gradescope's stdout


def test_a_wrong_submission_gets_failed_tests_with_their_messages(gradescope_root):
    submit(gradescope_root, arith=WRONG_ADD)
    process, results = run_autograder(gradescope_root)
    assert process.returncode == 0, process.stdout + process.stderr
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and 0 < results["score"] < 10
    assert any("add(2, 3) returned -1" in t.get("output", "") for t in failed)
    assert results["score"] == sum(t["score"] for t in results["tests"])


def test_a_malicious_submission_can_neither_read_the_hidden_checks_nor_write_the_results(gradescope_root):
    submit(gradescope_root, arith=MALICIOUS.format(root=str(gradescope_root)))
    process, results = run_autograder(gradescope_root)
    assert process.returncode == 0, process.stdout + process.stderr
    assert results["score"] == 9  # ANSWER stayed None: the hidden checks were out of reach
    assert not (gradescope_root / "results" / "forged").exists()
    assert stat.S_IMODE((gradescope_root / "source").stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_run_autograder_locks_the_bundle_against_other_uids_even_without_bubblewrap(gradescope_root):
    hidden = gradescope_root / "source/course/solutions/toy/checks/hidden/test_arith.py"

    def readable_by_nobody() -> bool:
        return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat",
                               str(hidden)], capture_output=True).returncode == 0

    assert readable_by_nobody()  # the zip as unpacked: world-readable, as on Gradescope
    submit(gradescope_root)
    run_autograder(gradescope_root)
    assert not readable_by_nobody()


# ---------------------------------------------------------------------------- the mapping


@pytest.fixture(scope="module")
def mixed(toy, tmp_path_factory):
    """A real result with passed, failed and error checks: ANSWER is wrong, add raises."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copyfile(SOLUTIONS / "arrays.py", folder / "arrays.py")
    (folder / "arith.py").write_text(WRONG_ADD.replace("ANSWER = 42", "ANSWER = 41")
                                     .replace("return a - b", "raise ValueError('no')"))
    return grade_submission(toy, folder)


def in_problem_order(result) -> list:
    """The result's checks, problem by problem (the problem set's order), each problem's as they ran."""
    order = [p.id for p in result.problems]
    return sorted(result.tests, key=lambda t: order.index(t.problem))


def test_tests_come_problem_by_problem_numbered_in_order(mixed):
    data = validate(to_gradescope(mixed))
    assert [t.problem for t in mixed.tests] != [t.problem for t in in_problem_order(mixed)]  # interleaved
    assert [t["extra_data"]["problem"] for t in data["tests"]] == [t.problem for t in in_problem_order(mixed)]
    assert [t["number"] for t in data["tests"]] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2"]
    assert [t["name"] for t in data["tests"]][0].startswith("Arithmetic: ")


def test_statuses_map_to_passed_or_failed_and_errors_say_so(mixed):
    data = validate(to_gradescope(mixed))
    by_status = {}
    for ours, theirs in zip(in_problem_order(mixed), data["tests"], strict=True):
        by_status.setdefault(ours.status, set()).add(theirs["status"])
        assert theirs["extra_data"]["status"] == ours.status
        assert (theirs["score"], theirs["max_score"]) == (ours.score, ours.max_score)
    assert by_status["passed"] == {"passed"} and by_status["failed"] == {"failed"}
    assert by_status["error"] == {"failed"}
    errors = [t for t in data["tests"] if t["extra_data"]["status"] == "error"]
    assert all(t["output"].startswith("Error: ") for t in errors)
    assert [t["number"] for t in data["tests"]][:2] == ["1.1", "1.2"]


def test_hidden_checks_follow_the_chosen_visibility_and_after_due_date_is_kept(mixed):
    data = mixed.to_json()
    data["tests"][0]["visibility"] = "after_due_date"
    result = type(mixed).from_json(data)
    default = validate(to_gradescope(result))
    held = validate(to_gradescope(result, hidden_visibility="after_published", visibility="after_due_date"))
    for ours, shown, later in zip(in_problem_order(result), default["tests"], held["tests"], strict=True):
        if ours.visibility == "hidden":
            assert (shown["visibility"], later["visibility"]) == ("visible", "after_published")
            assert shown["name"].endswith("(hidden check)")
        else:
            assert shown["visibility"] == later["visibility"] == ours.visibility
    assert held["visibility"] == "after_due_date" and "visibility" not in default


def test_the_leaderboard_and_a_submission_that_could_not_be_read(toy, tmp_path, mixed):
    board = validate(to_gradescope(mixed, leaderboard=True))["leaderboard"]
    assert [(e["name"], e["order"]) for e in board] == [("Score", "desc"), ("Grading time (s)", "asc")]
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    unread = validate(to_gradescope(grade_submission(toy, broken)))
    assert unread["score"] == 0 and unread["tests"] == [] and unread["output"].startswith("Not graded:")
    with pytest.raises(ValueError):
        to_gradescope(mixed, hidden_visibility="sometimes")
