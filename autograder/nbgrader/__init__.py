"""nbgrader integration: one problem-set source, two ways to grade it, one gradebook.

Exporting (``autograder nbgrader export``: ``solutions/<pset>`` -> a real nbgrader course):
- ``course``: the course folder (``nbgrader_config.py``, ``source/<pset>/`` and the files beside the
  notebook);
- ``assignment``: the notebook's order: introduction, statement, setup, and per problem its answer
  cells, written answers and check cells;
- ``cells``: one cell as nbgrader takes it, answer cells from our solution regions
  (``release.solution_markers``), text nbgrader would take for its markers refused;
- ``plan``: the check cells' plan: the grading run's checks, their cells, their points (the
  grader's ``share_points``) and seeds; hidden cells are placeholders (no check, reference, seed or
  secret ever goes into a notebook);
- ``written``: written answers graded by hand (``nbgrader.toml``).

In the notebook's kernel (nbgrader's model: public checks next to the student's code):
- ``kernel``: the ``%%autograder_checks`` magic; pytest runs a cell as the grader runs its file;
- ``student``: the kernel's globals behind the sandbox's interface.

Recording: ``gradebook``: results -> nbgrader's gradebook (its own ``Gradebook`` API), every cell's
score read from the ``Result`` (hidden placeholders filled there); the CSV export. ``commands``:
the CLI edge. Reading a submitted notebook is the core's (``autograder.notebook``).
"""

import sys


def skip_iri_grammars() -> None:
    """Call before the first import of nbformat or nbgrader. jsonschema, which both import, imports
    ``rfc3987_syntax`` where it is installed (jupyter-events pulls it in) only to check the ``iri``
    formats that no notebook schema uses, and that import compiles 38 grammars: 1.3 s of CPU in
    every process, many seconds of wall time on a busy machine. Here it fails, as if not installed."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
