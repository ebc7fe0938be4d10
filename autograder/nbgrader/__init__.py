"""nbgrader integration: one problem-set source, two ways to grade it, one gradebook.

- ``course``: ``autograder nbgrader export`` writes a real nbgrader course from ``solutions/<pset>``
  (``nbgrader_config.py``, ``source/<pset>/<pset>.ipynb``): statement cells, each module as code
  cells with nbgrader's solution markers, manually graded written answers, and autograded check
  cells: public ones with their checks, hidden ones as placeholders (no check, reference, seed or
  secret ever goes into a notebook; only the sandboxed grader grades hidden checks).
- ``kernel``: what public check cells run inside the notebook's kernel (nbgrader's model: those
  checks and the student's code share one process).
- ``notebook``: a submitted notebook's module cells -> ``<module>.py`` files, so that
  ``autograder grade`` grades notebooks in the sandbox like any other submission.
- ``gradebook``: our results -> nbgrader's gradebook (its own ``Gradebook`` API), every cell's
  score read from the ``Result`` (hidden placeholders filled there); the CSV export.
- ``commands``: the ``autograder nbgrader ...`` and ``autograder export csv`` verbs.

Importing this package imports nothing heavy: ``submission.py`` reaches ``notebook`` on every grade.
"""

import sys


def skip_iri_grammars() -> None:
    """Call before the first import of nbformat or nbgrader. jsonschema, which both import, imports
    ``rfc3987_syntax`` where it is installed (jupyter-events pulls it in) only to check the ``iri``
    formats that no notebook schema uses, and that import compiles 38 grammars: 1.3 s of CPU in
    every process, many seconds of wall time on a busy machine. Here it fails, as if not installed."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
