"""Python source as normalised tokens, k-gram hashes and winnowed fingerprints (Schleimer, Wilkerson
and Aiken's winnowing, as MOSS and Dolos use it).

Owns what "the same code" means: names become ``N``, numbers ``#`` and strings ``S``; comments,
blank lines, indentation and line breaks inside brackets vanish; ``;`` and a newline are one token.
So renaming and reformatting change nothing. Hashes are fixed functions of the text (never Python's
salted ``hash``): the same files give the same fingerprints in every run. Reads text only; never
imports or runs it.
"""

from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from dataclasses import dataclass

import numpy as np

K = 12  # tokens per k-gram: shorter shared runs are noise (a loop header is about 10 tokens)
WINDOW = 8  # winnowing window: every shared run of K + WINDOW - 1 = 19 tokens is sure to be found

_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
         tokenize.ENDMARKER}
_KEYWORDS = set(keyword.kwlist) | set(keyword.softkwlist)
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_BASE = np.uint64(0x100000001B3)  # the FNV prime: an odd multiplier for the polynomial hash
_IDS: dict[str, np.uint64] = {}


@dataclass(frozen=True)
class Tokens:
    """A file's normalised tokens and, for each, the lines it spans in the original text."""

    text: tuple[str, ...]
    first_line: np.ndarray  # 1-based line where each token starts
    last_line: np.ndarray  # 1-based line where it ends

    def __len__(self) -> int:
        return len(self.text)


def normalised_tokens(source: str) -> Tokens:
    """The tokens of ``source`` that carry its structure, identifiers and literals made anonymous.
    Text that does not tokenize to the end (a syntax error) keeps the tokens before the error."""
    text, first, last = [], [], []
    reader = io.StringIO(source).readline
    try:
        for tok in tokenize.generate_tokens(reader):
            kind = tok.type
            if kind in _SKIP:
                continue
            if kind == tokenize.NAME:
                value = tok.string if tok.string in _KEYWORDS else "N"
            elif kind == tokenize.NUMBER:
                value = "#"
            elif kind == tokenize.STRING:
                value = "S"
            elif kind == tokenize.NEWLINE or tok.string == ";":
                value = ";"
            elif kind == tokenize.ERRORTOKEN and not tok.string.strip():
                continue
            else:
                value = tok.string
            text.append(value)
            first.append(tok.start[0])
            last.append(tok.end[0])
    except (tokenize.TokenError, SyntaxError):
        pass  # an unterminated string or bracket, bad indentation: what came before still counts
    return Tokens(tuple(text), np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64))


def kgram_hashes(tokens: Tokens, k: int = K) -> np.ndarray:
    """One 64-bit hash per run of ``k`` consecutive tokens (``len(tokens) - k + 1`` of them)."""
    ids = np.fromiter((_token_id(t) for t in tokens.text), dtype=np.uint64, count=len(tokens))
    count = len(ids) - k + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):  # polynomial hash modulo 2**64, all windows at once
            hashes = hashes * _BASE + ids[j:j + count]
    return _mix(hashes)


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Positions of the fingerprints: in every ``window`` consecutive hashes the smallest (the
    rightmost if tied), each position once, in order."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))])
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost)


def covered(positions: np.ndarray, size: int, k: int = K) -> np.ndarray:
    """Which of ``size`` tokens lie in one of the k-grams starting at ``positions``."""
    marks = np.zeros(size + 1, dtype=np.int64)
    np.add.at(marks, positions, 1)
    np.add.at(marks, np.minimum(positions + k, size), -1)
    return np.cumsum(marks)[:size] > 0


def _token_id(text: str) -> np.uint64:
    found = _IDS.get(text)
    if found is None:
        found = _IDS[text] = np.uint64(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8)
                                                      .digest(), "little"))
    return found


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the polynomial hash over all 64 bits, so that the minimum in a
    window is a fair draw (winnowing keeps minima)."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (h ^ (h >> np.uint64(31))) & _MASK
