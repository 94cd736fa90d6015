"""Tokens and scripts: how a text is cut into words, and which writing systems its letters belong to."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import numpy as np

# Letters of each script (code-point ranges); a text's scripts are the ones holding its letters.
SCRIPT_RANGES: Mapping[str, tuple[tuple[int, int], ...]] = {
    "Latin": ((0x00C0, 0x024F), (0x1E00, 0x1EFF)),  # and ASCII letters
    "Han": ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)),
    "Hiragana": ((0x3040, 0x309F),),
    "Katakana": ((0x30A0, 0x30FF),),
    "Hangul": ((0xAC00, 0xD7AF), (0x1100, 0x11FF)),
    "Devanagari": ((0x0900, 0x097F),),
    "Bengali": ((0x0980, 0x09FF),),
    "Tamil": ((0x0B80, 0x0BFF),),
    "Arabic": ((0x0600, 0x06FF),),
    "Cyrillic": ((0x0400, 0x04FF),),
    "Thai": ((0x0E00, 0x0E7F),),
}
SCRIPTS: Mapping[str, re.Pattern[str]] = {
    name: re.compile("[" + "".join(rf"\u{low:04x}-\u{high:04x}" for low, high in ranges) + "]+")
    for name, ranges in SCRIPT_RANGES.items()
}

# Scripts written without spaces are cut into characters; others into words and digit runs. A word holds its
# letters' combining marks: Python's \w leaves out vowel signs and viramas (categories Mn, Mc), which would cut
# "कस्टमर" into "कस", "टमर". MARKS are the marks of the scripts used here, and the joiners of Indic scripts.
_UNSPACED = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\u0e00-\u0e7f"
MARKS = (
    "\u0300-\u036f\u0900-\u0903\u093a-\u093c\u093e-\u094f\u0951-\u0957\u0962\u0963"
    "\u0981-\u0983\u09bc\u09be-\u09cd\u09d7\u09e2\u09e3\u0b82\u0bbe-\u0bcd\u0bd7\u200c\u200d"
)
TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W\d_{_UNSPACED}](?:[^\W_{_UNSPACED}]|[{MARKS}])*|\d+")

# TOKEN on ASCII text: the same tokens, found about twice as fast (no Unicode category tests).
_ASCII_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")


def tokens(text: str) -> list[str]:
    """TOKEN.findall(text), ASCII lines cut by _ASCII_TOKEN (no token spans a line break)."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text)
    tokens: list[str] = []
    add, ascii_findall, findall = tokens.extend, _ASCII_TOKEN.findall, TOKEN.findall
    for line in text.split("\n"):
        add(ascii_findall(line) if line.isascii() else findall(line))
    return tokens


# The _UNSPACED ranges as sorted code-point boundaries: a character is in one when an odd number of
# boundaries is at or below it.
_UNSPACED_EDGES = np.array(
    sorted(p for low, high in zip(_UNSPACED[0::3], _UNSPACED[2::3], strict=True) for p in (ord(low), ord(high) + 1)),
    np.uint32,
)


def unspaced_chars(text: str) -> int:
    """Characters of `text` in the _UNSPACED ranges (as counting the matches of `[_UNSPACED]`)."""
    if text.isascii():
        return 0
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return int(np.count_nonzero(np.searchsorted(_UNSPACED_EDGES, points, side="right") & 1))


def is_unspaced(text: str, tokens: Sequence[str]) -> bool:
    """Mostly written without spaces: most tokens are single CJK/Thai characters."""
    return unspaced_chars(text) * 2 > len(tokens)


def _script_ranges() -> tuple[np.ndarray, list[str]]:
    """Sorted code-point boundaries of the SCRIPT_RANGES and of ASCII letters, and the script of each bin
    between two boundaries ("" for none)."""
    ranges = [(ord("A"), ord("Z"), "Latin"), (ord("a"), ord("z"), "Latin")]
    ranges += [(low, high, name) for name, pairs in SCRIPT_RANGES.items() for low, high in pairs]
    ranges.sort()
    edges: list[int] = []
    names = [""]
    for low, high, name in ranges:
        edges += [low, high + 1]
        names += [name, ""]
    return np.array(edges, np.uint32), names


_SCRIPT_EDGES, _SCRIPT_OF_BIN = _script_ranges()


def scripts(text: str) -> Counter[str]:
    """Letters per script (see SCRIPTS; ASCII letters count as Latin), by binning the code points."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    per_bin = np.bincount(np.searchsorted(_SCRIPT_EDGES, points, side="right"), minlength=len(_SCRIPT_OF_BIN))
    letters = Counter(dict.fromkeys(("Latin", *SCRIPTS), 0))
    for name, count in zip(_SCRIPT_OF_BIN, per_bin.tolist(), strict=True):
        if name:
            letters[name] += count
    return +letters


def script_mismatch(text: str, expected: Collection[str]) -> tuple[float, str]:
    letters = scripts(text)
    total = sum(letters.values())
    unexpected = {name: n for name, n in letters.items() if name not in expected}
    if not total:
        return 0.0, ""
    return sum(unexpected.values()) / total, ", ".join(sorted(unexpected, key=lambda k: -unexpected[k]))


def fold(text: str) -> str:
    """Runs of white space folded to one space."""
    return " ".join(text.split())
