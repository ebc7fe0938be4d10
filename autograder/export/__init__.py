"""Exporters: a ``Result`` in another system's format (Gradescope, GitHub Classroom, Canvas, Moodle,
a plain grade table), and ``autograder export FORMAT RESULTS`` (``commands``).

Each exporter (``gradescope``, ``classroom``, ``lms``, ``grade_table``) is a pure function of the
results: it maps and formats, never re-runs, re-judges or recomputes a score, and writes nothing.
``commands`` is the one module here that reads a results folder, writes files and prints.
"""
