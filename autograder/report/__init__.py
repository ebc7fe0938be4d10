"""Feedback reports rendered from a ``Result`` (never re-judging anything)."""
