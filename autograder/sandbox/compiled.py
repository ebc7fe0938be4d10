"""Compiled code in a submission: recognised by name and by content, whatever the file is called.

A submission is source. Bytecode, extension modules, shared libraries and executables hold code the
static scan (``grading.integrity``) cannot read, and Python imports an extension module before the
``.py`` of the same name; so ``autograder.submission`` refuses a submission that holds one, and
``sandbox.confine.prepare_workdir`` removes any that appear in the working copy (written by an
earlier child) before every child start. Reads at most a few bytes per file; changes nothing itself.
"""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import stat
from pathlib import Path

SUFFIXES = frozenset({".pyc", ".pyo", ".pyd", ".so", ".dll", ".dylib", ".o", ".a", ".lib", ".exe",
                      ".bundle", ".egg", ".whl"}
                     | set(importlib.machinery.EXTENSION_SUFFIXES)
                     | set(importlib.machinery.BYTECODE_SUFFIXES))
_MAGICS = (
    b"\x7fELF",  # Linux shared objects and executables
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal
    b"\x00asm",  # WebAssembly
)
_HEAD = 64


def compiled_kind(name: str, head: bytes) -> str | None:
    """What compiled code a file with this name and these first bytes is, or None for anything else."""
    lowered = name.lower()
    suffixes = {"." + part for part in lowered.split(".")[1:]}
    if lowered.endswith(tuple(SUFFIXES)) or suffixes & {".so", ".dylib", ".dll", ".pyd", ".pyc"}:
        return "a compiled module or library"
    if head.startswith(_MAGICS):
        return "a compiled library or program"
    if len(head) >= 16 and head[2:4] == b"\r\n" and 2900 <= int.from_bytes(head[:2], "little") < 4000:
        return "Python bytecode"  # every Python 3 bytecode magic number, whatever the file is called
    return None


def compiled_file(path: Path) -> str | None:
    """``compiled_kind`` of a file on disk (its name and first bytes)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_HEAD)
    except OSError:
        head = b""
    return compiled_kind(path.name, head)


def remove_compiled(root: Path) -> list[Path]:
    """Delete every compiled file and ``__pycache__`` folder under ``root`` (a symlink: the link
    itself, judged by its name); return what was removed."""
    removed = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                if name == "__pycache__":
                    shutil.rmtree(path, ignore_errors=True)
                    dirs.remove(name)
                    removed.append(path)
                continue
            if stat.S_ISLNK(mode):
                kind = compiled_kind(name, b"") or ("bytecode" if name == "__pycache__" else None)
            elif stat.S_ISREG(mode):
                kind = compiled_file(path)
            else:
                kind = None  # a FIFO or socket is never opened here (it could block)
            if kind is not None:
                path.unlink(missing_ok=True)
                removed.append(path)
                if name in dirs:
                    dirs.remove(name)
    return removed
