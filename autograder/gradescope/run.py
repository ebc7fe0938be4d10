"""Inside Gradescope's container (``run_autograder`` calls it): grade the submission with the
bundled problem set and write results.json in Gradescope's format, atomically, after grading.

This process is the trusted side: it holds the hidden checks and writes the results; student code
runs only in the grader's sandboxed child. Prints a log for the instructor (Gradescope keeps stdout
hidden from students). Exit status 0 graded; 3 a check crashed (results are still written); 1 the
grader itself failed (no results.json: Gradescope then reports an autograder failure).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from autograder.export.gradescope import to_gradescope
from autograder.files import write_atomically
from autograder.grading.grade import grade_submission
from autograder.problemset import load_problem_set
from autograder.terminal_text import escape_controls


def find_submission(folder: Path) -> Path:
    """The folder itself, or the one .zip in it (an upload Gradescope did not unpack)."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")] if folder.is_dir() else []
    if len(entries) == 1 and entries[0].is_file() and entries[0].suffix == ".zip":
        return entries[0]
    return folder


def self_test(config_path: Path, course: Path) -> int:
    """Grade the bundled reference solution in this container: it must score full marks, or the
    grader cannot work here (a missing sandbox layer, a package that did not install). setup.sh runs
    this when Gradescope builds the image, so a broken image fails at upload, not on students."""
    config = json.loads(config_path.read_text())
    pset = load_problem_set(course / "solutions" / config["pset"])
    result = grade_submission(pset, pset.root)
    print(f"self-test: the reference scores {result.score:g}/{result.max_score:g}; sandbox layers: "
          f"{', '.join(result.environment.get('sandbox_layers', []))}")
    if result.full_marks and not result.grader_errors:
        return 0
    for check in result.tests:
        if check.status != "passed":
            print(escape_controls(f"  {check.status}: {check.nodeid}: {check.output}"))
    for error in result.grader_errors:
        print(escape_controls(f"  grader error: {error}"))
    print("self-test failed: this image cannot grade correctly; see the messages above")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope.run")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--course", type=Path, required=True)
    parser.add_argument("--submission", type=Path)
    parser.add_argument("--results", type=Path)
    parser.add_argument("--self-test", action="store_true",
                        help="grade the bundled reference; exit 1 unless it scores full marks here")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test(args.config, args.course)
    if args.submission is None or args.results is None:
        parser.error("--submission and --results are required")
    try:
        config = json.loads(args.config.read_text())
        pset = load_problem_set(args.course / "solutions" / config["pset"])
        result = grade_submission(pset, find_submission(args.submission))
        data = to_gradescope(result, hidden_visibility=config.get("hidden_visibility", "visible"),
                             visibility=config.get("visibility"),
                             leaderboard=bool(config.get("leaderboard", False)))
    except Exception:  # any failure here is the grader's: reported to the instructor, no results.json
        print("autograder: grading failed; no results.json written\n"
              + escape_controls(traceback.format_exc()))
        return 1
    # Gradescope reads the whole file or none of it; 0644 whatever the container's umask
    write_atomically(args.results, json.dumps(data, indent=2), mode=0o644)
    print(f"{result.pset}: {result.status}, {result.score:g}/{result.max_score:g} in "
          f"{result.execution_time:.1f} s")
    print(f"sandbox layers: {', '.join(result.environment.get('sandbox_layers', []))}")
    for error in result.grader_errors:
        print(escape_controls(f"grader error (a bug in the checks, not the submission):\n{error}"))
    return 3 if result.grader_errors else 0


if __name__ == "__main__":
    sys.exit(main())
