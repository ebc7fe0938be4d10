"""Files in and out: the one atomic writer (a reader, or a crash, sees the old file or the whole new
one, never half: results.json, reports, exports and Gradescope's results all go through
``write_atomically``), the one reader of a text file a user names in an option (a CSV of
extensions, timestamps or a roster), and the grader's temporary work folders (``WorkFolder``: what
a killed grader leaves behind is removed by the next). The lowest layer: it imports nothing from
``autograder``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

WORK_PREFIX = "autograder-work-"  # a WorkFolder's name; only these are ever swept


def write_atomically(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path``, creating its folder: a temporary file beside it, synced,
    then renamed over it. Its permissions are ``mode``, else what the umask gives a new file
    (``mkstemp``'s 0600 would hide results from the course's group)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask() if mode is None else mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask, read without changing it where Linux shows it."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def read_user_text(path: Path, option: str, error: type[Exception], hint: str = "") -> str:
    """The text of the file a user named with ``option`` (UTF-8, a byte-order mark allowed: a
    spreadsheet's "CSV UTF-8"); a missing or non-UTF-8 file raises ``error`` with one line saying so
    (``hint``: what else the option takes)."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{option} {path}: no such file{'; ' + hint if hint else ''}") from None
    except UnicodeDecodeError:
        raise error(f"{path} is not UTF-8 text; save it as CSV (UTF-8)") from None


class WorkFolder:
    """A temporary folder for one grading run (a submission's copy, the trusted timing child's empty
    folder), removed by ``remove()`` or at the end of a ``with`` block. While it exists, this process
    holds a lock on it (``flock`` on the folder itself, which the kernel drops when the process dies,
    however it dies), so a grader killed with SIGKILL leaves a folder whose lock is free: the next
    ``WorkFolder`` made on the machine removes it. A folder is named ``autograder-work-*`` only once it
    is locked (made under another name, locked, then renamed), so no live folder is ever taken for an
    abandoned one; the lock works across processes and PID namespaces that share the folder."""

    def __init__(self, kind: str):
        remove_abandoned_work_folders()
        made = Path(tempfile.mkdtemp(prefix=f"autograder-new-{kind}-"))
        self._lock = os.open(made, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.path = made.with_name(WORK_PREFIX + made.name.removeprefix("autograder-new-"))
        os.rename(made, self.path)

    def remove(self) -> None:
        if self._lock is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc) -> None:
        self.remove()


def remove_abandoned_work_folders(where: Path | None = None) -> list[Path]:
    """Remove the work folders (``autograder-work-*`` in ``where``, default the temporary folder)
    whose lock no process holds any more: their grader was killed. Returns what it removed."""
    removed = []
    for path in Path(where or tempfile.gettempdir()).glob(WORK_PREFIX + "*"):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue  # gone meanwhile, not a folder, or not ours to read
        try:
            with contextlib.suppress(BlockingIOError):  # held: a live grader's
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        finally:
            os.close(fd)
    return removed
