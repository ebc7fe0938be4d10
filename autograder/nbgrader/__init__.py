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
