"""Errors a user can act on: the one base class every verb reports as one line (imports nothing
from ``autograder``; the lowest layer)."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: its text is one line that says what is wrong and what to do."""
