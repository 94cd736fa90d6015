"""Site-independent SEO/helpline spam scorer for pages and posts.

`score(text)` measures content features with a published track record and combines them in a
transparent logistic sum; `score_html(html)` renders the page as a browser would and scores its text.

Features (each becomes a `Reason` carrying its measured value):

- Ntoulas et al. 2006, "Detecting spam web pages through content analysis": compression ratio
  (zlib level 1, of the text with repeated lines kept once, so page chrome does not count; at most
  `PAGE_BYTES` of it, see below), share of the text taken by the page's 10 most frequent words;
  word count and mean word length are reported in `features` but not weighted (on raw text they do
  not separate here).
- Rae et al. 2021 (Gopher) repetition rules: duplicate-line fraction and duplicate-line character
  fraction; character share of the most frequent 2/3/4-gram; character share covered by duplicated
  5..10-grams. N-grams are over words for space-separated scripts and over characters for scripts
  written without spaces (Han, kana, Thai). The n-gram rules run on the text with duplicate lines
  removed, so repeated page chrome (a status legend on every card) counts once and only in the
  duplicate-line rules, which carry little weight.
- keyword injection: one short phrase found in many distinct lines with different words around it
  each time (doorway generators paste their keyword into scraped sentences and headings).
- listicle headings: "空中瑜珈減肥7大分析2025!(小編貼心推薦)", "Top 10 best ... 2025".
- helpline spam: phone numbers next to "customer care", "helpline", "toll free", "call now", ...
- script mismatch with the scripts a site is expected to use; its weight is below the bias, so it
  never flags a page alone.

Each activation is a hinge (value - low) / (high - low) clipped to [0, 1]; z = BIAS + sum(weight *
activation); score = sigmoid(z). With BIAS = -4 and the default threshold 0.5, the weights add up to
4 before a text is flagged. Repetition features need `MIN_REPETITION_TOKENS` tokens and
`MIN_REPETITION_LINES` lines, so one- or two-line posts are never flagged by them.

Pages are long and the check runs on every response, so a page is first cut to `PAGE_BYTES` (16 KB) of
evenly spaced, line-aligned windows: the cost of a page is bounded whatever its length, and a doorway's
injected keyword and repetitions run through the whole page, so the windows carry them. Every text of
the labelled corpus but four long pages is read whole. Within that, token features (Gopher n-grams, top
words, helpline numbers, scripts) use a smaller sample: `SAMPLE_WINDOWS` evenly spaced, line-aligned windows of
`SAMPLE_BYTES` in all (the whole text when it is shorter). Keyword injection seeds its candidate phrases
from the sample and measures them on every distinct line. The compression ratio, listicle headings,
duplicate lines and keyword injection see all of the page's 16 KB. The n-gram features count with numpy (one sort of the sample's token positions serves every n),
which gives the same values as counting n-gram tuples.
"""

from __future__ import annotations

import math
import re
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter

import numpy as np

from complaints_crawler.text.html_text import element_text, parse_html

DEFAULT_THRESHOLD = 0.5
BIAS = -4.0

MIN_REPETITION_TOKENS = 80
MIN_REPETITION_LINES = 3
SAMPLE_BYTES = 4000  # text longer than this (UTF-8) is sampled ...
SAMPLE_WINDOWS = 4  # ... as this many evenly spaced, line-aligned windows
PAGE_BYTES = 16_000  # every feature reads at most this much of a page, sampled alike

# Gopher (Rae et al. 2021, table A1) limits, used to scale the repetition features.
GOPHER_TOP_NGRAM = {2: 0.20, 3: 0.18, 4: 0.16}
GOPHER_DUP_NGRAM = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}


@dataclass(frozen=True)
class Feature:
    """How a measured value becomes evidence: hinge from `low` to `high`, times `weight`."""

    name: str
    low: float
    high: float
    weight: float
    explanation: str


