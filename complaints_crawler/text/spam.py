"""Site-independent SEO/helpline spam scorer for pages and posts.

`score(text)` measures content features with a published track record and combines them in a
transparent logistic sum; `score_html(html)` renders the page as a browser would and scores its text.

Features (each becomes a `Reason` carrying its measured value):

- Ntoulas et al. 2006, "Detecting spam web pages through content analysis": compression ratio
  (zlib level 1, of the text with repeated lines kept once, so page chrome does not count), share of the text taken by the page's 10 most frequent words; word count and mean
  word length are reported in `features` but not weighted (on raw text they do not separate here).
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

Pages are long and the check runs on every response, so token features (Gopher n-grams, top words,
helpline numbers, scripts) use a bounded sample: `SAMPLE_WINDOWS` evenly spaced, line-aligned windows of
`SAMPLE_BYTES` in all (the whole text when it is shorter). Keyword injection seeds its candidate phrases
from the sample and measures them on every distinct line.
"""

from __future__ import annotations

import math
import re
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress

from complaints_crawler.text.html_text import element_text, parse_html

DEFAULT_THRESHOLD = 0.5
BIAS = -4.0

MIN_REPETITION_TOKENS = 80
MIN_REPETITION_LINES = 3
SAMPLE_BYTES = 4000  # text longer than this (UTF-8) is sampled ...
SAMPLE_WINDOWS = 4  # ... as this many evenly spaced, line-aligned windows

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

# Letters of each script; a text's scripts are the ones holding its letters.
SCRIPTS: Mapping[str, re.Pattern[str]] = {
    "Latin": re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]+"),  # ASCII letters are counted apart
    "Han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"),
    "Hiragana": re.compile(r"[\u3040-\u309f]+"),
    "Katakana": re.compile(r"[\u30a0-\u30ff]+"),
    "Hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]+"),
    "Devanagari": re.compile(r"[\u0900-\u097f]+"),
    "Bengali": re.compile(r"[\u0980-\u09ff]+"),
    "Tamil": re.compile(r"[\u0b80-\u0bff]+"),
    "Arabic": re.compile(r"[\u0600-\u06ff]+"),
    "Cyrillic": re.compile(r"[\u0400-\u04ff]+"),
    "Thai": re.compile(r"[\u0e00-\u0e7f]+"),
}

# Scripts written without spaces are cut into characters; others into words (letters with their
# combining marks, so Devanagari words stay whole) and digit runs.
_UNSPACED = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\u0e00-\u0e7f"
TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W\d_{_UNSPACED}][^\W_{_UNSPACED}]*|\d+")

