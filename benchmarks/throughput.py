"""Grading-day throughput: N copies of a problem set's sample submissions, graded with 1 worker and
with every core; then the same batch killed with SIGKILL halfway and resumed, compared with the
uninterrupted run; then, side by side, the first K of the batch as notebooks graded by the real
`nbgrader autograde`.

    python benchmarks/throughput.py [--pset ps1_linalg] [--copies 200] [--nbgrader-copies K]

Prints submissions per minute and whether the resumed run is identical (scores and every check).

The nbgrader column (K defaults to min(N, 20): nbgrader autograde runs one notebook at a time; 0
skips it): `autograder nbgrader export` writes an nbgrader course, `nbgrader generate_assignment`
releases the notebook, and each of the first K submissions becomes a student's notebook, the
released one with each module the sample has a file for replaced by that file (all of it in the
module's first cell, its other cells emptied; modules the sample lacks stay as released stubs),
collected as submitted/<submission>/PSET/. `nbgrader autograde PSET` grades them all in the Jupyter
kernel `python3`, here always this interpreter (a kernelspec in a private Jupyter data folder).
Printed: nbgrader's submissions per minute (the autograde command's wall time; export and release
not counted), the 1-worker `autograder grade` rate for the same K submissions where that run graded
them (its wall time when it graded exactly those K, else the sum of their own grading times), and
how many of the K have autograded scores in nbgrader's gradebook with their total next to
`autograder grade`'s total for the same K; and, like for like, the same K graded with the public
checks only (what the notebook's check cells hold), sandboxed, in one fresh process. The totals
differ by design where a kernel cannot judge a check (timing checks score 0 there) or where a
submission fools or kills its kernel (nbgrader then records nothing for it and exits with status 1,
said on its line; docs/nbgrader.md); nothing is asserted. Without nbgrader (or ipykernel) installed,
one line says so and the column is skipped.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_batch(pset: str, copies: int, root: Path) -> list[Path]:
    samples = sorted(p for p in (REPO / "examples" / pset).iterdir() if p.is_dir())
    subs = []
    for i in range(copies):
        sample = samples[i % len(samples)]
        target = root / f"{i:04d}-{sample.name}"
        shutil.copytree(sample, target, ignore=shutil.ignore_patterns("expected.toml", "__pycache__"))
        subs.append(target)
    return subs


def grade(pset: str, subs: list[Path], out: Path, jobs: int, *, kill_after: int | None = None) -> float:
    command = [sys.executable, "-m", "autograder", "--course", str(REPO), "grade", pset,
               *map(str, subs), "-o", str(out), "-j", str(jobs)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is not None:
        while len(list(out.glob("*/results.json"))) < kill_after and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
    process.wait()
    return time.perf_counter() - start


def results(out: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}


def comparable(out: Path) -> dict:
    return {p.parent.name: (d["score"], [(t["nodeid"], t["status"], t["score"]) for t in d["tests"]])
            for p in out.glob("*/results.json") for d in [json.loads(p.read_text())]}


def nbgrader_env(home: Path) -> dict:
    """This interpreter's tools first on PATH (nbgrader runs `alembic`), Jupyter's own paths private
    to the run (as tests/test_nbgrader.py does), and there a `python3` kernelspec that starts this
    interpreter, which has `autograder` for the check cells (the private data folder comes first)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        env[name] = str(home / sub)
    env["JUPYTER_PREFER_ENV_PATH"] = "0"
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    spec = home / "data" / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python"}))
    return env


def student_notebook(release: dict, sample: Path) -> dict:
    """The released notebook with each module the sample has a file for replaced by that file: all
    of it in the module's first code cell, its other cells empty. Other modules stay as released."""
    nb = copy.deepcopy(release)
    done: set[str] = set()
    for cell in nb["cells"]:
        ours = cell["metadata"].get("autograder", {})
        module = ours.get("module") if ours.get("role") == "code" else None
        if module is None or not (sample / f"{module}.py").is_file():
            continue
        cell["source"] = "" if module in done else (sample / f"{module}.py").read_text()
        done.add(module)
    return nb


def nbgrader_autograde(pset: str, subs: list[Path], nb_dir: Path, env: dict) -> tuple[float, int] | str:
    """Export, release, submit ``subs`` as notebooks, and time `nbgrader autograde`: (seconds, exit
    status), or why it could not run."""
    nb_dir.mkdir(parents=True)
    for what, args, cwd in (
            ("autograder nbgrader export", ["autograder", "--course", str(REPO), "nbgrader", "export",
                                            pset, "--course", str(nb_dir)], nb_dir.parent),
            ("nbgrader generate_assignment", ["nbgrader", "generate_assignment", pset, "--create"], nb_dir)):
        step = subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True,
                              text=True)
        if step.returncode != 0:
            last = (step.stderr.strip() or step.stdout.strip() or "no output").splitlines()[-1]
            return f"`{what}` failed ({last})"
    release = json.loads((nb_dir / "release" / pset / f"{pset}.ipynb").read_text())
    for sub in subs:
        folder = nb_dir / "submitted" / sub.name / pset
        folder.mkdir(parents=True)
        (folder / f"{pset}.ipynb").write_text(json.dumps(student_notebook(release, sub), indent=1))
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", pset], cwd=nb_dir, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, done.returncode


