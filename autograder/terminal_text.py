"""Text the student's code controls, made safe to print: control characters become visible escapes.

One function for every place that shows such text on a terminal or in a log (the CLI, feedback.md,
the CI and Gradescope logs, the HTML report): an escape sequence or a bidi override from a
submission can then neither restyle, move, hide nor reorder what the reader sees.
"""

from __future__ import annotations

# C0 controls but newline and tab, DEL, C1 controls, and the bidi embeddings, overrides and isolates.
_UNSAFE = [c for c in range(0x20) if chr(c) not in "\n\t"] + list(range(0x7F, 0xA0)) \
    + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
_ESCAPES = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in _UNSAFE}


def escape_controls(text: str) -> str:
    """``text`` with every control character (newline and tab kept) and every bidi override or
    isolate replaced by its Python escape, e.g. ESC -> ``\\x1b``, U+202E -> ``\\u202e``."""
    return str(text).translate(_ESCAPES)