# The scorer's whole model; the README of fixtures/spam and the report quote these numbers.
FEATURES: Mapping[str, Feature] = {
    f.name: f
    for f in (
        Feature("keyword_injection", 0.20, 0.45, 5.0, "phrase {detail!r} is pasted across distinct lines in varied contexts (line share x context diversity {value:.2f})"),
        Feature("helpline_numbers", 1.0, 3.0, 5.0, "phone numbers beside helpline wording score {value:.0f} (call-to-action wording counts twice)"),
        Feature("listicle_headings", 1.0, 4.0, 2.5, "{value:.0f} listicle headings such as {detail!r}"),
        Feature("gopher_ngram_repetition", 1.0, 3.0, 3.0, "{detail} is {value:.2f}x its Gopher limit"),
        Feature("compression_ratio", 4.0, 6.0, 2.0, "text compresses {value:.2f}:1 (Ntoulas: spam above ~4)"),
        Feature("top_words_fraction", 0.35, 0.55, 1.5, "the 10 most frequent words are {value:.0%} of the words"),
        Feature("duplicate_line_chars", 0.20, 0.50, 1.0, "{value:.0%} of line characters are in repeated lines (Gopher limit 20%)"),
        Feature("script_mismatch", 0.30, 0.80, 2.0, "{value:.0%} of letters are in unexpected scripts ({detail})"),
    )
}

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

# Scripts written without spaces are cut into characters; others into words (letters with their
# combining marks, so Devanagari words stay whole) and digit runs.
_UNSPACED = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\u0e00-\u0e7f"
TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W\d_{_UNSPACED}][^\W_{_UNSPACED}]*|\d+")

# TOKEN on ASCII text: the same tokens, found about twice as fast (no Unicode category tests).
_ASCII_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")


