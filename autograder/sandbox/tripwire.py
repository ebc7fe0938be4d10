"""The runtime tripwire, armed inside the child: banned callables are wrapped to record their use.

Defence in depth behind the static scan (``grading.integrity``), which decides: the tripwire sees
names built at run time, but it lives in the child, where the student's code can disarm it, reach
the original behind a wrapper, or make the reply say nothing. What it reports can only add a
finding; its silence never clears one. Patterns mean what ``autograder.banned_names`` says.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types

from autograder.banned_names import is_banned

TRIPPED: list[str] = []
_STUDENT_ROOT = ["/nonexistent/"]


def _record(name: str) -> None:
    """Record a use only when the caller is the student's code: libraries (an allowed
    numpy.linalg.norm calling banned internals) and the grader's own code in the child use them too."""
    if sys._getframe(2).f_code.co_filename.startswith(_STUDENT_ROOT[0]):
        TRIPPED.append(name)


def _banned(name: str, banned: list[str], allowed: list[str]) -> bool:
    return is_banned(name, banned, allowed)


def arm(banned: list[str], allowed: list[str], student_root: str) -> int:
    """Import the banned packages and wrap their banned callables; returns how many were wrapped."""
    _STUDENT_ROOT[0] = student_root.rstrip("/") + "/"
    roots = {p.split(".")[0] for p in banned if not p.startswith("*")}
    for pattern in banned:
        prefix = pattern.split("*")[0].rstrip(".")
        for name in (prefix, prefix.rsplit(".", 1)[0]):
            if name and name.split(".")[0] in roots:
                try:
                    importlib.import_module(name)
                    break
                except Exception:  # noqa: BLE001 - not installed here: nothing to guard
                    continue
    wrapped = 0
    for module_name, module in list(sys.modules.items()):
        if module is None or not (module_name in roots or _banned(module_name + ".x", banned, allowed)):
            continue
        for attr, obj in list(vars(module).items()):
            full = f"{module_name}.{attr}"
            if not callable(obj) or not _banned(full, banned, allowed):
                continue
            owner = getattr(obj, "__module__", None) or ""
            qualname = getattr(obj, "__qualname__", None)
            canonical = f"{owner}.{qualname}" if owner and qualname else full
            if owner != module_name and not _banned(canonical, banned, allowed):
                continue  # a re-export from elsewhere (numpy.asarray inside numpy.linalg._linalg)
            if isinstance(obj, type):
                replacement = _tripped_class(full, obj)
            elif isinstance(obj, types.FunctionType | types.BuiltinFunctionType):
                replacement = _tripped_function(full, obj)
            else:
                replacement = _TrippedCallable(full, obj)  # ufuncs and other callable objects
            try:
                setattr(module, attr, replacement)
                wrapped += 1
            except (AttributeError, TypeError):
                pass
    return wrapped


def _tripped_function(name, original):
    @functools.wraps(original)
    def tripwire(*args, **kwargs):
        _record(name)
        return original(*args, **kwargs)

    return tripwire


class _TrippedCallable:
    """Stands in for a callable object (a numpy ufunc): records calls, forwards everything else."""

    def __init__(self, name, original):
        self._name, self._original = name, original

    def __call__(self, *args, **kwargs):
        _record(self._name)
        return self._original(*args, **kwargs)

    def __getattr__(self, attr):
        return getattr(self._original, attr)


def _tripped_class(name, original):
    def __init__(self, *args, **kwargs):
        _record(name)
        original.__init__(self, *args, **kwargs)

    return type(original.__name__, (original,), {
        "__init__": __init__, "__module__": original.__module__, "__qualname__": original.__qualname__,
    })
