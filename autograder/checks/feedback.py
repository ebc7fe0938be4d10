"""Pictures and notes a check attaches to its result, as data (reports draw them): the ``feedback``
fixture's object, and where pytest keeps them per check until the recorder reads them."""

from __future__ import annotations

import pytest

FIGURES = pytest.StashKey[list]()
NOTES = pytest.StashKey[list]()
_MAX_POINTS = 2000


class Feedback:
    """Pictures a check attaches to its result, as data; reports draw them."""

    def __init__(self, figures: list, notes: list | None = None):
        self._figures = figures
        self._notes = notes if notes is not None else []

    def note(self, text: str) -> None:
        """A line for the check's output, shown whatever its status (e.g. where a timing ran)."""
        self._notes.append(str(text)[:1000])

    def curve(self, title: str, series: dict[str, list[float]], *, log_y: bool = False,
              xlabel: str = "", ylabel: str = "") -> None:
        """Lines, e.g. ``{"yours": f_k - f*, "reference": ...}`` per iteration."""
        clean = {str(k): [float(v) for v in list(values)[:_MAX_POINTS]] for k, values in series.items()}
        self._figures.append({"kind": "curve", "title": title, "series": clean, "log_y": log_y,
                              "xlabel": xlabel, "ylabel": ylabel})

    def bars(self, title: str, values: dict[str, float], *, threshold: float | None = None,
             ylabel: str = "") -> None:
        """Bars, e.g. timing ratios, with an optional threshold line."""
        self._figures.append({"kind": "bars", "title": title, "ylabel": ylabel,
                              "values": {str(k): float(v) for k, v in values.items()},
                              "threshold": None if threshold is None else float(threshold)})
