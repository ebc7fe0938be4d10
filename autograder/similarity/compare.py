"""Which pairs of submissions share unusually much code, module by module, and where.

Owns reading each submission's modules (through ``submission.prepare_submission``, the grader's own
unpacking rules), subtracting the released starter code (stubs and given files) and code that many
submissions share (idioms, the statement's hints), finding candidate pairs from winnowed fingerprints
in one sparse product, and scoring each candidate exactly: the share of both files' own tokens that
lie in matching fragments. Returns data; it never imports or runs a submission, never grades.
"""

from __future__ import annotations

import math
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse

from autograder.errors import UserError
from autograder.grading.grade import unique_names
from autograder.problemset import ProblemSet
from autograder.similarity.fingerprint import (
    WINDOW,
    K,
    Tokens,
    covered,
    kgram_hashes,
    normalised_tokens,
    winnow,
)
from autograder.submission import SubmissionError, prepare_submission

MAX_FILE_BYTES = 1 << 20  # a module larger than this is not compared (and said so)
MAX_REPEATS = 8  # positions per repeated k-gram used to seed fragments (a file that repeats itself)
MAX_SCORED = 5000  # candidate pairs scored exactly per module, the most alike by fingerprints first


class SimilarityError(UserError):
    """Nothing can be compared; the message says what to do."""


@dataclass(frozen=True)
class Fragment:
    """One matching region: token ranges ``[start, end)`` and the lines they span, in both files."""

    a_tokens: tuple[int, int]
    b_tokens: tuple[int, int]
    a_lines: tuple[int, int]
    b_lines: tuple[int, int]

    @property
    def length(self) -> int:
        return self.a_tokens[1] - self.a_tokens[0]


@dataclass
class ModuleFile:
    submission: str
    module: str
    text: str
    tokens: Tokens
    hashes: np.ndarray  # one per k-gram
    usable: np.ndarray  # per k-gram: neither starter code nor common to many submissions
    own: int  # tokens outside the starter code


@dataclass
class Pair:
    module: str
    a: str
    b: str
    similarity: float  # share of both files' own tokens in matching fragments
    longest: int  # tokens in the longest fragment
    fragments: list[Fragment]


@dataclass
class ModuleSummary:
    module: str
    files: int
    pairs: int  # pairs compared
    median: float  # estimated similarity over all pairs (from fingerprints)
    p95: float
    common_over: int  # a k-gram in more than this many files is common code, not evidence
    unscored: int = 0  # candidates past MAX_SCORED, not scored (a batch where nearly all code is alike)


@dataclass
class SimilarityReport:
    pset: str
    submissions: list[str]
    unreadable: list[tuple[str, str]]  # (submission, why)
    pairs: list[Pair]  # at or above ``min_similarity``, most similar first
    modules: list[ModuleSummary]
    files: dict[tuple[str, str], ModuleFile] = field(repr=False)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (submission, module, why)
    min_similarity: float = 0.0
    k: int = K
    window: int = WINDOW


def find_similar(
    pset: ProblemSet,
    sources: Iterable[Path],
    *,
    starter: Iterable[Path] = (),
    min_similarity: float = 0.3,
    common_fraction: float = 0.1,
    k: int = K,
    window: int = WINDOW,
    on_read: Callable[[str], None] | None = None,
) -> SimilarityReport:
    """Pairs of ``sources`` whose modules share at least ``min_similarity`` of their own code.

    ``starter``: files whose code is nobody's evidence (the released stubs and given files). A k-gram
    found in more than ``max(3, common_fraction × files)`` submissions is common code, not evidence.
    """
    sources = [Path(s) for s in sources]
    names = unique_names(sources)
    texts, unreadable, skipped = _read_modules(pset, sources, names, on_read)
    if len(texts) < 2:
        why = f" ({unreadable[0][0]}: {unreadable[0][1]})" if unreadable else ""
        raise SimilarityError(f"{len(texts)} of {len(sources)} submissions could be read{why}; "
                              f"similarity needs at least two")
    starter_hashes = np.unique(np.concatenate(
        [np.zeros(0, dtype=np.uint64)]
        + [kgram_hashes(normalised_tokens(_read_text(p)), k) for p in starter if Path(p).is_file()]))
    pairs, summaries, files = [], [], {}
    for module in pset.modules:
        mine = [_module_file(name, module, texts[name][module], starter_hashes, k)
                for name in texts if module in texts[name]]
        if len(mine) < 2:
            continue
        summary, found = _compare_module(module, mine, min_similarity, common_fraction, k, window)
        summaries.append(summary)
        pairs += found
        files.update({(f.submission, module): f for f in mine})
    pairs.sort(key=lambda p: (-p.similarity, -p.longest, p.module, p.a, p.b))
    return SimilarityReport(pset=pset.id, submissions=list(texts), unreadable=unreadable, pairs=pairs,
                            modules=summaries, files=files, skipped=skipped,
                            min_similarity=min_similarity, k=k, window=window)


