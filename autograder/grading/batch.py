"""Grading many submissions: a local process pool by default, a Dask cluster when asked.

Owns the batch: which submissions still need grading (resumable: a result whose fingerprint matches
is kept), where work runs, and writing each result atomically the moment it arrives, from this
process only. Killing a batch at any point loses nothing finished and leaves no half-written file.
One submission never stops the batch: what cannot be read is ``not_graded`` with a one-line reason,
and a grading worker that fails gives that submission such a result too (regraded on the next run).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder.grading.cluster import run_on_dask
from autograder.grading.grade import RESULTS_FILE, problem_set_digest, tree_digest, unique_names
from autograder.grading.job import RETRY, Job, failed_result, grade_job
from autograder.grading.result import Result
from autograder.problemset import ProblemSet

Sink = Callable[[Result, Path], None]  # e.g. report.write_reports: called with a result and its folder


@dataclass
class BatchOutcome:
    results: list[Result]  # one per submission, in the order given
    graded: int  # graded in this run
    reused: int  # already graded with the same fingerprint, kept


def plan_batch(pset: ProblemSet, sources: Iterable[Path], out_dir: Path, *, regrade: bool = False,
               public_only: bool = False) -> tuple[list[Job], dict[Path, Result]]:
    """The jobs still to run, and the results that can be kept as they are."""
    sources = [Path(s) for s in sources]
    names = _folder_names(unique_names(sources))
    pset_print = problem_set_digest(pset)
    pending: list[Job] = []
    kept: dict[Path, Result] = {}
    for source in sources:
        fingerprint = hashlib.sha256(
            f"{autograder.__version__}\0{pset_print}\0{public_only}\0{tree_digest(source)}".encode()
        ).hexdigest()
        path = Path(out_dir) / names[source] / RESULTS_FILE
        for stale in path.parent.glob(".results-*.tmp"):  # a write cut short by a kill
            stale.unlink(missing_ok=True)
        previous = _read_result(path)
        if not regrade and previous is not None and previous.fingerprint == fingerprint:
            kept[source] = previous
        else:
            pending.append(Job(source, names[source], fingerprint, path))
    return pending, kept


def grade_batch(
    pset: ProblemSet,
    sources: Iterable[Path],
    out_dir: Path,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    regrade: bool = False,
    public_only: bool = False,
    on_result: Callable[[Path, Result, bool], None] | None = None,
    sinks: Sequence[Sink] = (),
    amend: Callable[[Path, Result], bool] | None = None,
) -> BatchOutcome:
    """Grade every submission not graded yet; ``on_result(source, result, reused)`` as each lands.
    Each freshly graded result is written to its folder's results.json, then handed to every sink
    (reports, say) with that folder: the batch knows no output format but its own. ``amend(source,
    result)`` (a late policy, say) changes every result before it is written, kept ones too, and
    says whether it changed anything: a kept result it changes is written again."""
    sources = [Path(s) for s in sources]
    pending, kept = plan_batch(pset, sources, out_dir, regrade=regrade, public_only=public_only)
    for source, result in kept.items():
        if amend is not None and amend(source, result):
            path = Path(out_dir) / result.submission / RESULTS_FILE
            result.write(path)
            for sink in sinks:
                sink(result, path.parent)
        if on_result is not None:
            on_result(source, result, True)
    fresh: dict[Path, Result] = {}
    with _stop_on_interrupt() as stop:
        for attempt in range(2):  # then once more for results a busy machine left undecided
            if scheduler:
                stream = run_on_dask(scheduler, pset, pending, public_only)
            else:
                stream = _run_locally(pset, pending, public_only, jobs or os.cpu_count() or 1, stop)
            for job, data in stream:
                result = Result.from_json(data)
                result.submission = job.name
                retry = result.fingerprint == RETRY or result.inconclusive  # graded again next run
                result.fingerprint = "" if retry else job.fingerprint
                if amend is not None:
                    amend(job.source, result)
                result.write(job.results_path)
                for sink in sinks:
                    sink(result, job.results_path.parent)
                fresh[job.source] = result
                if on_result is not None and (attempt == 1 or not result.inconclusive):
                    on_result(job.source, result, False)  # once per submission, when final
                if stop.is_set():
                    raise KeyboardInterrupt
            pending = [job for job in pending if fresh[job.source].inconclusive]
            if not pending:
                break
    by_source = kept | fresh
    return BatchOutcome([by_source[s] for s in sources if s in by_source], len(fresh), len(kept))


def _folder_names(names: dict[Path, str]) -> dict[Path, str]:
    """Result folder names that any file system takes: valid UTF-8, no control characters or
    separators, at most 120 bytes, still distinct."""
    safe: dict[Path, str] = {}
    taken: set[str] = set()
    for source, name in names.items():
        text = os.fsencode(name).decode("utf-8", "replace")
        text = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in text).strip(". ")
        text = text.encode()[:120].decode("utf-8", "ignore") or "submission"
        if text in taken:
            text = f"{text[:100]}-{hashlib.sha256(os.fsencode(str(source))).hexdigest()[:8]}"
        taken.add(text)
        safe[source] = text
    return safe


@contextlib.contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """Ctrl-C (SIGINT) sets an event that the batch checks between results, instead of raising
    KeyboardInterrupt wherever the signal lands: there it can be swallowed (inside a weakref
    callback during garbage collection Python prints "Exception ignored" and goes on, and the batch
    would run to the end) or cut a submission's checks short. Finished results are kept, the rest
    is left for the rerun; the batch then raises KeyboardInterrupt from a known place."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_locally(pset: ProblemSet, pending: list[Job], public_only: bool, jobs: int,
                 stop: threading.Event) -> Iterator[tuple[Job, dict]]:
    if jobs == 1 or len(pending) <= 1:
        for job in pending:
            if stop.is_set():
                raise KeyboardInterrupt
            yield job, grade_job(str(pset.root), str(job.source), public_only)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_die_with_parent)
    futures = {pool.submit(grade_job, str(pset.root), str(job.source), public_only): job
               for job in pending}
    waiting, finished = set(futures), False
    try:
        while waiting:
            done, waiting = wait(waiting, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    data = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died: this submission's result
                    data = failed_result(pset, futures[future].source, exc)
                yield futures[future], data
            if stop.is_set():
                raise KeyboardInterrupt
        finished = True
    finally:
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=finished, cancel_futures=True)
        if not finished:  # interrupted: the submissions in flight are left for the rerun
            for process in workers:
                process.kill()  # its sandboxed children die with it (die-with-parent)


def _die_with_parent() -> None:
    """Pool workers end when the batch process does (even by SIGKILL), instead of lingering."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:
        os._exit(1)


def _read_result(path: Path) -> Result | None:
    try:
        return Result.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
