"""Exporters: a ``Result`` in another system's format (Gradescope, GitHub Classroom, ...).

Each exporter is a pure function of the ``Result``: it maps and formats, it never re-runs or
re-judges anything, and it writes nothing (the caller decides where the data goes).
"""