def _tokens(text: str) -> list[str]:
    """TOKEN.findall(text), ASCII lines cut by _ASCII_TOKEN (no token spans a line break)."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text)
    tokens: list[str] = []
    add, ascii_findall, findall = tokens.extend, _ASCII_TOKEN.findall, TOKEN.findall
    for line in text.split("\n"):
        add(ascii_findall(line) if line.isascii() else findall(line))
    return tokens


_CJK_TAIL = r"(?:推薦|推荐|分析|優點|优点|優勢|优势|懶人包|懒人包|詳解|详解|攻略|比較|比较|必看|必買|必买|絕密|秘訣)"
# Listicle headings (lower-case text):
#   \d+ ?[大個...].{0,12}?TAIL | 20\d\d.{0,8}?TAIL | 小編 | 小编 | \d+ (?:best|top|...)\b.*?20\d\d
#   | 20\d\d.*?\((?:updated|...) | (?:टॉप|बेस्ट|सबसे अच्छे).*?20\d\d          (. is [^\n])
# written as one leading character class, each branch then checking that character with a look-behind:
# a pattern that starts with a class lets the regex engine skip to candidate characters.
LISTICLE = re.compile(
    rf"[\d小टबस](?:(?<=\d)\d* ?[大個个款招種种間间部][^\n]{{0,12}}?{_CJK_TAIL}|(?<=2)0\d\d[^\n]{{0,8}}?{_CJK_TAIL}|(?<=小)[編编]"
    r"|(?<=\d)\d* (?:best|top|must-have|amazing|proven|easy|ways|tips|reasons|things|tricks|secrets)\b[^\n]*?20\d\d"
    r"|(?<=2)0\d\d[^\n]*?\((?:updated|latest|expert|editor)"
    r"|(?:(?<=ट)ॉप|(?<=ब)ेस्ट|(?<=स)बसे अच्छे)[^\n]*?20\d\d)"
)
_LISTICLE_MAX_LINE = 80  # headings are short lines

# The look-behind follows the first character so the scan can skip ahead to candidate characters.
PHONE = re.compile(r"[+(\d](?<![\w*].)[\d \-().]{6,16}\d(?![\w*])")
# Lower-case, with runs of white space folded to one space. Complainants name a helpline too ...
HELPLINE_CUES = (
    "customer care", "customer support number", "customer service number", "helpline", "help line",
    "toll free", "toll-free", "tollfree", "contact number", "contact no", "refund number",
    "हेल्पलाइन", "कस्टमर केयर", "टोल फ्री",
)
# ... but they do not advertise it: a number next to one of these counts twice.
PROMOTION_CUES = (
    "call now", "call us", "call @", "call kare", "call karo", "dial ", "contact now", "whatsapp", "whats app",
    "24x7", "24*7", "24/7", "official", "कॉल करें", "संपर्क करें",
)
_CUE_REACH = 60  # characters either side of a number that may hold its cue


@dataclass(frozen=True)
class Reason:
    name: str
    value: float
    contribution: float  # weight * activation, added to the logit
    explanation: str


@dataclass(frozen=True)
class SpamScore:
    score: float
    is_spam: bool
    threshold: float
    reasons: tuple[Reason, ...]  # contributing reasons, largest contribution first
    features: Mapping[str, float] = field(default_factory=dict)

    def reason(self, name: str) -> Reason | None:
        return next((r for r in self.reasons if r.name == name), None)


def score_html(
    html: str | bytes, expected_scripts: Collection[str] | None = None, threshold: float = DEFAULT_THRESHOLD
) -> SpamScore:
    """Score the text a browser would show for `html` (scripts, styles and hidden markup ignored)."""
    text = element_text(parse_html(html))
    result = score(text, expected_scripts, threshold)
    size = len(html)
    visible = len(text.encode() if isinstance(html, bytes) else text) / size if size else 0.0
    # Ntoulas' fraction of visible content: reported, not weighted (fixture pages are bare HTML).
    return SpamScore(result.score, result.is_spam, threshold, result.reasons, {**result.features, "visible_fraction": visible})


def score(text: str, expected_scripts: Collection[str] | None = None, threshold: float = DEFAULT_THRESHOLD) -> SpamScore:
    """Spam score of `text`; `expected_scripts` names the scripts the source normally uses (see SCRIPTS)."""
    values, details = measure(text, expected_scripts)
    logit = BIAS
    reasons: list[Reason] = []
    for name, feature in FEATURES.items():
        if name not in values:
            continue
        value = values[name]
        contribution = feature.weight * _hinge(value, feature.low, feature.high)
        logit += contribution
        if contribution > 0:
            explanation = feature.explanation.format(value=value, detail=details.get(name, ""))
            reasons.append(Reason(name, value, contribution, explanation))
    reasons.sort(key=lambda r: -r.contribution)
    probability = 1.0 / (1.0 + math.exp(-logit))
    return SpamScore(probability, probability >= threshold, threshold, tuple(reasons), values)


def _hinge(value: float, low: float, high: float) -> float:
    return min(max((value - low) / (high - low), 0.0), 1.0)


def measure(text: str, expected_scripts: Collection[str] | None = None) -> tuple[dict[str, float], dict[str, str]]:
    """All feature values of `text` and, per feature, a detail for its explanation."""
    values: dict[str, float] = {}
    details: dict[str, str] = {}
    # Bounded work per page: a long page is read as evenly spaced windows of PAGE_BYTES in all (a doorway's
    # injected keyword and repetitions run through the whole page, so every window carries them).
    text = _sample(text, PAGE_BYTES)
    all_lines = list(filter(None, map(str.strip, text.split("\n"))))
    line_counts = Counter(all_lines)
    # Non-empty lines, each once, in order: repeated chrome is measured by the duplicate-line rules only.
    lines = list(line_counts)
    # Lower-cased line by line: the same text as lowering the joined lines, and much faster when most lines
    # are ASCII and a few are not (str.lower() of a non-ASCII string takes the slow path for every character).
    lowered_lines = list(map(str.lower, lines))
    lowered_text = "\n".join(lowered_lines)
    sample = _sample(lowered_text)
    tokens = _tokens(sample)
    lengths = list(map(len, tokens))
    values["words"] = len(tokens)
    values["mean_word_length"] = sum(lengths) / len(tokens) if tokens else 0.0

    values["helpline_numbers"] = _helpline_numbers(sample)
    values["listicle_headings"], details["listicle_headings"] = _listicle_headings(lines, lowered_lines)
    if expected_scripts is not None:
        values["script_mismatch"], details["script_mismatch"] = _script_mismatch(sample, expected_scripts)
    if len(tokens) < MIN_REPETITION_TOKENS or len(lines) < MIN_REPETITION_LINES:
        return values, details

    values["compression_ratio"] = _compression_ratio("\n".join(lines))
    grams = _NGrams(tokens)
    values["top_words_fraction"] = _top_words_fraction(tokens, grams)
    values["duplicate_lines"], values["duplicate_line_chars"] = _duplicate_lines(all_lines, line_counts)
    gopher = _gopher_ngrams(tokens, grams, lengths)
    values.update(gopher)
    worst = max(gopher, key=gopher.__getitem__)
    values["gopher_ngram_repetition"] = gopher[worst] / _gopher_limit(worst)
    details["gopher_ngram_repetition"] = f"{worst} {gopher[worst]:.2f}"
    unspaced = _is_unspaced(sample, tokens)
    values["keyword_injection"], details["keyword_injection"] = _keyword_injection(
        tokens, grams, lowered_lines, unspaced, lowered_text
    )
    return values, details


def _sample(text: str, budget: int = SAMPLE_BYTES) -> str:
    """`text`, or SAMPLE_WINDOWS evenly spaced, non-overlapping windows of it, each starting at a line break
    (or where the previous one ended) and ending at one when one comes soon enough.

    The budget is in UTF-8 bytes, so a CJK page (one token a character) yields no more tokens than
    an English one."""
    if len(text) * 4 <= budget:  # no character takes more than 4 bytes
        return text
    size = len(text) if text.isascii() else len(text.encode())
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


def _compression_ratio(text: str) -> float:
    data = text.encode()
    return len(data) / len(zlib.compress(data, 1))


def _top_words_fraction(tokens: Sequence[str], grams: _NGrams, top: int = 10) -> float:
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


def _duplicate_lines(lines: Sequence[str], counts: Mapping[str, int]) -> tuple[float, float]:
    """Gopher: the share of lines, and of line characters, in lines that occur more than once (`counts`:
    occurrences of each of the non-empty `lines`)."""
    repeated = [(line, count) for line, count in counts.items() if count > 1]
    total = sum(map(len, lines))
    repeated_lines = sum(count for _, count in repeated)
    repeated_chars = sum(len(line) * count for line, count in repeated)
    return repeated_lines / len(lines), (repeated_chars / total if total else 0.0)


def _gopher_limit(name: str) -> float:
    n = int(name.split("_")[1][0:-4])
    return GOPHER_TOP_NGRAM[n] if name.startswith("top_") else GOPHER_DUP_NGRAM[n]


_GRAM_MAX = max(GOPHER_DUP_NGRAM)


class _NGrams:
    """The token n-grams of a text for every n up to _GRAM_MAX, from one sort: the start positions ordered
    by the tokens that follow them (a suffix array cut at _GRAM_MAX tokens), so the occurrences of any
    n-gram are neighbours, and for each neighbour pair the number of leading tokens they share. numpy
    does in a few passes what Counter over n-gram tuples did in a Python-level pass per n."""

    def __init__(self, tokens: Sequence[str]) -> None:
        size = self.size = len(tokens)
        # One code > 0 per distinct token (tokens told apart by hash, as n-gram tuples were before). Plain
        # array operations throughout: numpy's Python-level helpers (unique, insert, diff, ...) cost more
        # than the arithmetic at these sizes.
        hashes = np.fromiter(map(hash, tokens), np.int64, size)
        by_hash = hashes.argsort()
        ordered_hashes = hashes[by_hash]
        # Code 0 past the end: an n-gram that runs off the text equals no other.
        codes = np.zeros(size + _GRAM_MAX - 1, np.int64)
        codes[by_hash[0]] = 1
        codes[by_hash[1:]] = (ordered_hashes[1:] != ordered_hashes[:-1]).cumsum() + 1
        # Row i: the codes of tokens i .. i + _GRAM_MAX - 1 (a read-only view).
        rows = np.ndarray((size, _GRAM_MAX), np.int64, codes, 0, codes.strides * 2)
        # Sort keys: as many codes packed into an int64 as fit, the first code in the highest bits.
        bits = size.bit_length()
        width = 63 // bits
        keys = []
        for first in range(0, _GRAM_MAX, width):
            count = min(width, _GRAM_MAX - first)
            keys.append(rows[:, first : first + count] @ (1 << np.arange(count - 1, -1, -1, dtype=np.int64) * bits))
        # Sorted by the last key, then stably by each earlier one (what np.lexsort does, in less time). Equal
        # keys throughout are equal rows, so the first sort need not be stable.
        order = keys[-1].argsort()
        for key in keys[-2::-1]:
            order = order[key[order].argsort(kind="stable")]
        self.order = order
        ordered = rows[order]
        # Leading codes shared with the previous row: the first column that differs, past a column that always does.
        differ = np.ones((size - 1, _GRAM_MAX + 1), bool)
        np.not_equal(ordered[1:], ordered[:-1], out=differ[:, :_GRAM_MAX])
        self.shared = differ.argmax(axis=1)

    def groups(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Occurrences and first start position of each distinct n-gram (those running off the end, once each)."""
        starts = np.empty(self.size, bool)
        starts[0] = True
        np.less(self.shared, n, out=starts[1:])
        bounds = np.flatnonzero(np.append(starts, True))
        return bounds[1:] - bounds[:-1], np.minimum.reduceat(self.order, bounds[:-1])

    def most_frequent(self, ns: Sequence[int]) -> list[tuple[int, int]]:
        """For each n of `ns`, (occurrences, first start) of its most frequent n-gram; of equally frequent
        ones, the one that occurs first."""
        size = self.size
        column = np.array(ns)[:, None]
        starts = np.ones((len(ns), size), bool)  # group starts, in sorted order, one row per n
        np.less(self.shared, column, out=starts[:, 1:])
        group = starts.cumsum(axis=1) + np.arange(-1, len(ns) * size - 1, size)[:, None]
        counts = np.bincount(group.reshape(-1), minlength=len(ns) * size)[group]
        top = counts.max(axis=1)
        firsts = np.where(counts == top[:, None], self.order, size).min(axis=1)
        return list(zip(top.tolist(), firsts.tolist()))

    def covered(self, ns: Sequence[int], weights: np.ndarray) -> list[int]:
        """For each n of `ns`, the sum of `weights` (one per token) over the tokens inside n-grams that occur
        more than once."""
        size = self.size
        shared = np.zeros(size + 1, np.int64)
        shared[1:size] = self.shared
        longest = np.empty(size, np.int64)  # per start position, the most leading tokens it shares with another
        longest[self.order] = np.maximum(shared[:-1], shared[1:])
        column = np.array(ns)[:, None]
        # Token j is covered when a duplicated n-gram starts in j - n + 1 .. j: a difference of running counts.
        running = np.zeros((len(ns), size + _GRAM_MAX), np.int64)
        np.cumsum(longest >= column, axis=1, out=running[:, _GRAM_MAX:])
        before = np.empty((len(ns), size), np.int64)  # the running count n tokens back, copied row by row
        for row, n in enumerate(ns):
            before[row] = running[row, _GRAM_MAX - n : _GRAM_MAX - n + size]
        return ((running[:, _GRAM_MAX:] > before) @ weights).tolist()


