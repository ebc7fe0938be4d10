"""Decisions about a student's symbolic answer, made by trusted code in a disposable process.

A sympy expression the student returns is rebuilt without evaluation (``sandbox.sympy_tree``), but
what a check then does with it — ``simplify``, ``N``, ``doit``, ``xreplace`` — can take hours or
all the memory on a hostile tree (``10**10**1999``). ``decide`` runs such a decision in a child forked
from the grader, with a deadline and a memory cap, and returns its plain result; the child runs no
student code (the expression is data) and is killed when time is up. It decides nothing itself.
"""

from __future__ import annotations

import collections
import copy
import hashlib
import json
import math
import os
import pickle
import resource
import signal
import time

from autograder.sandbox.wire import wait_readable

DEFAULT_TIMEOUT = 10.0
DEFAULT_MEMORY = 1 << 30  # on top of what the grader already maps when it forks


class Undecided(AssertionError):
    """The decision did not finish in time or within its memory: the check fails, saying so."""


def decide(function, *args, timeout: float = DEFAULT_TIMEOUT, memory_bytes: int = DEFAULT_MEMORY,
           what: str = "your expression"):
    """``function(*args)`` computed in a forked child within ``timeout`` seconds of CPU time and
    ``memory_bytes`` more memory; its result must be JSON data (bool, number, str, None, lists, dicts). Raises
    ``Undecided`` when it runs out of either, and re-raises nothing of the child's: an exception
    there is reported as ``Undecided`` too, with its type and message.

    A decision made once is remembered for the same function and equal arguments (pickled): across a
    batch most students hand in the same few expressions. Failures are not remembered."""
    key = _cache_key(function, args)
    if key is not None and key in _DECIDED:
        _DECIDED.move_to_end(key)
        return copy.deepcopy(_DECIDED[key])
    value = _decide(function, args, timeout, memory_bytes, what)
    if key is not None:
        _DECIDED[key] = copy.deepcopy(value)
        while len(_DECIDED) > _CACHE_SIZE:
            _DECIDED.popitem(last=False)
    return value


_CACHE_SIZE = 4096
_DECIDED: collections.OrderedDict = collections.OrderedDict()


def _cache_key(function, args) -> tuple | None:
    try:
        return function, hashlib.sha256(pickle.dumps(args, protocol=5)).hexdigest()
    except Exception:  # noqa: BLE001 - unpicklable or too deep: decided each time
        return None


def _decide(function, args, timeout: float, memory_bytes: int, what: str):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's side ends in os._exit
        os.close(read_fd)
        _child(function, args, write_fd, timeout, memory_bytes)
    os.close(write_fd)
    # The budget is CPU time (RLIMIT_CPU in the child): a busy machine must not turn an honest
    # expression into an undecided one. The wall clock is only a backstop (a child that sleeps).
    deadline = time.monotonic() + _WALL_FACTOR * timeout + _WALL_SLACK
    over_time = Undecided(f"{what} could not be judged within {timeout:g} s; simplify it")
    chunks: list[bytes] = []
    status = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not wait_readable(read_fd, remaining):
                raise over_time
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            if sum(map(len, chunks)) > 1 << 20:
                raise Undecided(f"judging {what} produced an oversized answer")
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = os.waitpid(pid, 0)[1]
    if not chunks and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        raise over_time
    try:
        reply = json.loads(b"".join(chunks))
    except ValueError:
        raise Undecided(f"{what} could not be judged (it needs more than the memory allowed)") from None
    if reply.get("ok") is not True:
        raise Undecided(f"{what} could not be judged: {reply.get('error', '')}")
    return reply.get("value")


_WALL_FACTOR, _WALL_SLACK = 6, 10.0


def _child(function, args, write_fd: int, timeout: float, memory_bytes: int) -> None:
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _mapped_bytes() + memory_bytes
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        cpu = max(1, math.ceil(timeout))  # CPU seconds; a fork starts its count at zero
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        payload = {"ok": True, "value": function(*args)}
    except BaseException as exc:  # noqa: BLE001 - MemoryError and RecursionError too
        payload = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    try:
        data = json.dumps(payload).encode()
    except (TypeError, ValueError):
        data = json.dumps({"ok": False, "error": "the decision returned something that is not data"}).encode()
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    finally:
        os._exit(0)


def _mapped_bytes() -> int:
    """This process's current virtual size (the cap is set above it, not below)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
