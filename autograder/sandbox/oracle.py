"""Oracles counted by the judge: a trusted object that stays in the parent while the student's code
calls it through a proxy in the sandbox.

A check wraps the object (``Oracle(problem, methods=("grad", "grad_i"), attributes=("m", "n"))``) and
passes it as an argument of a student call. The child receives a stand-in with those methods and
attributes; each method call crosses the channel, runs here on the real object and is counted here,
where the student's code cannot reach the counter. This module holds the parent's half: the wrapper
and the serving of one request. It must not import the child or anything that runs student code.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
MAX_CALLS = 10_000_000  # per oracle and request: past it the student's loop is refused, not served
MAX_ARGUMENT_BYTES = 256 << 20  # one oracle call's arguments, as received
_BUILTIN_ERRORS = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception)
)


@dataclass(eq=False)
class Oracle:
    """``target`` served to the student's code through a proxy.

    - ``methods``: the names the proxy calls on ``target`` (``"__call__"`` makes the proxy callable);
      each call is counted in ``counts`` and runs on ``target`` in this process.
    - ``attributes``: values copied into the proxy once, when the call starts (ints, floats,
      strings, tuples, arrays: anything the wire carries).
    - ``properties``: values read from ``target`` at each access (e.g. a counter the student may
      read); counted in ``counts`` too.
    - ``name``: the proxy's class name in the student's process (default: ``target``'s).
    """

    target: object
    methods: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    properties: tuple[str, ...] = ()
    name: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.methods, self.attributes = tuple(self.methods), tuple(self.attributes)
        self.properties = tuple(self.properties)
        self.name = self.name or type(self.target).__name__
        for member in (self.name, *self.methods, *self.attributes, *self.properties):
            if not member or not set(member) <= _NAME_CHARS or member[0].isdigit():
                raise ValueError(f"Oracle member {member!r} is not a Python name")
        dunder = [m for m in self.methods if m.startswith("__") and m != "__call__"]
        if dunder:
            raise ValueError(f"Oracle methods {dunder} cannot be served (only __call__ among dunders)")
        if len({*self.methods, *self.attributes, *self.properties}) != (
                len(self.methods) + len(self.attributes) + len(self.properties)):
            raise ValueError("an Oracle member is listed twice")
        for name in (*self.methods, *self.attributes, *self.properties):
            if not hasattr(self.target, name):
                raise ValueError(f"{self.name} has no {name!r} to serve")

    @property
    def total_calls(self) -> int:
        """How many times the student's code reached the target (methods and properties)."""
        return sum(self.counts.values())

    def serve(self, member: str, args: list, kwargs: dict):
        """Run one of the student's requests on the target: a method call or a property read.
        Raises ``OracleRefused`` for a member that is not served."""
        if member in self.methods:
            function = self.target if member == "__call__" else getattr(self.target, member)
        elif member in self.properties and not args and not kwargs:
            function = None
        else:
            raise OracleRefused(f"{self.name} has no method {member!r} for your code")
        if self.counts.get(member, 0) >= MAX_CALLS:
            raise OracleRefused(f"{self.name}.{member} was called more than {MAX_CALLS} times")
        self.counts[member] = self.counts.get(member, 0) + 1
        return getattr(self.target, member) if function is None else function(*args, **kwargs)


class OracleRefused(Exception):
    """The student's code asked an oracle for something it does not serve."""


def error_reply(exc: BaseException) -> dict:
    """An exception raised by the target, as the child re-raises it: built-in exception types keep
    their type (the statement may promise ``ValueError``), anything else becomes ``RuntimeError``."""
    name = type(exc).__name__
    if type(exc).__module__ != "builtins" or name not in _BUILTIN_ERRORS:
        name = "RuntimeError"
    return {"op": "oracle_reply", "ok": False, "type": name, "message": str(exc)[:1000]}
