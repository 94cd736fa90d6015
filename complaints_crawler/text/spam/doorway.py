"""Doorway-page evidence: keyword injection, listicle headings, compression and the page sample they read."""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import accumulate
from operator import itemgetter

import numpy as np

from complaints_crawler.text.spam.ngrams import NGrams, most_common
from complaints_crawler.text.spam.tokens import _UNSPACED, MARKS, TOKEN

MIN_REPETITION_TOKENS = 80
MIN_REPETITION_LINES = 3
SAMPLE_BYTES = 4000  # text longer than this (UTF-8) is sampled ...
SAMPLE_WINDOWS = 4  # ... as this many evenly spaced, line-aligned windows
PAGE_BYTES = 16_000  # every feature reads at most this much of a page, sampled alike

_CJK_TAIL = r"(?:推薦|推荐|分析|優點|优点|優勢|优势|懶人包|懒人包|詳解|详解|攻略|比較|比较|必看|必買|必买|絕密|秘訣)"
# Listicle headings (lower-case text):
#   \d+ ?[大個...].{0,12}?TAIL | 20\d\d.{0,8}?TAIL | 小編 | 小编 | \d+ (?:best|top|...)\b.*?20\d\d
#   | 20\d\d.*?\((?:updated|...) | (?:टॉप|बेस्ट|सबसे अच्छे).*?20\d\d          (. is [^\n])
# written as one leading character class, each branch then checking that character with a look-behind:
# a pattern that starts with a class lets the regex engine skip to candidate characters.
LISTICLE = re.compile(
    rf"[\d小टबस](?:(?<=\d)\d* ?[大個个款招種种間间部][^\n]{{0,12}}?{_CJK_TAIL}"
    rf"|(?<=2)0\d\d[^\n]{{0,8}}?{_CJK_TAIL}|(?<=小)[編编]"
    r"|(?<=\d)\d* (?:best|top|must-have|amazing|proven|easy|ways|tips|reasons|things|tricks|secrets)\b[^\n]*?20\d\d"
    r"|(?<=2)0\d\d[^\n]*?\((?:updated|latest|expert|editor)"
    r"|(?:(?<=ट)ॉप|(?<=ब)ेस्ट|(?<=स)बसे अच्छे)[^\n]*?20\d\d)"
)
_LISTICLE_MAX_LINE = 80  # headings are short lines


def sample(text: str, budget: int = SAMPLE_BYTES) -> str:
    """`text`, or SAMPLE_WINDOWS evenly spaced, non-overlapping windows of it, each starting at a line break
    (or where the previous one ended) and ending at one when one comes soon enough.

    The budget is in UTF-8 bytes, so a CJK page (one token a character) yields no more tokens than
    an English one."""
    if len(text) * 4 <= budget:  # no character takes more than 4 bytes
        return text
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    if size <= budget:
        return text
    width = len(text) * budget // size // SAMPLE_WINDOWS
    step = (len(text) - width) // (SAMPLE_WINDOWS - 1)
    windows = []
    last_end = 0
    for start in range(0, step * SAMPLE_WINDOWS, step):
        # From the line break before `start`, but never back into the previous window: text read twice
        # would look like repetition.
        begin = max(text.rfind("\n", 0, start) + 1, last_end)
        end = text.find("\n", begin + width, begin + 2 * width)
        last_end = end if end >= 0 else begin + width
        windows.append(text[begin:last_end])
    return "\n".join(windows)


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8", "surrogatepass")  # any str, lone surrogates included
    return len(data) / len(zlib.compress(data, 1))


def top_words_fraction(tokens: Sequence[str], grams: NGrams, top: int = 10) -> float:
    """Share of the words (digit runs left out) taken by the `top` most frequent ones."""
    words = len(tokens) - sum(map(str.isdigit, tokens))
    if not words:
        return 0.0
    counts, firsts = grams.groups(1)
    taken: list[int] = []
    for group in np.argsort(-counts, kind="stable").tolist():
        if not tokens[firsts[group]].isdigit():
            taken.append(int(counts[group]))
            if len(taken) == top:
                break
    return sum(taken) / words