def _gopher_ngrams(tokens: Sequence[str], grams: _NGrams, lengths: Sequence[int] | None = None) -> dict[str, float]:
    """Gopher's n-gram repetition: character share of the top 2/3/4-gram and of duplicated 5..10-grams
    (`lengths`: the tokens' lengths, when the caller has them)."""
    if lengths is None:
        lengths = list(map(len, tokens))
    total = sum(lengths) or 1
    out: dict[str, float] = {}
    for (n, (count, start)) in zip(GOPHER_TOP_NGRAM, grams.most_frequent(list(GOPHER_TOP_NGRAM))):
        out[f"top_{n}gram"] = sum(lengths[start : start + n]) * count / total if count > 1 else 0.0
    for n, chars in zip(GOPHER_DUP_NGRAM, grams.covered(list(GOPHER_DUP_NGRAM), np.fromiter(lengths, np.int64, len(lengths)))):
        out[f"dup_{n}gram"] = chars / total
    return out


# The _UNSPACED ranges as sorted code-point boundaries: a character is in one when an odd number of
# boundaries is at or below it.
_UNSPACED_EDGES = np.array(
    sorted(p for low, high in zip(_UNSPACED[0::3], _UNSPACED[2::3]) for p in (ord(low), ord(high) + 1)), np.uint32
)


