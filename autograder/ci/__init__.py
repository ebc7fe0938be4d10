"""Continuous integration for a course: the GitHub Actions workflows that grade a student's
repository on each push (GitHub Classroom) and check the course repository's invariants.

``render`` turns options into files (pure); ``commands`` is the ``autograder ci`` verb group.
"""