def duplicate_lines(lines: Sequence[str], counts: Mapping[str, int]) -> tuple[float, float]:
    """Gopher: the share of lines, and of line characters, in lines that occur more than once (`counts`:
    occurrences of each of the non-empty `lines`)."""
    repeated = [(line, count) for line, count in counts.items() if count > 1]
    total = sum(map(len, lines))
    repeated_lines = sum(count for _, count in repeated)
    repeated_chars = sum(len(line) * count for line, count in repeated)
    return repeated_lines / len(lines), (repeated_chars / total if total else 0.0)


# A keyword is short: longer shared runs are templates (business-response boilerplate), not keywords.
_KEYWORD_MAX_TOKENS = {False: 5, True: 12}
_KEYWORD_SEED = {False: 2, True: 4}  # n-gram that seeds a keyword: word bigrams, CJK 4-character runs
_KEYWORD_MIN_LINES = 6
# A page of fewer lines is too short for a share of its lines to tell an injected keyword from its topic: five real
# legitimate pages of 6-9 lines (a help page on refunds, warranty terms, a lottery result) name theirs on nearly every
# line. Doorway pages run longer (seed 002: 57 lines). Round 15, from dev.
_KEYWORD_MIN_PAGE_LINES = 10
KEYWORD_MIN_SHARE = 0.20  # below this share of lines a phrase is no evidence (the low end of its hinge)
_KEYWORD_CANDIDATES = 3  # phrases grown and measured
_KEYWORD_SEEDS = 6  # most frequent seed n-grams looked at
_EDGE = ""  # neighbour of a phrase at a line's start or end


def keyword_injection(
    tokens: Sequence[str], grams: NGrams, lines: Sequence[str], unspaced: bool, text: str | None = None
) -> tuple[float, str]:
    """Largest (share of distinct lines holding a phrase) x (share of its occurrences with distinct
    neighbours), over the sample's most frequent short phrases, measured on all the (distinct,
    lower-case) `lines` (`text`: "\\n".join(lines), when the caller has it)."""
    if len(lines) < _KEYWORD_MIN_PAGE_LINES:
        return 0.0, ""
    seed = _KEYWORD_SEED[unspaced]
    if text is None:
        text = "\n".join(lines)
    starts: list[int] = []
    floor = max(KEYWORD_MIN_SHARE * len(lines), _KEYWORD_MIN_LINES)
    best, best_phrase = 0.0, ""
    grown: list[str] = []
    for gram, count in most_common(tokens, grams, seed, _KEYWORD_SEEDS):
        # Overlapping seeds of one phrase grow into it: measure each phrase once.
        if count < 2 or len(grown) >= _KEYWORD_CANDIDATES or any("\x1f".join(gram) in g for g in grown):
            continue
        # Cheap tests first: a phrase in too few lines cannot score, whatever its neighbours. Its longest token
        # occurs at least as often as the phrase, whatever separates the tokens (words joined by two spaces or a
        # comma count too).
        if text.count(max(gram, key=len)) < floor:
            continue
        starts = starts or line_starts(lines)
        if _lines_with(_phrase_pattern(gram, unspaced), text, starts) < floor:
            continue
        phrase, found = _grow_phrase(gram, text, unspaced)
        grown.append("\x1f".join(phrase))
        lines_with = len({bisect_right(starts, start) for start, _, _ in found})
        if len(phrase) > _KEYWORD_MAX_TOKENS[unspaced] or lines_with < floor:
            continue
        contexts = [(left, right) for _, left, right in found]
        value = lines_with / len(lines) * len(set(contexts)) / len(contexts)
        if value > best:
            best, best_phrase = value, ("" if unspaced else " ").join(phrase)
    return best, best_phrase


def _lines_with(pattern: re.Pattern[str], text: str, line_starts: Sequence[int]) -> int:
    return len({bisect_right(line_starts, m.start()) for m in pattern.finditer(text)})