def _unspaced_chars(text: str) -> int:
    """Characters of `text` in the _UNSPACED ranges (as counting the matches of `[_UNSPACED]`)."""
    if text.isascii():
        return 0
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return int(np.count_nonzero(np.searchsorted(_UNSPACED_EDGES, points, side="right") & 1))


def _is_unspaced(text: str, tokens: Sequence[str]) -> bool:
    """Mostly written without spaces: most tokens are single CJK/Thai characters."""
    return _unspaced_chars(text) * 2 > len(tokens)


# A keyword is short: longer shared runs are templates (business-response boilerplate), not keywords.
_KEYWORD_MAX_TOKENS = {False: 5, True: 12}
_KEYWORD_SEED = {False: 2, True: 4}  # n-gram that seeds a keyword: word bigrams, CJK 4-character runs
_KEYWORD_MIN_LINES = 6
_KEYWORD_CANDIDATES = 3  # phrases grown and measured
_KEYWORD_SEEDS = 6  # most frequent seed n-grams looked at
_EDGE = ""  # neighbour of a phrase at a line's start or end


def _keyword_injection(
    tokens: Sequence[str], grams: _NGrams, lines: Sequence[str], unspaced: bool, text: str | None = None
) -> tuple[float, str]:
    """Largest (share of distinct lines holding a phrase) x (share of its occurrences with distinct
    neighbours), over the sample's most frequent short phrases, measured on all the (distinct,
    lower-case) `lines` (`text`: "\\n".join(lines), when the caller has it)."""
    seed = _KEYWORD_SEED[unspaced]
    if text is None:
        text = "\n".join(lines)
    line_starts: list[int] = []
    floor = max(FEATURES["keyword_injection"].low * len(lines), _KEYWORD_MIN_LINES)
    best, best_phrase = 0.0, ""
    grown: list[str] = []
    for gram, count in _most_common(tokens, grams, seed, _KEYWORD_SEEDS):
        # Overlapping seeds of one phrase grow into it: measure each phrase once.
        if count < 2 or len(grown) >= _KEYWORD_CANDIDATES or any("\x1f".join(gram) in g for g in grown):
            continue
        # Cheap tests first: a phrase in too few lines cannot score, whatever its neighbours.
        if text.count(("" if unspaced else " ").join(gram)) < floor:
            continue
        line_starts = line_starts or _line_starts(lines)
        if _lines_with(_phrase_pattern(gram, unspaced), text, line_starts) < floor:
            continue
        phrase, found = _grow_phrase(gram, text, unspaced)
        grown.append("\x1f".join(phrase))
        lines_with = len({bisect_right(line_starts, start) for start, _, _ in found})
        if len(phrase) > _KEYWORD_MAX_TOKENS[unspaced] or lines_with < floor:
            continue
        contexts = [(left, right) for _, left, right in found]
        value = lines_with / len(lines) * len(set(contexts)) / len(contexts)
        if value > best:
            best, best_phrase = value, ("" if unspaced else " ").join(phrase)
    return best, best_phrase


