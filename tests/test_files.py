"""``autograder.files.write_atomically``, the one atomic writer: results, reports, exports and
Gradescope's results.json all go through it."""

from __future__ import annotations

import os

import pytest

from autograder.files import write_atomically


def test_a_given_mode_holds_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        write_atomically(tmp_path / "gradescope" / "results.json", "{}", mode=0o644)  # folder made too
    finally:
        os.umask(old)
    assert (tmp_path / "gradescope" / "results.json").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(tmp_path):
    target = tmp_path / "grades.csv"
    target.write_text("the previous export\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half written \udc80")  # a lone surrogate cannot be encoded
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv"]


def test_text_is_written_as_utf8(tmp_path):
    write_atomically(tmp_path / "feedback.md", "−1 point, ≥ 2 ✓\n")
    assert (tmp_path / "feedback.md").read_bytes() == "−1 point, ≥ 2 ✓\n".encode()
