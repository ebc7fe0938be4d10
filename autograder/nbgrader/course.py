"""``solutions/<pset>`` -> a real nbgrader course folder: ``nbgrader_config.py`` (written once, then
the instructor's) and ``source/<pset>/``: the assignment's notebook (``assignment``) and the files
students need beside it (given files, drivers, the released manifest), as ``autograder release``
makes them. nbgrader's own ``generate_assignment``, ``autograde``, ``generate_feedback`` and
``export`` work on the folder unchanged. Only ``autograder grade --gradebook`` grades hidden
checks (in its sandbox) and fills their cells; in a kernel they score 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.nbgrader import skip_iri_grammars
from autograder.nbgrader.assignment import build_notebook
from autograder.notebook import META
from autograder.problemset import ProblemSet
from autograder.release import pipeline

CONFIG = "nbgrader_config.py"

CONFIG_TEXT = '''\
# nbgrader's configuration for this course. Written once by `autograder nbgrader export` (an
# existing file is kept): edit it freely. Run nbgrader's commands in this folder.
import os
import sys
import warnings

c = get_config()  # noqa: F821 - nbgrader defines get_config

# nbgrader's own gradebook code (nbgrader.api) makes SQLAlchemy 2 warn that objects are "not in
# session" during autoflush; what it records is right (the tests read the gradebook back).
warnings.filterwarnings("ignore", message=r"Object of type <\\w+> not in session", module=r"nbgrader\\.")

# A check cell runs all the checks of one file, each with its own time limit: give cells time.
c.Execute.timeout = 600

# The hidden checks' seed secret never reaches a notebook's kernel: nbgrader starts kernels with
# its own environment, and student code can read a kernel's environment.
os.environ.pop("AUTOGRADER_SECRET", None)

# One thread per BLAS and torch in the kernels (nbgrader starts them with this environment), as in
# the sandbox's children: a check's time limit (CPU time, in a kernel) then means the same there,
# and a loaded machine does not leave threads spinning for cores.
for _threads in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_threads] = os.environ.get("AUTOGRADER_CHILD_THREADS", "1")

# Hidden checks are not in the notebook: only `autograder grade --gradebook` grades them, in its
# sandbox. `nbgrader autograde` runs the public checks in the student's kernel and gives every
# hidden check cell 0 (docs/nbgrader.md).
if sys.argv[1:2] == ["autograde"] and not os.environ.get("AUTOGRADER_AUTOGRADE_NOTED"):
    os.environ["AUTOGRADER_AUTOGRADE_NOTED"] = "1"  # nbgrader loads this file more than once: say it once
    print("autograder: nbgrader autograde grades only the public checks, in the students' kernels; "
          "hidden check cells score 0 until `autograder grade PSET submitted/*/PSET --gradebook .` "
          "grades them in its sandbox (run it after this command: it replaces these scores)",
          file=sys.stderr)

# Feedback never shows check code: nbgrader's own ClearHiddenTests runs on the feedback copy
# (the cells this exporter writes hold no hidden checks; this keeps older notebooks safe too).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''


@dataclass(frozen=True)
class Export:
    """What ``export_course`` wrote."""

    notebook: Path
    files: tuple[Path, ...]
    autograded_points: float
    written_points: float
    config_written: bool
    hidden_points: float = 0.0  # in placeholder cells: graded only by `autograder grade --gradebook`
    hidden_cells: int = 0


def export_course(pset: ProblemSet, course: Path) -> Export:
    """Write (or refresh) the nbgrader course folder ``course`` for ``pset``."""
    skip_iri_grammars()
    import nbformat  # here, not at import: it takes seconds, and the CLI imports this module

    course = Path(course)
    notebook, autograded, written = build_notebook(pset)
    placeholders = [c for c in notebook.cells if c.metadata.get(META, {}).get("role") == "checks"
                    and c.metadata[META].get("visibility") == "hidden"]
    source = course / "source" / pset.id
    source.mkdir(parents=True, exist_ok=True)
    files = []
    path = source / f"{pset.id}.ipynb"
    nbformat.write(notebook, str(path))
    files.append(path)
    for rel, data in student_files(pset).items():  # what the notebook needs beside it, released too
        target = source / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files.append(target)
    config = course / CONFIG
    config_written = not config.exists()
    if config_written:
        config.write_text(CONFIG_TEXT)
        files.append(config)
    return Export(notebook=path, files=tuple(files), autograded_points=autograded,
                  written_points=written, config_written=config_written,
                  hidden_points=round(sum(c.metadata.nbgrader.points for c in placeholders), 6),
                  hidden_cells=len(placeholders))


def student_files(pset: ProblemSet) -> dict[str, bytes]:
    """Given files and drivers (students' code and the checks use them), the public checks' helper
    modules, and the released manifest (checks find the problem set's root by it)."""
    files = {}
    for step in (pipeline.given_files, pipeline.drivers, pipeline.released_manifest, check_helpers):
        files.update(step(pset))
    return files


def check_helpers(pset: ProblemSet) -> dict[str, bytes]:
    """The modules beside the public checks that are not checks (not ``test_*.py``), at their place
    in the problem set: a check cell runs as its file there, and imports them from beside it."""
    helpers = sorted(p for p in pset.public_checks_dir.glob("*.py") if not p.name.startswith("test_"))
    return {p.relative_to(pset.root).as_posix(): p.read_bytes() for p in helpers}