def _most_common(tokens: Sequence[str], grams: _NGrams, n: int, top: int) -> list[tuple[tuple[str, ...], int]]:
    """The `top` most frequent repeated n-grams and their counts, most frequent first, equally frequent
    ones in order of first occurrence (as Counter(n-grams).most_common(top), n-grams seen once left out)."""
    counts, firsts = grams.groups(n)
    repeated = np.flatnonzero(counts > 1)
    chosen = repeated[np.lexsort((firsts[repeated], -counts[repeated]))[:top]]
    return [(tuple(tokens[first : first + n]), count) for first, count in zip(firsts[chosen].tolist(), counts[chosen].tolist())]


def _lines_with(pattern: re.Pattern[str], text: str, line_starts: Sequence[int]) -> int:
    return len({bisect_right(line_starts, m.start()) for m in pattern.finditer(text)})


def _phrase_pattern(phrase: Sequence[str], unspaced: bool) -> re.Pattern[str]:
    body = (r"[^\w\n]*" if unspaced else r"[^\w\n]+").join(map(re.escape, phrase))
    if unspaced:
        return re.compile(body)
    # Whole words; the look-behind follows the first word so the scan can skip ahead to it.
    first = re.escape(phrase[0])
    return re.compile(rf"{first}(?<![^\W_].{{{len(phrase[0])}}}){body[len(first):]}(?![^\W_])")


