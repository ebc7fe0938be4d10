"""Similarity (`autograder similarity PSET SUBMISSIONS`): a renamed and reformatted copy is found,
independent correct solutions rank below it, starter code is no evidence, the same files give the
same report in every run, and the command writes its report without touching any score."""

from __future__ import annotations

import ast
import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.problemset import load_problem_set
from autograder.similarity.compare import find_similar, starter_files
from autograder.similarity.fingerprint import kgram_hashes, normalised_tokens, winnow

from .conftest import REPO

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
PS1 = "ps1_linalg"
MODULES = ("matrix_chain", "svd_norms", "trace", "rates", "lora")
# Correct solutions written independently of the reference (each folder holds some of the modules).
ALTERNATIVES = ("correct", "svd_correct_alt", "rates_correct_alt")


class _Rename(ast.NodeTransformer):
    """Every parameter and every assigned name gets another name, consistently."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _new(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}_{name[::-1]}")

    def visit_arg(self, node):
        node.arg = self._new(node.arg)
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store) or node.id in self.names:
            node.id = self._new(node.id)
        return node


def disguise(source: str) -> str:
    """Renamed and reformatted: ast.unparse drops comments and rewrites every line's layout."""
    tree = ast.parse(source)
    renamer = _Rename()
    renamer.visit(tree)
    renamer.visit(tree)  # the uses that came before their assignment
    return ast.unparse(tree)


@pytest.fixture(scope="module")
def released():
    return load_problem_set(REPO / "assignments" / PS1)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("similarity")
    reference, copy, alternative = (root / n for n in ("reference", "copy", "alternative"))
    for folder in (reference, copy, alternative, root / "stub_a", root / "stub_b"):
        folder.mkdir()
    for module in MODULES:
        text = (REPO / "solutions" / PS1 / f"{module}.py").read_text()
        (reference / f"{module}.py").write_text(text)
        (copy / f"{module}.py").write_text(disguise(text))
        for stub in ("stub_a", "stub_b"):
            shutil.copyfile(REPO / "assignments" / PS1 / f"{module}.py", root / stub / f"{module}.py")
    for example in ALTERNATIVES:
        for path in (REPO / "examples" / PS1 / example).glob("*.py"):
            shutil.copyfile(path, alternative / path.name)
    assert {p.stem for p in alternative.glob("*.py")} == set(MODULES)
    return root


def test_normalised_tokens_ignore_names_literals_comments_and_layout():
    one = "def f(x, y):\n    # add\n    return x + 2 * y  # twice\n"
    two = "def g( a,\n       b ): return (a\n  + 7*b)\n"
    assert normalised_tokens(one).text != normalised_tokens(two).text  # the brackets differ
    three = "def total(first, second):\n\n    return first + 10 * second\n"
    assert normalised_tokens(one).text == normalised_tokens(three).text
    assert normalised_tokens(one).text[:4] == ("def", "N", "(", "N")


def test_hashes_are_the_same_in_every_process():
    """Python's own hash() of a string changes per process; the fingerprints must not."""
    code = ("import numpy as np\nfrom autograder.similarity.fingerprint import kgram_hashes, "
            "normalised_tokens\nprint(int(kgram_hashes(normalised_tokens(open('{}').read()))[:50]"
            ".sum(dtype=np.uint64)))").format(REPO / "solutions" / PS1 / "rates.py")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
            for seed in ("1", "2")}
    assert len(seen) == 1


def test_winnowing_picks_the_rightmost_minimum_of_every_window():
    import numpy as np

    hashes = np.array([5, 3, 9, 3, 8, 7, 1, 6], dtype=np.uint64)
    # windows 5 3 9 | 3 9 3 (the rightmost 3) | 9 3 8 | 3 8 7 | 8 7 1 | 7 1 6 -> positions 1, 3, 6
    assert winnow(hashes, 3).tolist() == [1, 3, 6]
    assert len(kgram_hashes(normalised_tokens("x = 1\n"), 12)) == 0  # shorter than one k-gram


def test_a_renamed_and_reformatted_copy_is_found_in_every_module(released, submissions):
    report = find_similar(released, sorted(submissions.iterdir()), starter=starter_files(released))
    copies = {p.module: p for p in report.pairs if (p.a, p.b) == ("copy", "reference")}
    assert set(copies) == set(MODULES)
    assert min(p.similarity for p in copies.values()) > 0.75
    assert report.pairs[:5] == sorted(copies.values(), key=lambda p: -p.similarity)


def test_independent_correct_solutions_rank_below_the_copy(released, submissions):
    report = find_similar(released, sorted(submissions.iterdir()), starter=starter_files(released),
                          min_similarity=0.0)
    for module in MODULES:
        mine = [p for p in report.pairs if p.module == module]
        copy = next(p for p in mine if (p.a, p.b) == ("copy", "reference"))
        others = [p for p in mine if "alternative" in (p.a, p.b)]
        assert max((p.similarity for p in others), default=0.0) < copy.similarity - 0.4, module
    assert any("alternative" in (p.a, p.b) for p in report.pairs)  # some of their code is alike