def starter_files(released: ProblemSet) -> list[Path]:
    """The code every student got: the released folder's top-level ``.py`` files (stubs and given
    files) and the given files wherever they are."""
    root = released.root
    return sorted(set(root.glob("*.py")) | {root / rel for rel in released.given if rel.endswith(".py")})


def _read_modules(pset: ProblemSet, sources: list[Path], names: dict[Path, str],
                  on_read: Callable[[str], None] | None):
    texts: dict[str, dict[str, str]] = {}
    unreadable: list[tuple[str, str]] = []
    skipped: list[tuple[str, str, str]] = []
    for source in sources:
        name = names[source]
        with tempfile.TemporaryDirectory(prefix="autograder-similarity-") as tmp:
            try:
                root = prepare_submission(source, pset, Path(tmp)).root
            except SubmissionError as exc:
                unreadable.append((name, str(exc)))
                continue
            found = {}
            for module in pset.modules:
                path = root / (module.replace(".", "/") + ".py")
                if not path.is_file():
                    continue
                if path.stat().st_size > MAX_FILE_BYTES:
                    skipped.append((name, module, f"larger than {MAX_FILE_BYTES >> 20} MiB"))
                    continue
                found[module] = _read_text(path)
            texts[name] = found
        if on_read is not None:
            on_read(name)
    return texts, unreadable, skipped


def _read_text(path: Path) -> str:
    return Path(path).read_bytes().decode("utf-8", "replace")


def _module_file(name: str, module: str, text: str, starter: np.ndarray, k: int) -> ModuleFile:
    tokens = normalised_tokens(text)
    hashes = kgram_hashes(tokens, k)
    in_starter = np.isin(hashes, starter)
    own = len(tokens) - int(covered(np.nonzero(in_starter)[0], len(tokens), k).sum())
    return ModuleFile(name, module, text, tokens, hashes, ~in_starter, own)


def _compare_module(module: str, files: list[ModuleFile], min_similarity: float,
                    common_fraction: float, k: int, window: int) -> tuple[ModuleSummary, list[Pair]]:
    n = len(files)
    common_over = max(3, math.ceil(common_fraction * n))
    # Document frequency of each k-gram: code in many submissions is nobody's evidence.
    per_file = [np.unique(f.hashes[f.usable]) for f in files]
    values, counts = np.unique(np.concatenate(per_file), return_counts=True)
    common = values[counts > common_over]
    for f in files:
        f.usable &= ~np.isin(f.hashes, common)
    # Winnowed fingerprints -> a sparse file x fingerprint matrix; X Xᵀ counts what each pair shares.
    prints = []
    for f in files:
        chosen = winnow(f.hashes, window)
        prints.append(np.unique(f.hashes[chosen[f.usable[chosen]]]))
    sizes = np.array([len(p) for p in prints])
    vocabulary, columns = np.unique(np.concatenate(prints), return_inverse=True)
    rows = np.repeat(np.arange(n), sizes)
    matrix = scipy.sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)),
                                     shape=(n, len(vocabulary)))
    shared = (matrix @ matrix.T).toarray()
    smaller = np.maximum(np.minimum.outer(sizes, sizes), 1)
    estimate = np.triu(shared / smaller, k=1)
    upper = estimate[np.triu_indices(n, k=1)]
    summary = ModuleSummary(module, n, len(upper), float(np.median(upper)),
                            float(np.percentile(upper, 95)), common_over)
    found = []
    a_idx, b_idx = np.nonzero((np.triu(shared, k=1) > 0) & (estimate >= min_similarity / 2))
    candidates = sorted(zip(a_idx.tolist(), b_idx.tolist(), strict=True), key=lambda ij: -estimate[ij])
    summary.unscored = max(0, len(candidates) - MAX_SCORED)
    for i, j in candidates[:MAX_SCORED]:
        pair = _score_pair(files[i], files[j], k, window)
        if pair is not None and pair.similarity >= min_similarity:
            found.append(pair)
    return summary, found


