"""Files in and out: the one atomic writer (a reader, or a crash, sees the old file or the whole new
one, never half: results.json, reports, exports and Gradescope's results all go through
``write_atomically``), and the one reader of a text file a user names in an option (a CSV of
extensions, timestamps or a roster). The lowest layer: it imports nothing from ``autograder``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
