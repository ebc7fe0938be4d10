"""A results folder (what ``autograder grade -o RESULTS`` writes) read back: the one reader every
output that starts from RESULTS uses (the batch report, the exports). Reads; never re-scores.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.grade import RESULTS_FILE
from autograder.grading.result import Result


class ResultsFolderError(UserError):
    """The folder is not a whole graded batch of one problem set; the message says what to do."""


def read_results(folder: Path) -> list[Result]:
    """Every ``<submission>/results.json`` under ``folder``, in name order; one bad file stops it
    with a one-line ``ResultsFolderError`` (a report or an export of part of a batch would mislead)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsFolderError(f"{folder} is not a folder; pass the folder `autograder grade` wrote "
                                 f"(default: results/PSET)")
    paths = sorted(folder.glob(f"*/{RESULTS_FILE}"))
    if not paths:
        raise ResultsFolderError(f"{folder} holds no <submission>/{RESULTS_FILE}; grade first: "
                                 f"`autograder grade PSET SUBMISSIONS... -o {folder}`")
    results = []
    for path in paths:
        try:
            result = Result.from_json(json.loads(path.read_text()))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ResultsFolderError(
                f"{path} is not a result of `autograder grade` ({type(exc).__name__}); grade that "
                f"submission again with --regrade, or remove its folder") from None
        if result.scope != "all":
            raise ResultsFolderError(f"{path} holds public checks only (`autograder check --json`); "
                                     f"grade the submission with `autograder grade` first")
        results.append(result)
    psets = sorted({r.pset for r in results})
    if len(psets) > 1:
        raise ResultsFolderError(f"{folder} mixes results of {', '.join(psets)}; use one problem set's "
                                 f"folder at a time")
    return results
