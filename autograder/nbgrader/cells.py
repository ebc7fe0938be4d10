"""One notebook cell as nbgrader takes it: code and markdown cells with nbgrader's metadata, a
reference module as answer cells (our solution regions, read by ``release.solution_markers``,
written with nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION``), and the text nbgrader
would take for its own markers, refused. Knows nothing of checks or points (``plan``) nor of the
notebook's order (``assignment``).
"""

from __future__ import annotations

from pathlib import Path

from autograder.notebook import CODE_ID, META
from autograder.problemset import ProblemSetError
from autograder.release.solution_markers import solution_regions, strip_solutions

# Text nbgrader acts on wherever it appears: only our own markers may hold it.
NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                       "AUTOTEST")
NBGRADER_BEGIN = "### BEGIN SOLUTION"
NBGRADER_END = "### END SOLUTION"


class ExportError(ProblemSetError):
    """The problem set cannot be written as an nbgrader notebook; the message says what to fix."""


def refuse_delimiters(text: str, where: str) -> None:
    """``ExportError`` if ``text`` holds something nbgrader would act on as its own marker."""
    for delimiter in NBGRADER_DELIMITERS:
        if delimiter in text:
            raise ExportError(f"{where} contains {delimiter!r}, which nbgrader treats as its own "
                              f"marker in any cell; reword it")


def code_cell(source: str, metadata: dict):
    from nbformat.v4 import new_code_cell

    return new_code_cell(source, metadata=metadata)


def markdown_cell(source: str, metadata: dict | None = None):
    from nbformat.v4 import new_markdown_cell

    return new_markdown_cell(source, metadata=metadata or {})


def nbgrader_meta(grade_id: str, *, grade: bool = False, solution: bool = False,
                  locked: bool = False, points: float | None = None) -> dict:
    """nbgrader's cell metadata (its schema version 3)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def validate(notebook) -> None:
    """nbgrader's own check of the notebook's metadata, as an ``ExportError``."""
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    try:
        MetadataValidator().validate_nb(notebook)
    except ValidationError as exc:
        raise ExportError(f"the notebook's nbgrader metadata is invalid: {exc}") from None


# ---------------------------------------------------------------------------- answer cells


def answer_cells(path: Path, module: str) -> list:
    """The reference module ``path`` as answer cells: one per module-level solution region
    (nbgrader's stub raises, and a cell stops at its first error), the rest between them with its
    function regions. A cell with a region is nbgrader's solution cell ``code_<module>[_<k>]``."""
    cells, count = [], 0
    for text, has_region in module_pieces(path.read_text(), str(path)):
        ours = {META: {"role": "code", "module": module}}
        if not has_region:  # nbgrader would replace a solution cell without a region entirely
            cells.append(code_cell(text, metadata=ours))
            continue
        count += 1
        grade_id = f"{CODE_ID}{module}" if count == 1 else f"{CODE_ID}{module}_{count}"
        cells.append(code_cell(text, metadata={"nbgrader": nbgrader_meta(grade_id, solution=True),
                                               **ours}))
    return cells


def nbgrader_solution_source(text: str, filename: str) -> str:
    """The reference module with nbgrader's markers where ours are (all pieces, joined)."""
    return "\n\n".join(piece for piece, _ in module_pieces(text, filename)) + "\n"


def module_pieces(text: str, filename: str) -> list[tuple[str, bool]]:
    """The reference module with nbgrader's markers where ours are, cut after each module-level
    region: ``[(cell source, holds a region)]``, in order. A stub written after our marker stays as
    the line before the region (at module level as code, ``ANSWER = None``; inside a function as a
    comment); nbgrader replaces each region by its own stub, which raises."""
    regions = solution_regions(text, filename)
    strip_solutions(text, filename, "")  # every region has a stub release can make, and it parses
    begins = {r.begin: r for r in regions}
    ends = {r.end: r for r in regions}
    pieces: list[tuple[str, bool]] = []
    current: list[str] = []
    has_region = False

    def cut() -> None:
        nonlocal has_region
        piece = "\n".join(current).strip("\n")
        if piece.strip():
            pieces.append((piece, has_region))
        current.clear()
        has_region = False

    for index, line in enumerate(text.splitlines()):
        if index in begins:
            region = begins[index]
            indent, stub = region.indent, (region.stub or "").rstrip()
            if not indent:  # a module-level region ends its own cell
                cut()
            if stub:
                current.append(f"{indent}{stub}" if not indent or stub.startswith("#")
                               else f"{indent}# {stub}")
            current.append(f"{indent}{NBGRADER_BEGIN}")
            has_region = True
        elif index in ends:
            current.append(f"{line[:len(line) - len(line.lstrip())]}{NBGRADER_END}")
            if not ends[index].indent:
                cut()
        else:
            refuse_delimiters(line, f"{filename}:{index + 1}")
            current.append(line)
    cut()
    return pieces
