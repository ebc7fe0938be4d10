"""Reading a submission (a folder, a ``.zip``, a single ``.py`` or a notebook) into a private working copy.

Owns the safe unpacking rules: no paths outside the copy, no symlinks, bounded size and count, source
only (compiled code is refused, ``sandbox.compiled``). The copy is what the sandboxed child sees; the
original is never written to. Whatever goes wrong reading one submission (a damaged zip, a name
clash, an unreadable file) is a ``SubmissionError`` whose one line says why: that submission is
not graded, and a batch goes on with the others.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder import notebook
from autograder.problemset import ProblemSet
from autograder.sandbox.compiled import compiled_file, compiled_kind

MAX_FILES = 2000
MAX_BYTES = 200 << 20
_SKIP_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", "node_modules", ".venv"}


class SubmissionError(Exception):
    """The submission cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class Submission:
    name: str
    source: Path  # what was handed in
    root: Path  # the working copy, where the student's modules are importable


def submission_name(source: Path) -> str:
    student = notebook.nbgrader_student(source)  # nbgrader's submitted/<student>/<pset>/
    name = student or source.name.removesuffix(".zip").removesuffix(".py").removesuffix(".ipynb")
    return name or "submission"


def prepare_submission(source: Path, pset: ProblemSet, workdir: Path) -> Submission:
    """Copy or unpack ``source`` into ``workdir`` and find the folder holding the modules; raise
    ``SubmissionError`` (one line: what is wrong, what to do) for anything that cannot be read."""
    source = Path(source)
    try:
        return _prepare(source, pset, workdir)
    except SubmissionError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise SubmissionError(f"{source.name} is a damaged zip file ({_one_line(exc)}); "
                              f"zip your folder again and resubmit") from None
    except OSError as exc:
        raise SubmissionError(_os_error_message(source, exc)) from None
    except UnicodeError:
        raise SubmissionError(f"{source.name} holds a file name that is not valid UTF-8; rename "
                              f"your files with plain names and resubmit") from None
    except RuntimeError as exc:
        if "encrypted" not in str(exc):
            raise
        raise SubmissionError(f"{source.name} is password-protected; zip your folder again without "
                              f"a password and resubmit") from None
    except (NotImplementedError, ValueError) as exc:  # an unknown compression method, ...
        raise SubmissionError(f"{source.name} could not be read ({_one_line(exc)}); submit a plain "
                              f"folder or an ordinary zip of it") from None


def _prepare(source: Path, pset: ProblemSet, workdir: Path) -> Submission:
    target = workdir / "submission"
    target.mkdir(parents=True)
    if source.is_dir():
        _copy_tree(source, target)
    elif source.suffix == ".zip" and source.is_file():
        _unzip(source, target)
    elif source.suffix == ".py" and source.is_file():
        _refuse_compiled(source.name, source)
        shutil.copyfile(source, target / source.name)
    elif source.is_symlink() and not source.exists():
        raise SubmissionError(f"{source} is a symbolic link that leads nowhere (or in a loop); "
                              f"submit the folder or file itself")
    elif not source.exists():
        raise SubmissionError(f"{source} does not exist")
    elif source.suffix != ".ipynb" or not source.is_file():
        raise SubmissionError(f"{source} is not a folder, a .zip, a .py or an .ipynb file")
    try:  # a notebook's answer cells become the modules (see autograder.notebook)
        if source.suffix == ".ipynb":
            notebook.extract_notebook(source, pset, target)
        else:
            notebook.extract_if_only_notebook(target, pset)
    except notebook.NotebookError as exc:
        raise SubmissionError(str(exc)) from None
    if source.suffix != ".ipynb" and not any(p.is_file() for p in target.rglob("*")):
        raise SubmissionError(f"{source.name} holds no files; submit the folder with your .py files")
    root = _module_root(target, pset.modules)
    for rel in pset.given:  # given files are the instructor's, whatever the submission holds
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pset.root / rel, root / rel)
    return Submission(name=submission_name(source), source=source, root=root)