def _score_pair(a: ModuleFile, b: ModuleFile, k: int, window: int) -> Pair | None:
    fragments = matching_fragments(a, b, k, shortest=k + window - 1)
    if not fragments or a.own + b.own == 0:
        return None
    in_a = np.zeros(len(a.tokens), dtype=bool)
    in_b = np.zeros(len(b.tokens), dtype=bool)
    for f in fragments:
        in_a[slice(*f.a_tokens)] = True
        in_b[slice(*f.b_tokens)] = True
    similarity = min(1.0, (int(in_a.sum()) + int(in_b.sum())) / (a.own + b.own))
    first, second = sorted([a, b], key=lambda f: f.submission)
    if first is not a:
        fragments = [Fragment(f.b_tokens, f.a_tokens, f.b_lines, f.a_lines) for f in fragments]
    return Pair(a.module, first.submission, second.submission, similarity,
                max(f.length for f in fragments), fragments)


def matching_fragments(a: ModuleFile, b: ModuleFile, k: int = K, shortest: int = K + WINDOW - 1
                       ) -> list[Fragment]:
    """Maximal runs of usable k-grams that follow each other in both files, longest first, none
    overlapping another in either file (greedy tiling, seeded by equal k-grams). Runs shorter than
    ``shortest`` tokens (default: what winnowing is sure to see) are chance, not fragments."""
    both = np.intersect1d(a.hashes[a.usable], b.hashes[b.usable])
    if len(both) == 0:
        return []
    where_b: dict[int, list[int]] = defaultdict(list)
    for j in np.nonzero(b.usable & np.isin(b.hashes, both))[0].tolist():
        where_b[int(b.hashes[j])].append(j)
    seeds = sorted((i - j, i) for i in np.nonzero(a.usable & np.isin(a.hashes, both))[0].tolist()
                   for j in where_b[int(a.hashes[i])][:MAX_REPEATS])
    runs = []  # (diagonal, first k-gram in a, last k-gram in a)
    for diagonal, i in seeds:
        if runs and runs[-1][0] == diagonal and runs[-1][2] == i - 1:
            runs[-1][2] = i
        else:
            runs.append([diagonal, i, i])
    runs.sort(key=lambda r: (-(r[2] - r[1]), r[1]))
    taken_a = np.zeros(len(a.tokens), dtype=bool)
    taken_b = np.zeros(len(b.tokens), dtype=bool)
    fragments = []
    for diagonal, start, last in runs:
        if last - start + k < shortest:
            break  # runs are sorted longest first
        a_span, b_span = (start, last + k), (start - diagonal, last - diagonal + k)
        if taken_a[slice(*a_span)].any() or taken_b[slice(*b_span)].any():
            continue
        taken_a[slice(*a_span)] = True
        taken_b[slice(*b_span)] = True
        fragments.append(Fragment(a_span, b_span, _lines(a.tokens, a_span), _lines(b.tokens, b_span)))
    return fragments


def _lines(tokens: Tokens, span: tuple[int, int]) -> tuple[int, int]:
    return int(tokens.first_line[span[0]]), int(tokens.last_line[span[1] - 1])
