"""Release: solution regions become stubs, public checks ship, hidden checks and answers never do."""

import pytest

from autograder.release.pipeline import release_drift, render_release, write_release
from autograder.release.solution_markers import MarkerError, Region, solution_regions, strip_solutions

REFERENCE = '''"""Docstring kept."""

import math

# BEGIN SOLUTION: ANSWER = None  # your answer
ANSWER = 2
# END SOLUTION


def area(r):
    """Area of a circle of radius r."""
    # BEGIN SOLUTION
    return math.pi * r * r
    # END SOLUTION


def outer(x):
    def inner(y):
        # BEGIN SOLUTION
        return y + 1
        # END SOLUTION
    return inner(x)
'''


def test_a_function_region_becomes_a_not_implemented_error_naming_the_function():
    stub = strip_solutions(REFERENCE, "ref.py", "See README.md.")
    assert "raise NotImplementedError('area: not implemented yet. See README.md.')" in stub
    assert "math.pi" not in stub and "return y + 1" not in stub
    assert "inner: not implemented yet" in stub


def test_a_module_level_region_becomes_its_stub_line():
    stub = strip_solutions(REFERENCE, "ref.py", "")
    assert "ANSWER = None  # your answer" in stub and "ANSWER = 2" not in stub


def test_text_outside_the_regions_is_kept_as_written():
    stub = strip_solutions(REFERENCE, "ref.py", "")
    assert '"""Docstring kept."""' in stub and '"""Area of a circle of radius r."""' in stub
    assert "BEGIN SOLUTION" not in stub and "END SOLUTION" not in stub


@pytest.mark.parametrize("text, problem", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "without END"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "without BEGIN"),
    ("# BEGIN SOLUTION\nX = 1\n# END SOLUTION\n", "needs its stub"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n",
     "nested"),
])
def test_malformed_markers_are_refused_with_the_line(text, problem):
    with pytest.raises(MarkerError, match=problem):
        strip_solutions(text, "ref.py", "")


def test_the_regions_name_their_marker_lines_stub_and_enclosing_function():
    """The one reader of the markers: release and the nbgrader export both work from these."""
    lines = REFERENCE.splitlines()
    assert solution_regions(REFERENCE, "ref.py") == [
        Region(begin=4, end=6, indent="", stub="ANSWER = None  # your answer", function=None),
        Region(begin=11, end=13, indent="    ", stub=None, function="area"),
        Region(begin=18, end=20, indent="        ", stub=None, function="inner"),
    ]
    assert all("BEGIN SOLUTION" in lines[r.begin] and "END SOLUTION" in lines[r.end]
               for r in solution_regions(REFERENCE, "ref.py"))


def test_the_release_holds_stubs_statement_public_checks_and_nothing_hidden(toy):
    files = render_release(toy)
    assert set(files) == {"arith.py", "arrays.py", "README.md", "problemset.toml", "conftest.py",
                          "tests/test_arith.py", "tests/test_arrays.py"}
    hidden = [p.read_bytes() for p in toy.hidden_checks_dir.rglob("*.py")]
    for data in files.values():
        assert b"BEGIN SOLUTION" not in data
        assert not any(h in data for h in hidden)
    assert b"| **total** | | **10** |" in files["README.md"]
    assert b"released = true" in files["problemset.toml"] and b"hidden" not in files[
        "problemset.toml"]


def test_writing_a_release_removes_stale_files_and_the_drift_check_sees_changes(toy, tmp_path):
    dest = tmp_path / "toy"
    (dest / "tests").mkdir(parents=True)
    (dest / "tests" / "test_old.py").write_text("stale")
    write_release(render_release(toy), dest)
    assert not (dest / "tests" / "test_old.py").exists()
    assert release_drift(toy, dest) == []
    (dest / "arith.py").write_text("edited")
    (dest / "extra.py").write_text("")
    assert release_drift(toy, dest) == ["changed arith.py", "extra extra.py"]


def test_writing_a_release_returns_only_the_files_it_changed(toy, tmp_path):
    dest = tmp_path / "toy"
    files = render_release(toy)
    assert write_release(files, dest) == sorted(files)
    assert write_release(files, dest) == []  # up to date: nothing to report
    (dest / "arith.py").write_text("edited")
    (dest / "extra.py").write_text("")
    assert write_release(files, dest) == ["arith.py", "extra.py"]