def _copy_tree(source: Path, target: Path) -> None:
    count = size = 0
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if any(part in _SKIP_DIRS for part in rel.parts) or path.is_symlink():
            continue
        if path.is_dir():
            (target / rel).mkdir(parents=True, exist_ok=True)
            continue
        if not path.is_file():
            continue
        count += 1
        size += path.stat().st_size
        _check_budget(count, size, source)
        _refuse_compiled(rel.as_posix(), path)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)


def _unzip(source: Path, target: Path) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{source.name} is not a readable zip file ({exc}); "
                              f"zip your folder again and resubmit") from None
    with archive:
        members = archive.infolist()
        size = 0
        files: dict[PurePosixPath, zipfile.ZipInfo] = {}
        for count, member in enumerate(members, 1):
            size += member.file_size
            _check_budget(count, size, source)
            path = PurePosixPath(member.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts:
                raise SubmissionError(f"{source.name} contains an unsafe path {member.filename!r}; "
                                      f"zip only your files, with relative paths")
            if stat.S_ISLNK(member.external_attr >> 16):
                continue  # symlinks are never followed nor created
            if any(part in _SKIP_DIRS for part in path.parts) or member.is_dir() or not path.parts:
                continue
            if any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in path.parts):
                raise SubmissionError(f"{source.name} holds a file name longer than 255 bytes "
                                      f"({member.filename[:60]!r}...); shorten it and resubmit")
            files[path] = member
        folders = {parent for path in files for parent in path.parents}
        for path in files:
            if path in folders:
                raise SubmissionError(f"{source.name} holds both a file and a folder named "
                                      f"{path.as_posix()!r}; rename one of them and resubmit")
        for path, member in files.items():
            with archive.open(member) as src:
                head = src.read(64)
                _refuse_kind(path.as_posix(), compiled_kind(path.name, head))
                destination = target.joinpath(*path.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with open(destination, "wb") as dst:
                    dst.write(head)
                    shutil.copyfileobj(src, dst)


def _refuse_compiled(rel: str, path: Path) -> None:
    _refuse_kind(rel, compiled_file(path))


def _refuse_kind(rel: str, kind: str | None) -> None:
    if kind is not None:
        raise SubmissionError(f"{rel} is {kind}: a submission is source code only (.py files); "
                              f"remove it and resubmit")


def _os_error_message(source: Path, exc: OSError) -> str:
    where = f" ({os.fsdecode(exc.filename)!r})" if exc.filename else ""
    if exc.errno == errno.ENAMETOOLONG:
        return f"{source.name} holds a file name too long for this system; shorten it and resubmit"
    if exc.errno == errno.ELOOP:
        return f"{source.name} holds symbolic links in a loop{where}; submit the files themselves"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{source.name} could not be read{where}: permission denied; make it readable and resubmit"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
        return f"{source.name} holds a file and a folder with the same name; rename one and resubmit"
    return f"{source.name} could not be read ({_one_line(exc)}); check the files and resubmit"


def _one_line(exc: BaseException) -> str:
    """An error's text on one short line, with control characters escaped (it may hold names the
    student chose)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= 160 else text[:157] + "..."


def _check_budget(count: int, size: int, source: Path) -> None:
    if count > MAX_FILES or size > MAX_BYTES:
        raise SubmissionError(f"{source.name} is too large (more than {MAX_FILES} files or "
                              f"{MAX_BYTES >> 20} MB); submit only your source files")


def _module_root(tree: Path, modules: tuple[str, ...]) -> Path:
    """The shallowest folder holding one of the expected modules (zips often add a top folder)."""
    wanted = {f"{m}.py" for m in modules}
    candidates = sorted((p.parent for p in tree.rglob("*.py") if p.name in wanted),
                        key=lambda p: (len(p.parts), str(p)))
    return candidates[0] if candidates else tree