# The token before a phrase, matched on the reversed text from the phrase's start backwards: white space and
# punctuation, then the token as a forward search of `(TOKEN)[^\w\n]*\Z` up to the phrase would find it
# (a single CJK/Thai character; else the longest run of letters and digits that starts with a letter; else
# digits), a line break or "_" ending the search. Reversed, it is one match instead of a search that tries
# every start in _NEIGHBOUR_REACH characters.
_LEFT_TOKEN_REVERSED = re.compile(rf"[^\w\n]*+([{_UNSPACED}]|[^\W_{_UNSPACED}]*[^\W\d_{_UNSPACED}]|\d+)")
_RIGHT_TOKEN = re.compile(rf"[^\w\n]*({TOKEN.pattern})")
_NEIGHBOUR_REACH = 40  # characters searched for a neighbouring token


def _find(phrase: Sequence[str], text: str, unspaced: bool, reversed_text: str | None = None) -> list[tuple[int, str, str]]:
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


def _grow_phrase(gram: tuple[str, ...], text: str, unspaced: bool) -> tuple[tuple[str, ...], list[tuple[int, str, str]]]:
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


def _listicle_headings(lines: Sequence[str], lowered: Sequence[str]) -> tuple[float, str]:
    """Short lines that look like listicle headings (`lowered`: the `lines` lower-cased)."""
    short = [i for i, line in enumerate(lines) if len(line) <= _LISTICLE_MAX_LINE]
    short_lowered = list(map(lowered.__getitem__, short))
    found = [m.start() for m in LISTICLE.finditer("\n".join(short_lowered))]
    if not found:
        return 0.0, ""
    starts = _line_starts(short_lowered)
    headings = sorted({bisect_right(starts, start) - 1 for start in found})
    return float(len(headings)), lines[short[headings[0]]] if headings else ""


def _line_starts(lines: Sequence[str]) -> list[int]:
    """Offsets of `lines` in "\n".join(lines)."""
    return [0, *accumulate(len(line) + 1 for line in lines[:-1])]


def _helpline_numbers(text: str) -> float:
    """Phone numbers (8+ digits) with helpline wording within _CUE_REACH characters, a number with
    call-to-action wording counting twice. `text` is lower-case. (No test for cues in the whole text
    first: the folded text around a number is part of the folded text, so a page without cues has no hits,
    and looking for the numbers costs less than folding the page and looking for every cue.)"""
    hits = 0
    for match in PHONE.finditer(text):
        if sum(map(str.isdigit, match.group())) >= 8:
            around = _fold(text[max(match.start() - _CUE_REACH, 0) : match.end() + _CUE_REACH])
            hits += any(cue in around for cue in _ALL_CUES) + any(cue in around for cue in PROMOTION_CUES)
    return float(hits)


_ALL_CUES = HELPLINE_CUES + PROMOTION_CUES


def _fold(text: str) -> str:
    return " ".join(text.split())


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
    for name, count in zip(_SCRIPT_OF_BIN, per_bin.tolist()):
        if name:
            letters[name] += count
    return +letters


def _script_mismatch(text: str, expected: Collection[str]) -> tuple[float, str]:
    letters = scripts(text)
    total = sum(letters.values())
    unexpected = {name: n for name, n in letters.items() if name not in expected}
    if not total:
        return 0.0, ""
    return sum(unexpected.values()) / total, ", ".join(sorted(unexpected, key=lambda k: -unexpected[k]))