def _phrase_pattern(phrase: Sequence[str], unspaced: bool) -> re.Pattern[str]:
    body = (r"[^\w\n]*" if unspaced else r"[^\w\n]+").join(map(re.escape, phrase))
    if unspaced:
        return re.compile(body)
    # Whole words; the look-behind follows the first word so the scan can skip ahead to it.
    first = re.escape(phrase[0])
    return re.compile(rf"{first}(?<![^\W_].{{{len(phrase[0])}}}){body[len(first) :]}(?![^\W_])")


# The token before a phrase, matched on the reversed text from the phrase's start backwards: white space and
# punctuation, then the token as a forward search of `(TOKEN)[^\w\n]*\Z` up to the phrase would find it
# (a single CJK/Thai character; else the longest run of letters and digits that starts with a letter; else
# digits), a line break or "_" ending the search. Reversed, it is one match instead of a search that tries
# every start in _NEIGHBOUR_REACH characters.
# Marks count as word characters inside a word; a run of marks with no word before it is skipped like punctuation.
_WORD_CHAR = rf"(?:[^\W_{_UNSPACED}]|[{MARKS}])"
_LEFT_TOKEN_REVERSED = re.compile(
    rf"(?:[^\w\n{MARKS}]|[{MARKS}]+(?!{_WORD_CHAR}*[^\W\d_{_UNSPACED}]))*+"
    rf"([{_UNSPACED}]|{_WORD_CHAR}*[^\W\d_{_UNSPACED}]|\d+)"
)
_RIGHT_TOKEN = re.compile(rf"[^\w\n]*({TOKEN.pattern})")
_NEIGHBOUR_REACH = 40  # characters searched for a neighbouring token


def _find(
    phrase: Sequence[str], text: str, unspaced: bool, reversed_text: str | None = None
) -> list[tuple[int, str, str]]:
    """(start, token before, token after) of each occurrence of `phrase`; _EDGE at a line's edge.
    `reversed_text`: text[::-1], when the caller has it."""
    found = []
    backwards = reversed_text if reversed_text is not None else text[::-1]
    size = len(text)
    left_match, right_match = _LEFT_TOKEN_REVERSED.match, _RIGHT_TOKEN.match
    for match in _phrase_pattern(phrase, unspaced).finditer(text):
        start = match.start()
        left = left_match(backwards, size - start, size - max(start - _NEIGHBOUR_REACH, 0))
        right = right_match(text, match.end())
        found.append((start, left.group(1)[::-1] if left else _EDGE, right.group(1) if right else _EDGE))
    return found


def _grow_phrase(
    gram: tuple[str, ...], text: str, unspaced: bool
) -> tuple[tuple[str, ...], list[tuple[int, str, str]]]:
    """Extend `gram` while 80% of its occurrences agree on the next token on one side; return the
    phrase and its occurrences."""
    phrase = gram
    backwards = text[::-1]
    found = _find(phrase, text, unspaced, backwards)
    while found and len(phrase) <= _KEYWORD_MAX_TOKENS[unspaced]:
        for side in (1, 2):
            word, count = Counter(map(itemgetter(side), found)).most_common(1)[0]
            if word != _EDGE and count >= 0.8 * len(found):
                phrase = (word, *phrase) if side == 1 else (*phrase, word)
                found = _find(phrase, text, unspaced, backwards)
                break
        else:
            break
    return phrase, found


def listicle_headings(lines: Sequence[str], lowered: Sequence[str]) -> tuple[float, str]:
    """Short lines that look like listicle headings (`lowered`: the `lines` lower-cased)."""
    short = [i for i, line in enumerate(lines) if len(line) <= _LISTICLE_MAX_LINE]
    short_lowered = list(map(lowered.__getitem__, short))
    found = [m.start() for m in LISTICLE.finditer("\n".join(short_lowered))]
    if not found:
        return 0.0, ""
    starts = line_starts(short_lowered)
    headings = sorted({bisect_right(starts, start) - 1 for start in found})
    return float(len(headings)), lines[short[headings[0]]] if headings else ""


def line_starts(lines: Sequence[str]) -> list[int]:
    """Offsets of `lines` in "\n".join(lines)."""
    return [0, *accumulate(len(line) + 1 for line in lines[:-1])]
