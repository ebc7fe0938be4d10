"""Reading a submission (a folder, a ``.zip``, a single ``.py`` or a notebook) into a private working copy.

Owns the safe unpacking rules: no paths outside the copy, no symlinks, bounded size and count.
The copy is what the sandboxed child sees; the original is never written to.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.nbgrader import notebook
from autograder.problemset import ProblemSet

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
    """Copy or unpack ``source`` into ``workdir`` and find the folder holding the modules."""
    source = Path(source)
    target = workdir / "submission"
    target.mkdir(parents=True)
    if source.is_dir():
        _copy_tree(source, target)
    elif source.suffix == ".zip" and source.is_file():
        _unzip(source, target)
    elif source.suffix == ".py" and source.is_file():
        shutil.copyfile(source, target / source.name)
    elif not source.exists():
        raise SubmissionError(f"{source} does not exist")
    elif source.suffix != ".ipynb" or not source.is_file():
        raise SubmissionError(f"{source} is not a folder, a .zip, a .py or an .ipynb file")
    try:  # a notebook's answer cells become the modules (see autograder.nbgrader.notebook)
        if source.suffix == ".ipynb":
            notebook.extract_notebook(source, pset, target)
        else:
            notebook.extract_if_only_notebook(target, pset)
    except notebook.NotebookError as exc:
        raise SubmissionError(str(exc)) from None
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
        for count, member in enumerate(members, 1):
            size += member.file_size
            _check_budget(count, size, source)
            path = PurePosixPath(member.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts:
                raise SubmissionError(f"{source.name} contains an unsafe path {member.filename!r}; "
                                      f"zip only your files, with relative paths")
            if stat.S_ISLNK(member.external_attr >> 16):
                continue  # symlinks are never followed nor created
            if any(part in _SKIP_DIRS for part in path.parts) or member.is_dir():
                continue
            destination = target.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(destination, "wb") as dst:
                shutil.copyfileobj(src, dst)


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
