"""Errors a user can act on, and the one place the CLI turns them into a line on stderr.

Owns ``UserError`` (the base of every exception whose message tells the user what is wrong and what
to do), the one decorator every ``autograder`` verb wears (``user_errors``) and the one look-up of
the global ``--course`` (``course_root``). The lowest layer (it imports only ``terminal_text``), so
the core can raise a ``UserError`` without knowing about the CLI; only the decorator prints.
"""

from __future__ import annotations

import errno
import functools
import sys
from pathlib import Path

import click

from autograder.terminal_text import escape_controls

EXIT_USAGE = 2  # a usage or input error: the message says what to change
EXIT_SYSTEM = 4  # the system refused a file operation: the message names the file and why

_HINTS = {  # what to do, by errno; the system's own words say what is wrong
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "check the path",
    errno.EISDIR: "name a file, not a folder",
    errno.EEXIST: "move it, or choose another path",
    errno.EACCES: "check its permissions (ls -l)",
    errno.EPERM: "check its permissions (ls -l)",
    errno.EROFS: "write somewhere else (-o)",
    errno.ENOSPC: "free some space, or write somewhere else (-o)",
    errno.EDQUOT: "free some space, or write somewhere else (-o)",
}


class UserError(Exception):
    """Something the user can put right: a typo in a name, a missing or malformed input, an option
    that does not fit. ``str()`` is one line saying what is wrong and what to do. Raised anywhere;
    reported by ``user_errors`` as ``error: <message>``, exit status ``EXIT_USAGE``."""


def describe_os_error(exc: OSError) -> str:
    """An ``OSError`` for what it is, in one line: the file, the system's reason, what to do,
    e.g. ``/x/y: Permission denied; check its permissions (ls -l)``."""
    reason = exc.strerror or str(exc)
    where = " -> ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
    hint = _HINTS.get(exc.errno or 0)
    return f"{where + ': ' if where else ''}{reason}{'; ' + hint if hint else ''}"


def one_line(text: str) -> str:
    """``text`` as one printable line: line breaks become spaces, other control characters and
    bidi overrides visible escapes (``\\x1b``, ``\\u202e``)."""
    return escape_controls(" ".join(str(text).split("\n"))).replace("\t", "\\x09")


def debugging() -> bool:
    """The root ``--debug`` flag of the running command (False outside a click command)."""
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().params.get("debug"))


def user_errors(command):
    """Decorate a click command: a ``UserError`` it raises becomes ``error: <message>`` on stderr
    and exit status ``EXIT_USAGE``; an ``OSError`` becomes ``error: <file>: <reason>; <what to do>``
    and exit status ``EXIT_SYSTEM``. With the root ``--debug`` both propagate (a traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            if debugging():
                raise
            _fail(str(exc), EXIT_USAGE)
        except OSError as exc:
            if debugging():
                raise
            _fail(describe_os_error(exc), EXIT_SYSTEM)

    return wrapper


def course_root() -> Path | None:
    """The course repository the root ``--course`` option (or ``AUTOGRADER_COURSE``) names, or None:
    then each look-up starts from the current folder (``problemset.find_problem_set``)."""
    context = click.get_current_context(silent=True)
    return context.find_root().params.get("course") if context else None


def _fail(message: str, status: int) -> None:
    click.echo(f"{click.style('error:', fg='red')} {one_line(message)}", err=True)
    sys.exit(status)
