"""The CLI edge shared by the verbs' command modules: errors a user can act on become one line on
stderr and exit status 2 (a traceback with ``--debug``)."""

from __future__ import annotations

import functools
import sys

import click

from autograder.problemset import ProblemSetError

EXIT_USAGE = 2


def user_errors(*extra: type[BaseException]):
    """Decorate a click command: ``ProblemSetError``, ``OSError`` and ``extra`` exceptions it raises
    are reported in one line, exit status ``EXIT_USAGE``."""
    caught = (ProblemSetError, OSError, *extra)

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            try:
                return command(*args, **kwargs)
            except caught as exc:
                if click.get_current_context().find_root().params.get("debug"):
                    raise
                click.echo(f"error: {exc}", err=True)
                sys.exit(EXIT_USAGE)

        return wrapper

    return decorate
