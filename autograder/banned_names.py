"""What a problem's ``banned`` and ``allowed`` patterns cover: one definition of the matching, used by
the static scan (``grading.integrity``) and the runtime tripwire (``sandbox.tripwire``).

Pure functions on dotted names; they import nothing and run nothing.

Patterns are matched segment by segment, exactly along the module path: ``*`` inside a segment
matches within that segment only (``torch._fused_*`` covers ``torch._fused_adam_``, never
``helpers.my_fused_step``); a final ``.*`` covers everything beneath a module (``torch.optim.*``
covers ``torch.optim.adam.Adam``); and a pattern covers what is reached through a name it covers
(``numpy.multiply.reduce`` is ``numpy.multiply``).
"""

from __future__ import annotations

import fnmatch


def _segments(dotted: str) -> list[str]:
    return dotted.split(".")


def covers(pattern: str, name: str) -> bool:
    """Does ``pattern`` cover ``name`` (the name itself or something reached through it)?"""
    want, have = _segments(pattern), _segments(name)
    if want[-1] == "*":
        want = want[:-1]
        if len(have) <= len(want):
            return False  # "torch.optim.*" is what lies beneath torch.optim, not the module itself
    if len(have) < len(want):
        return False
    return all(fnmatch.fnmatchcase(h, w) for h, w in zip(have, want, strict=False))


def is_banned(name: str, banned: tuple[str, ...] | list[str], allowed: tuple[str, ...] | list[str]) -> bool:
    """Covered by a ban and by no allowed exception."""
    if any(covers(a, name) for a in allowed):
        return False
    return any(covers(b, name) for b in banned)


def holds_banned(name: str, banned: tuple[str, ...] | list[str]) -> bool:
    """``name`` is a namespace on the way to banned names (``torch``, ``torch.optim`` for
    ``torch.optim.*``): whoever holds it as a value can reach them."""
    have = _segments(name)
    for pattern in banned:
        want = _segments(pattern)
        if len(have) < len(want) and all(fnmatch.fnmatchcase(h, w)
                                          for h, w in zip(have, want, strict=False)):
            return True
    return False


def is_banned_module(name: str, banned: tuple[str, ...] | list[str]) -> bool:
    """``name`` is a module whose every member is banned (``torch.optim`` for ``torch.optim.*``):
    using it as a value is using the ban, whatever is looked up in it later."""
    return any(covers(pattern, name + ".x") and pattern.endswith(".*")
               and len(_segments(pattern)) == len(_segments(name)) + 1 for pattern in banned)