def test_starter_code_is_not_evidence(released, submissions):
    sources = [submissions / "stub_a", submissions / "stub_b", submissions / "reference"]
    subtracted = find_similar(released, sources, starter=starter_files(released), min_similarity=0.0)
    assert subtracted.pairs == [] and subtracted.files[("stub_a", "rates")].own == 0
    kept = find_similar(released, sources, starter=(), min_similarity=0.0)  # without the subtraction
    assert {(p.a, p.b) for p in kept.pairs if p.similarity == 1.0} == {("stub_a", "stub_b")}


def test_matching_regions_point_at_the_same_code_in_both_files(released, submissions):
    report = find_similar(released, [submissions / "reference", submissions / "copy"],
                          starter=starter_files(released))
    pair = next(p for p in report.pairs if p.module == "matrix_chain")
    assert (pair.a, pair.b) == ("copy", "reference")
    copy, reference = (normalised_tokens((submissions / name / "matrix_chain.py").read_text())
                       for name in ("copy", "reference"))
    for f in pair.fragments:
        assert copy.text[slice(*f.a_tokens)] == reference.text[slice(*f.b_tokens)]
        assert f.a_lines == (copy.first_line[f.a_tokens[0]], copy.last_line[f.a_tokens[1] - 1])
        assert f.b_lines == (reference.first_line[f.b_tokens[0]], reference.last_line[f.b_tokens[1] - 1])
    longest = max(pair.fragments, key=lambda f: f.length)
    assert longest.length == pair.longest > 100  # the DP loop, whole, on both sides


def similarity(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", "similarity", *map(str, args)], cwd=cwd,
                          text=True, capture_output=True, timeout=300, env={**os.environ, **(env or {})})


def test_the_command_writes_html_and_csv_and_changes_no_score(submissions, tmp_path):
    out = tmp_path / "results"
    (out / "reference").mkdir(parents=True)
    score = out / "reference" / "results.json"
    score.write_text('{"score": 7}')
    runs = [similarity(PS1, *sorted(submissions.iterdir()), "-o", out, cwd=REPO,
                       env={"PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert "5 pairs at or above 30% among 5 submissions" in runs[0].stdout
    assert sorted(p.name for p in out.iterdir()) == ["reference", "similarity.csv", "similarity.html"]
    assert score.read_text() == '{"score": 7}'
    rows = list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text())))
    assert {(r["submission_a"], r["submission_b"]) for r in rows} == {("copy", "reference")}
    assert runs[0].stdout == runs[1].stdout  # the same report whatever the process's hash seed


@pytest.mark.parametrize("case", ["unknown problem set", "one readable submission"])
def test_bad_input_gets_one_line_and_nothing_is_written(submissions, tmp_path, case):
    args = ("ps9", submissions / "copy", submissions / "reference") if case.startswith("unknown") else \
        (PS1, submissions / "copy", tmp_path / "missing")
    run = similarity(*args, "-o", tmp_path / "out", cwd=REPO)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in run.stderr
    assert ("assignments/ holds" if case.startswith("unknown") else "needs at least two") in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_side_by_side_page_renders_in_a_real_browser(released, submissions, tmp_path):
    assert BROWSER, "make setup installs chromium for this test"
    from autograder.similarity.html import similarity_files

    report = find_similar(released, sorted(submissions.iterdir()), starter=starter_files(released))
    page = similarity_files(report)["similarity.html"]
    probe = ("<script>window.addEventListener('load', () => { const n = s => document.querySelectorAll(s)"
             ".length; const first = document.querySelector('#pair-1 h2').textContent; const regions = "
             "[...document.querySelectorAll('#pair-1 .file')].map(f => new Set([...f.querySelectorAll("
             "'tr[data-region]')].map(r => r.dataset.region)).size); document.title = `${n('tr.pair')} "
             "pairs, ${n('section.compare')} sides, regions ${regions.join('/')}, ${first}`; });</script>")
    copy = tmp_path / "similarity.html"
    copy.write_text(page.replace("</body>", probe + "</body>"))
    run = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                          "--no-first-run", "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=5000", "--dump-dom", copy.as_uri()],
                         capture_output=True, text=True, timeout=120)
    title = run.stdout.split("<title>")[1].split("</title>")[0]
    top = report.pairs[0]
    count = len(top.fragments)
    assert title == (f"5 pairs, 5 sides, regions {count}/{count}, 1. {top.module}: copy · reference — "
                     f"{100 * top.similarity:.0f}%"), title
