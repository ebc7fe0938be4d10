"""When each submission was handed in, read from where its channel records it: nbgrader's
``timestamp.txt``, Gradescope's ``submission_metadata.json`` (``created_at``), a CSV the
instructor passes, or one value for all (CI: the push time). Never a file's modification time,
which a student sets. Reads files; judges nothing (``grading.deadline`` does).

Where each source is looked for:

- ``nbgrader``: ``<submission>/timestamp.txt`` (``submitted/<student>/<pset>/``, written by
  nbgrader's submit and kept by collect; for a ``.ipynb`` source, the file beside it);
- ``gradescope``: in the folder *above* the submission, ``submission_metadata.json`` (the
  autograder container's ``/autograder/``) or ``submission_metadata.yml`` (the "Download
  Submissions" export: ``:created_at`` of the entry named like the submission's folder); a file
  of that name inside the submission is the student's and never read;
- a CSV path: columns ``student,submitted_at`` (student: the submission's name under results/).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from autograder.deadline_policy import DeadlineError, parse_time, read_csv
from autograder.files import read_user_text

CHANNELS = ("nbgrader", "gradescope")
NBGRADER_FILE, GRADESCOPE_FILE = "timestamp.txt", "submission_metadata.json"
GRADESCOPE_EXPORT = "submission_metadata.yml"  # in the zip of "Download Submissions"


def submission_times(sources: dict[Path, str], zone: ZoneInfo, *, timestamps: str | None = None,
                     submitted_at: str | None = None) -> dict[Path, tuple[datetime, str]]:
    """Each source's submission time and where it came from, from ``timestamps`` (``nbgrader``,
    ``gradescope`` or a CSV path) or the one value ``submitted_at``. ``sources`` maps each
    submission to its name. Raises ``DeadlineError`` naming every submission without a time."""
    if (timestamps is None) == (submitted_at is None):
        raise DeadlineError("say when the submissions were handed in with one of --timestamps "
                            "nbgrader|gradescope|FILE.csv or --submitted-at TIME")
    if submitted_at is not None:
        moment = parse_time(submitted_at, zone, "--submitted-at")
        return {source: (moment, "--submitted-at") for source in sources}
    if timestamps in CHANNELS:
        read = _nbgrader if timestamps == "nbgrader" else _gradescope
        found, missing = {}, []
        for source, name in sources.items():
            try:
                found[source] = read(Path(source), zone)
            except FileNotFoundError as exc:
                missing.append((name, exc.filename))
        if missing:
            shown = ", ".join(f"{name} ({path})" for name, path in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise DeadlineError(f"no submission time for {shown}{more}; give their times in a CSV "
                                f"(--timestamps FILE.csv, columns student,submitted_at)")
        return found
    return _from_csv(Path(timestamps), sources, zone)


def _nbgrader(source: Path, zone: ZoneInfo) -> tuple[datetime, str]:
    path = (source.parent if source.suffix == ".ipynb" else source) / NBGRADER_FILE
    if not path.is_file():  # also a .zip or .py given as a submission: no folder to look in
        raise FileNotFoundError(2, "no timestamp", str(path))
    try:
        text = path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        raise DeadlineError(f"{path} is not text; collect the submission again with nbgrader") from None
    return parse_time(text, zone, str(path)), f"nbgrader {NBGRADER_FILE}"


def _gradescope(source: Path, zone: ZoneInfo) -> tuple[datetime, str]:
    folder = source.resolve().parent
    if (folder / GRADESCOPE_FILE).is_file():  # the autograder container: /autograder/
        path = folder / GRADESCOPE_FILE
        try:
            created = json.loads(path.read_text(encoding="utf-8"))["created_at"]
        except (ValueError, KeyError, TypeError):
            raise DeadlineError(f"{path} has no created_at; is it Gradescope's submission metadata?") \
                from None
        return parse_time(created, zone, str(path)), f"Gradescope {GRADESCOPE_FILE}"
    path = folder / GRADESCOPE_EXPORT  # "Download Submissions": one entry per submission_<id>/
    if not path.is_file():
        raise FileNotFoundError(2, "no Gradescope metadata", str(folder / GRADESCOPE_FILE))
    try:
        import yaml

        entry = yaml.safe_load(path.read_text(encoding="utf-8"))[source.name]
        created = entry[":created_at"]
    except ImportError:
        raise DeadlineError(f"reading {path} needs PyYAML: pip install pyyaml") from None
    except (yaml.YAMLError, KeyError, TypeError, UnicodeDecodeError):
        raise FileNotFoundError(2, "no entry", f"{path}: {source.name}") from None
    if isinstance(created, datetime) and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)  # PyYAML before 5.3 gives UTC without a zone
    return parse_time(created if isinstance(created, datetime) else str(created), zone, str(path)), \
        f"Gradescope {GRADESCOPE_EXPORT}"


def _from_csv(path: Path, sources: dict[Path, str], zone: ZoneInfo) -> dict[Path, tuple[datetime, str]]:
    text = read_user_text(path, "--timestamps", DeadlineError,
                          "pass nbgrader, gradescope or a CSV with columns student,submitted_at")
    table = read_csv(text, str(path))
    header = [h.strip() for h in (table[0] if table else [])]
    if not {"student", "submitted_at"} <= set(header):
        raise DeadlineError(f"{path}: the first line must be student,submitted_at")
    times: dict[str, datetime] = {}
    for number, cells in enumerate(table[1:], 2):
        row = dict(zip(header, cells, strict=False))
        student = (row.get("student") or "").strip()
        if not student:
            continue
        if student in times:
            raise DeadlineError(f"{path} line {number}: {student} appears twice; keep one time")
        times[student] = parse_time(row.get("submitted_at") or "", zone, f"{path} line {number}")
    missing = [name for name in sources.values() if name not in times]
    if missing:
        raise DeadlineError(f"{path} has no time for {', '.join(missing[:5])}"
                            f"{f' and {len(missing) - 5} more' if len(missing) > 5 else ''}; add a "
                            f"row student,submitted_at for each")
    return {source: (times[name], path.name) for source, name in sources.items()}
