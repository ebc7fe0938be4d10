"""Gradescope: build the autograder bundle (``autograder gradescope build``) and run it inside
Gradescope's container (``python -m autograder.gradescope.run``, called by ``run_autograder``).
The Result-to-results.json mapping itself lives in ``autograder.export.gradescope`` (which
``autograder export gradescope RESULTS`` also uses for a batch graded elsewhere).
"""