_CJK_TAIL = r"(?:推薦|推荐|分析|優點|优点|優勢|优势|懶人包|懒人包|詳解|详解|攻略|比較|比较|必看|必買|必买|絕密|秘訣)"
# Listicle headings; every branch starts with a digit or a literal, so the scan stays fast. Lower-case text.
LISTICLE = re.compile(
    rf"\d+ ?[大個个款招種种間间部][^\n]{{0,12}}?{_CJK_TAIL}|20\d\d[^\n]{{0,8}}?{_CJK_TAIL}|小編|小编"
    r"|\d+ (?:best|top|must-have|amazing|proven|easy|ways|tips|reasons|things|tricks|secrets)\b[^\n]*?20\d\d"
    r"|20\d\d[^\n]*?\((?:updated|latest|expert|editor)"
    r"|(?:टॉप|बेस्ट|सबसे अच्छे)[^\n]*?20\d\d"
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
    lines = _unique_lines(text)
    deduped = "\n".join(lines)
    lowered = deduped.lower()
    sample = _sample(lowered)
    tokens = TOKEN.findall(sample)
    values["words"] = len(tokens)
    values["mean_word_length"] = sum(map(len, tokens)) / len(tokens) if tokens else 0.0

    values["helpline_numbers"] = _helpline_numbers(sample)
    values["listicle_headings"], details["listicle_headings"] = _listicle_headings(lines)
    if expected_scripts is not None:
        values["script_mismatch"], details["script_mismatch"] = _script_mismatch(sample, expected_scripts)
    if len(tokens) < MIN_REPETITION_TOKENS or len(lines) < MIN_REPETITION_LINES:
        return values, details

    values["compression_ratio"] = _compression_ratio(deduped)
    values["top_words_fraction"] = _top_words_fraction(tokens)
    values["duplicate_lines"], values["duplicate_line_chars"] = _duplicate_lines(text)
    gopher = _gopher_ngrams(tokens)
    values.update(gopher)
    worst = max(gopher, key=gopher.__getitem__)
    values["gopher_ngram_repetition"] = gopher[worst] / _gopher_limit(worst)
    details["gopher_ngram_repetition"] = f"{worst} {gopher[worst]:.2f}"
    unspaced = _is_unspaced(sample, tokens)
    values["keyword_injection"], details["keyword_injection"] = _keyword_injection(tokens, lowered.split("\n"), unspaced)
    return values, details


def _sample(text: str) -> str:
    """`text`, or SAMPLE_WINDOWS evenly spaced windows of it, each starting and ending at a line break.

    The budget is in UTF-8 bytes, so a CJK page (one token a character) yields no more tokens than
    an English one."""
    size = len(text.encode())
    if size <= SAMPLE_BYTES:
        return text
    width = len(text) * SAMPLE_BYTES // size // SAMPLE_WINDOWS
    step = (len(text) - width) // (SAMPLE_WINDOWS - 1)
    windows = []
    for start in range(0, step * SAMPLE_WINDOWS, step):
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", begin + width, begin + 2 * width)
        windows.append(text[begin : end if end >= 0 else begin + width])
    return "\n".join(windows)


def _unique_lines(text: str) -> list[str]:
    """Non-empty lines, each once, in order: repeated chrome is measured by the duplicate-line rules only."""
    return list(dict.fromkeys(stripped for line in text.split("\n") if (stripped := line.strip())))


def _compression_ratio(text: str) -> float:
    data = text.encode()
    return len(data) / len(zlib.compress(data, 1))


def _top_words_fraction(tokens: Sequence[str], top: int = 10) -> float:
    counts = Counter(tokens)
    for number in [token for token in counts if token.isdigit()]:
        del counts[number]
    words = counts.total()
    return sum(count for _, count in counts.most_common(top)) / words if words else 0.0


def _duplicate_lines(text: str) -> tuple[float, float]:
    """Gopher: the share of lines, and of line characters, in lines that occur more than once."""
    lines = [stripped for line in text.split("\n") if (stripped := line.strip())]
    counts = Counter(lines)
    repeated = [line for line in lines if counts[line] > 1]
    total = sum(map(len, lines))
    return len(repeated) / len(lines), (sum(map(len, repeated)) / total if total else 0.0)


def _gopher_limit(name: str) -> float:
    n = int(name.split("_")[1][0:-4])
    return GOPHER_TOP_NGRAM[n] if name.startswith("top_") else GOPHER_DUP_NGRAM[n]


def _gopher_ngrams(tokens: Sequence[str]) -> dict[str, float]:
    """Gopher's n-gram repetition: character share of the top 2/3/4-gram and of duplicated 5..10-grams."""
    lengths = list(map(len, tokens))
    total = sum(lengths) or 1
    ids = list(map(hash, tokens))
    keys = ids
    out: dict[str, float] = {}
    counts: Counter[int] = Counter()
    for n in range(2, 5):
        # Key of each n-gram from the key of its first n-1 tokens and its last token.
        keys = list(map(hash, zip(keys, ids[n - 1 :])))
        counts = Counter(keys)
        top = max(counts, key=counts.__getitem__, default=0)
        count = counts[top]
        start = keys.index(top) if count > 1 else 0
        out[f"top_{n}gram"] = sum(lengths[start : start + n]) * count / total if count > 1 else 0.0
    # A duplicated n-gram starts with a duplicated (n-1)-gram, so from 5 up only those starts are keyed.
    keyed = dict(compress(enumerate(keys), map((1).__lt__, map(counts.__getitem__, keys))))
    for n in range(5, 11):
        keyed = {i: hash((key, ids[i + n - 1])) for i, key in keyed.items() if i + n <= len(ids)}
        counts = Counter(keyed.values())
        keyed = {i: key for i, key in keyed.items() if counts[key] > 1}
        out[f"dup_{n}gram"] = _covered_chars(keyed, n, lengths) / total
    return out


def _covered_chars(starts: Iterable[int], n: int, lengths: list[int]) -> int:
    """Characters in tokens covered by n-grams starting at `starts`."""
    covered = bytearray(len(lengths))
    ones = b"\x01" * n
    for start in starts:
        covered[start : start + n] = ones
    return sum(compress(lengths, covered))


_UNSPACED_RUN = re.compile(rf"[{_UNSPACED}]+")


def _is_unspaced(text: str, tokens: Sequence[str]) -> bool:
    """Mostly written without spaces: most tokens are single CJK/Thai characters."""
    return sum(map(len, _UNSPACED_RUN.findall(text))) * 2 > len(tokens)


# A keyword is short: longer shared runs are templates (business-response boilerplate), not keywords.
_KEYWORD_MAX_TOKENS = {False: 5, True: 12}
_KEYWORD_SEED = {False: 2, True: 4}  # n-gram that seeds a keyword: word bigrams, CJK 4-character runs
_KEYWORD_MIN_LINES = 6
_KEYWORD_CANDIDATES = 3  # phrases grown and measured
_KEYWORD_SEEDS = 6  # most frequent seed n-grams looked at
_EDGE = ""  # neighbour of a phrase at a line's start or end


def _keyword_injection(tokens: Sequence[str], lines: Sequence[str], unspaced: bool) -> tuple[float, str]:
    """Largest (share of distinct lines holding a phrase) x (share of its occurrences with distinct
    neighbours), over the sample's most frequent short phrases, measured on all the (distinct,
    lower-case) `lines`."""
    seed = _KEYWORD_SEED[unspaced]
    text = "\n".join(lines)
    line_starts = _line_starts(lines)
    floor = max(FEATURES["keyword_injection"].low * len(lines), _KEYWORD_MIN_LINES)
    best, best_phrase = 0.0, ""
    grown: list[str] = []
    for gram, count in Counter(zip(*(tokens[i:] for i in range(seed)))).most_common(_KEYWORD_SEEDS):
        # Overlapping seeds of one phrase grow into it: measure each phrase once.
        if count < 2 or len(grown) >= _KEYWORD_CANDIDATES or any("\x1f".join(gram) in g for g in grown):
            continue
        # Cheap tests first: a phrase in too few lines cannot score, whatever its neighbours.
        if text.count(("" if unspaced else " ").join(gram)) < floor or _lines_with(_phrase_pattern(gram, unspaced), text, line_starts) < floor:
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


def _lines_with(pattern: re.Pattern[str], text: str, line_starts: Sequence[int]) -> int:
    return len({bisect_right(line_starts, m.start()) for m in pattern.finditer(text)})


def _phrase_pattern(phrase: Sequence[str], unspaced: bool) -> re.Pattern[str]:
    body = (r"[^\w\n]*" if unspaced else r"[^\w\n]+").join(map(re.escape, phrase))
    if unspaced:
        return re.compile(body)
    # Whole words; the look-behind follows the first word so the scan can skip ahead to it.
    first = re.escape(phrase[0])
    return re.compile(rf"{first}(?<![^\W_].{{{len(phrase[0])}}}){body[len(first):]}(?![^\W_])")


_LEFT_TOKEN = re.compile(rf"({TOKEN.pattern})[^\w\n]*\Z")
_RIGHT_TOKEN = re.compile(rf"[^\w\n]*({TOKEN.pattern})")
_NEIGHBOUR_REACH = 40  # characters searched for a neighbouring token


def _find(phrase: Sequence[str], text: str, unspaced: bool) -> list[tuple[int, str, str]]:
    """(start, token before, token after) of each occurrence of `phrase`; _EDGE at a line's edge."""
    found = []
    for match in _phrase_pattern(phrase, unspaced).finditer(text):
        left = _LEFT_TOKEN.search(text, max(match.start() - _NEIGHBOUR_REACH, 0), match.start())
        right = _RIGHT_TOKEN.match(text, match.end())
        found.append((match.start(), left.group(1) if left else _EDGE, right.group(1) if right else _EDGE))
    return found


def _grow_phrase(gram: tuple[str, ...], text: str, unspaced: bool) -> tuple[tuple[str, ...], list[tuple[int, str, str]]]:
    """Extend `gram` while 80% of its occurrences agree on the next token on one side; return the
    phrase and its occurrences."""
    phrase = gram
    found = _find(phrase, text, unspaced)
    while found and len(phrase) <= _KEYWORD_MAX_TOKENS[unspaced]:
        for side in (1, 2):
            word, count = Counter(occurrence[side] for occurrence in found).most_common(1)[0]
            if word != _EDGE and count >= 0.8 * len(found):
                phrase = (word, *phrase) if side == 1 else (*phrase, word)
                found = _find(phrase, text, unspaced)
                break
        else:
            break
    return phrase, found


def _listicle_headings(lines: Sequence[str]) -> tuple[float, str]:
    short = [line for line in lines if len(line) <= _LISTICLE_MAX_LINE]
    text = "\n".join(short).lower()
    starts = _line_starts(short)
    headings = sorted({bisect_right(starts, m.start()) - 1 for m in LISTICLE.finditer(text)})
    return float(len(headings)), short[headings[0]] if headings else ""


def _line_starts(lines: Sequence[str]) -> list[int]:
    """Offsets of `lines` in "\n".join(lines)."""
    return [0, *accumulate(len(line) + 1 for line in lines[:-1])]


def _helpline_numbers(text: str) -> float:
    """Phone numbers (8+ digits) with helpline wording within _CUE_REACH characters, a number with
    call-to-action wording counting twice."""
    if not _cues(text, HELPLINE_CUES + PROMOTION_CUES):
        return 0.0
    hits = 0
    for match in PHONE.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= 8:
            around = text[max(match.start() - _CUE_REACH, 0) : match.end() + _CUE_REACH]
            hits += _cues(around, HELPLINE_CUES + PROMOTION_CUES) + _cues(around, PROMOTION_CUES)
    return float(hits)


def _cues(text: str, cues: tuple[str, ...]) -> bool:
    folded = " ".join(text.lower().split())
    return any(cue in folded for cue in cues)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")


def scripts(text: str) -> Counter[str]:
    """Letters per script (see SCRIPTS). ASCII letters are counted apart: other scripts are only
    looked for in the non-ASCII runs, which keeps English pages cheap."""
    letters = Counter({"Latin": sum(map(len, _ASCII_LETTERS.findall(text)))})
    rest = "\n".join(_NON_ASCII.findall(text))
    for name, pattern in SCRIPTS.items():
        letters[name] += sum(map(len, pattern.findall(rest)))
    return +letters


def _script_mismatch(text: str, expected: Collection[str]) -> tuple[float, str]:
    letters = scripts(text)
    total = sum(letters.values())
    unexpected = {name: n for name, n in letters.items() if name not in expected}
    if not total:
        return 0.0, ""
    return sum(unexpected.values()) / total, ", ".join(sorted(unexpected, key=lambda k: -unexpected[k]))