def nbgrader_scores(db: Path, pset: str) -> dict[str, float]:
    """Student -> autograded points, for the submissions whose every check cell nbgrader scored."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        return {s.student.id: s.code_score for s in gb.assignment_submissions(pset)
                if all(g.auto_score is not None for nb in s.notebooks for g in nb.grades
                       if g.cell.cell_type == "code")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pset", default="ps1_linalg")
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--nbgrader-copies", type=int, default=None, metavar="K",
                        help="grade the first K of the batch with nbgrader autograde too "
                             "(default: min(copies, 20); 0 skips it)")
    args = parser.parse_args()
    nb_copies = min(args.copies, 20 if args.nbgrader_copies is None else args.nbgrader_copies)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subs = make_batch(args.pset, args.copies, root / "subs")
        single = max(2, args.copies // 10)
        t1 = grade(args.pset, subs[:single], root / "one", 1)
        tn = grade(args.pset, subs, root / "all", cores)
        print(f"{args.pset}: {args.copies} copies of the samples in examples/{args.pset}")
        print(f"  1 worker:  {single / t1 * 60:7.1f} submissions/min ({single} graded in {t1:.1f} s)")
        print(f"  {cores} workers: {args.copies / tn * 60:7.1f} submissions/min "
              f"({args.copies} graded in {tn:.1f} s; {t1 / single * args.copies / tn:.2f}x)")
        grade(args.pset, subs, root / "killed", cores, kill_after=args.copies // 2)
        halfway = len(list((root / "killed").glob("*/results.json")))
        tr = grade(args.pset, subs, root / "killed", cores)
        same = comparable(root / "killed") == comparable(root / "all")
        print(f"  kill -9 after {halfway} results, rerun ({tr:.1f} s): "
              f"{len(list((root / 'killed').glob('*/results.json')))} results, "
              f"identical to the uninterrupted run: {'yes' if same else 'NO'}")
        if nb_copies > 0:
            compare_nbgrader(args.pset, subs[:nb_copies], root, single, t1)


def compare_nbgrader(pset: str, subs: list[Path], root: Path, single: int, t1: float) -> None:
    """The nbgrader column: the same submissions as notebooks, through `nbgrader autograde`."""
    k = len(subs)
    missing = [name for name in ("nbgrader", "ipykernel") if importlib.util.find_spec(name) is None]
    if missing:
        print(f"  nbgrader autograde: skipped, {' and '.join(missing)} not installed for {sys.executable}")
        return
    outcome = nbgrader_autograde(pset, subs, root / "nbgrader", nbgrader_env(root / "jupyter"))
    if isinstance(outcome, str):
        print(f"  nbgrader autograde: skipped, {outcome}")
        return
    tk, status = outcome
    note = "" if status == 0 else f"; it exited with status {status}"
    print(f"  nbgrader autograde: {k / tk * 60:7.1f} submissions/min ({k} graded in {tk:.1f} s, "
          f"1 process{note})")
    one = results(root / "one")
    times = [one[s.name]["execution_time"] for s in subs if s.name in one]
    if k == single:
        print(f"  autograder grade, same {k}: {k / t1 * 60:7.1f} submissions/min (the 1-worker run "
              f"above; nbgrader took {tk / t1:.2f}x as long)")
    elif len(times) == k and sum(times) > 0:
        print(f"  autograder grade, same {k}: {k / sum(times) * 60:7.1f} submissions/min (their own "
              f"grading times in the 1-worker run, {sum(times):.1f} s, start-up not counted)")
    else:
        print(f"  autograder grade, same {k}: not comparable (the 1-worker run graded the first {single})")
    db = root / "nbgrader" / "gradebook.db"
    scored = nbgrader_scores(db, pset) if db.is_file() else {}
    every = results(root / "all")
    ours_total = sum(every[s.name]["score"] for s in subs if s.name in every)
    print(f"  nbgrader gradebook: autograded scores for {len(scored)} of {k} submissions, total "
          f"{sum(scored.values()):g} (autograder grade, same {k}: {ours_total:g})")
    tp, checks = public_only(pset, subs)
    print(f"  like for like, the public checks only (what the notebook's check cells hold), the same {k} "
          f"in one process, sandboxed: {k / tp * 60:7.1f} submissions/min ({tp:.1f} s, interpreter start "
          f"included; {tp / tk:.2f}x nbgrader's time; {checks} checks run)")


PUBLIC_ONLY = """
import sys
from pathlib import Path
from autograder.grading.grade import grade_submission
from autograder.problemset import load_problem_set
pset = load_problem_set(Path(sys.argv[1]))
print(sum(len(grade_submission(pset, Path(s), public_only=True).tests) for s in sys.argv[2:]))
"""


def public_only(pset: str, subs: list[Path]) -> tuple[float, int]:
    """Seconds to grade ``subs`` with the public checks only (nbgrader's share of the work) in one
    fresh grading process, sandbox included, and how many checks that ran in all."""
    start = time.perf_counter()
    command = [sys.executable, "-c", PUBLIC_ONLY, str(REPO / "solutions" / pset), *map(str, subs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    return time.perf_counter() - start, int(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
