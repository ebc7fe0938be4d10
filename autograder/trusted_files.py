"""Trusted files (reference modules, workloads, a problem set's given modules) imported once into
the grading process under a name of the grader's choosing: never into a student's interpreter."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def import_file(name: str, path: Path):
    """The trusted module at ``path`` (reference code, workloads), imported once under ``name``."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[name]  # a broken file is not half-imported for the next check
            raise
    return sys.modules[name]
