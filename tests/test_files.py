"""``autograder.files``: ``write_atomically``, the one atomic writer (results, reports, exports and
Gradescope's results.json all go through it), and ``WorkFolder``, the grader's temporary folders,
which a killed grader leaves for the next to remove."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile

import pytest

from autograder.files import WorkFolder, remove_abandoned_work_folders, write_atomically


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


# ---------------------------------------------------------------------------- work folders

HOLDER = """
import sys
from autograder.files import WorkFolder
folder = WorkFolder("submission")
(folder.path / "copy.py").write_text("a submission's copy")
print(folder.path, flush=True)
sys.stdin.read()  # until the test kills it
"""


def hold_a_work_folder(tmp_path) -> tuple[subprocess.Popen, str]:
    """A grading process (another interpreter, TMPDIR=tmp_path) holding a work folder; its path."""
    env = dict(os.environ, TMPDIR=str(tmp_path))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=env)
    return holder, holder.stdout.readline().strip()


def test_a_work_folder_is_removed_when_done_and_never_while_its_grader_lives(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with WorkFolder("trusted") as path:
        assert path.is_dir() and path.name.startswith("autograder-work-trusted-")
        assert remove_abandoned_work_folders() == [] and path.is_dir()  # our own, held
    assert not path.exists()
    holder, held = hold_a_work_folder(tmp_path)
    try:
        assert held and os.path.isdir(held)
        assert remove_abandoned_work_folders() == [] and os.path.isdir(held)  # another live grader's
        with WorkFolder("submission"):  # making one sweeps, and leaves it too
            assert os.path.isdir(held)
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_graders_work_folder_is_removed_by_the_next_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    others = [tmp_path / "autograder-trusted-old", tmp_path / "autograder-x1y2z3", tmp_path / "mine"]
    for other in others:  # older graders' folders and anyone else's: not ours to judge
        other.mkdir()
    holder, held = hold_a_work_folder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)  # no time to clean up
    holder.wait()
    assert os.path.isdir(held)
    with WorkFolder("submission") as path:
        assert not os.path.exists(held)  # its lock died with it
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name] + [o.name for o in others])
