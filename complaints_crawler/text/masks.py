"""Privacy masks and residual personal data in complaint text, and the normalized text built from them.

The sites hide personal data in different ways; the archive keeps the verbatim text and, next to it,
`text_normalized`, where every mask is the one token `[REDACTED]`, so the same complaint reads the same
whichever site (or era of a site) published it.

Mask kinds (`MaskSpan.kind`), all counted in `mask_count` and replaced in `text_normalized`:
- `asterisks`: BBB runs of `*` standing for words ("Dear *****,", "(***)", "9/**/23", "99705*****").
  A run of 2+ stars; glued to letters only when 4+ long (shorter is self-censoring, below).
- `removed`: BBB (2025+) writes the word `REMOVED`, sometimes cut into a word ("I REMOVEDorted").
  In a shouted (all-caps) passage a free-standing REMOVED is read as the English word, not a mask.
- `protected`, `censored`: consumercomplaints.in / complaintsboard.com literals `[protected]` (digit runs)
  and `[censored]` (profanity), glued to neighbours ("wxin[protected]", "i[censored]r").
- `xxxx`: CFPB style `XXXX` (4+ capital X) and dates `XX/XX/XXXX` (or `XX/XX` before a visible year).

Not masks: a single `*` as a bullet or footnote ("*This company…", "marked *"), Markdown emphasis
(`*word*`, `**word**`), lower-case "xxxx" typed by the author.

`self_censored` (recorded, NOT a privacy mask): the author's own censoring, 1–3 stars with letters
around them ("f*ck", "sh**", "a**hole"); the span covers the whole word. It is kept as written in
`text_normalized` (the author wrote it that way; the word carries tone, not personal data) and is not
counted in `mask_count`. A run of 4+ stars glued to letters is a site mask ("wxin**********").

Residual PII a site failed to mask (`find_pii`), replaced and counted like masks when `mask_pii`:
`email`; `phone` (10–12 digits, or up to 15 after a `+country` code, contiguous or in groups joined by
space/dot/hyphen, optional `(area)`); `card` (13–19 digits passing Luhn, IIN 2–6). Numbers glued to
letters ("G1200057VV", "WXIN…"), amounts, dates, times, ZIP/PIN codes, 8-digit ids, a ZIP+4-like
"997805-5135", and numbers right after an id word ("case number is 7030030877", "IMEI:") are not PII.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

ASTERISKS = "asterisks"
REMOVED = "removed"
PROTECTED = "protected"
CENSORED = "censored"
XXXX = "xxxx"
SELF_CENSORED = "self_censored"
EMAIL = "email"
PHONE = "phone"
CARD = "card"

MASK_KINDS = frozenset({ASTERISKS, REMOVED, PROTECTED, CENSORED, XXXX})
PII_KINDS = frozenset({EMAIL, PHONE, CARD})
REDACTED = "[REDACTED]"


@dataclass(frozen=True, slots=True)
class MaskSpan:
    start: int  # offsets in the raw text
    end: int
    token: str  # the raw text[start:end]
    kind: str

    @property
    def counted(self) -> bool:
        """Replaced by [REDACTED] and counted in mask_count (everything but self-censored swearing)."""
        return self.kind != SELF_CENSORED


@dataclass(frozen=True, slots=True)
class Normalized:
    text_normalized: str
    spans: tuple[MaskSpan, ...]  # masks and PII, in text order
    mask_count: int


# --- masks -----------------------------------------------------------------------------------------

# One literal-led pattern per kind, each run only when its literal occurs: a pattern led by a
# lookbehind or an alternation is tried at every offset, several times slower on a 2 KB text.
_STARS_RE = re.compile(r"\*+")
_REMOVED_RE = re.compile("REMOVED")
_SITE_RE = re.compile(r"\[((?i:protected|censored))\]")
_XXXX_RE = re.compile(r"XX/XX(?:/XXXX)?|X{4,}")
# The rest of a Markdown emphasis after its opening 1 or 2 stars: a word, then the same stars.
_EMPHASIS_TAIL = {n: re.compile(rf"(?=[^\W_])[^*\n]*?(?:[^\W_]|[.!?)])\*{{{n}}}(?![\w*])") for n in (1, 2)}
_SHOUT_WINDOW = 40


def find_masks(text: str) -> list[MaskSpan]:
    """The site masks and self-censored words of `text`, in order, not overlapping."""
    spans: list[MaskSpan] = []
    if "*" in text:
        spans += _star_spans(text)
    if "REMOVED" in text:
        spans += (_span(m, REMOVED) for m in _REMOVED_RE.finditer(text) if not _is_shouted_word(text, *m.span()))
    if "[" in text:
        spans += (_span(m, m.group(1).lower()) for m in _SITE_RE.finditer(text))
    if "XX" in text:
        spans += (_span(m, XXXX) for m in _XXXX_RE.finditer(text) if _stands_alone(text, *m.span()))
    return _without_overlaps(sorted(spans, key=lambda span: span.start))


def _span(match: re.Match[str], kind: str) -> MaskSpan:
    return MaskSpan(match.start(), match.end(), match.group(), kind)


def _star_spans(text: str) -> list[MaskSpan]:
    spans: list[MaskSpan] = []
    floor = 0  # end of the last span; also skips the closing stars of an emphasis
    for match in _STARS_RE.finditer(text):
        start, end = match.span()
        if start < floor:
            continue
        if end - start > 3:  # the common BBB mask: neither emphasis nor swearing, whatever is around it
            spans.append(MaskSpan(start, end, match.group(), ASTERISKS))
            floor = end
            continue
        emphasis_end = _emphasis_end(text, start, end)
        if emphasis_end:
            floor = emphasis_end
            continue
        span = _star_span(text, start, end, floor)
        if span is not None:
            spans.append(span)
            floor = span.end
    return spans


def _emphasis_end(text: str, start: int, end: int) -> int:
    """Where the Markdown emphasis opened by the stars at start:end ends, or 0 if they open none."""
    tail = _EMPHASIS_TAIL.get(end - start)
    if tail is None or (start and (text[start - 1].isalnum() or text[start - 1] in "_*")):
        return 0
    match = tail.match(text, end)
    return match.end() if match else 0


def _star_span(text: str, start: int, end: int, floor: int) -> MaskSpan | None:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    run = end - start
    if run <= 3 and (before.isalpha() or after.isalpha()) and not (before.isdigit() or after.isdigit()):
        if run == 1 and not (before.isalpha() and after.isalpha()):
            return None  # "*This", "price*": a bullet or footnote marker
        return _self_censored_word(text, start, end, floor)
    if run == 1:
        return None  # a lone star: bullet, footnote, multiplication
    return MaskSpan(start, end, text[start:end], ASTERISKS)


def _self_censored_word(text: str, start: int, end: int, floor: int) -> MaskSpan:
    """The whole word around the stars ("f*ck"), not reaching back into the previous span."""
    while start > floor and (text[start - 1].isalpha() or text[start - 1] == "*"):
        start -= 1
    while end < len(text) and (text[end].isalpha() or text[end] == "*"):
        end += 1
    return MaskSpan(start, end, text[start:end], SELF_CENSORED)


def _stands_alone(text: str, start: int, end: int) -> bool:
    """XXXX not inside a word ("XXXL") nor after a digit; glued digits after it are fine ("XXXX1234")."""
    return not (start and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalpha())


def _is_shouted_word(text: str, start: int, end: int) -> bool:
    """REMOVED standing free in an all-caps passage is the English word ("THEY REMOVED MY CHANNELS")."""
    if (start and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha()):
        return False  # cut into a word: only a mask does that
    window = (text[max(0, start - _SHOUT_WINDOW) : start] + " " + text[end : end + _SHOUT_WINDOW]).replace(
        "REMOVED", ""
    )
    letters = [c for c in window if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _without_overlaps(spans: list[MaskSpan]) -> list[MaskSpan]:
    """Sorted spans minus any that overlaps an earlier one."""
    kept: list[MaskSpan] = []
    for span in spans:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


# --- residual personal data -------------------------------------------------------------------------

_EMAIL_DOMAIN_RE = re.compile(r"@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")
_EMAIL_LOCAL_CHARS = frozenset("._%+-")
# A number: a card (checked by Luhn) or a phone (10-12 digits, up to 15 after +country), not the head
# of a longer number, word, date or amount. Not its tail either: checked in _is_free_number, since a
# leading lookbehind is slow; the leading lookahead lets most offsets fail at once (9x faster).
_NUMBER_RE = re.compile(
    r"(?=[+(\d])(?:(?P<card>\d{4}(?:[ -]\d{4}){3}|\d{4}[ -]\d{6}[ -]\d{5}|\d{13,19})"
    r"|(?P<cc>\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?(?:\d{10,12}|\d{1,5}(?:[ .-]\d{1,5}){1,5}|\d{3,9}))"
    r"(?![\w]|[.,:/-]\d)"
)
_NOT_BEFORE_NUMBER = frozenset(".,/$€£₹#+*_")
# The last keyword before a number says what it is; "number"/"no" say nothing.
_ID_WORDS = (
    r"case|order|ticket|ref|reference|invoice|imei|serial|sr|sn|tracking|awb|transaction|txn|rrn|utr"
    r"|account|acct|a/c|complaint|id|request|booking|pnr|gstin|policy|claim|model"
)
_PII_WORDS = r"phone|mobile|mob|cell|contact|call|tel|telephone|whatsapp|ph|fax|landline|helpline|reach"
_PII_WORDS += r"|card|visa|mastercard|amex|credit|debit"
_CONTEXT_RE = re.compile(rf"\b(?:(?P<id>{_ID_WORDS})|(?P<pii>{_PII_WORDS}))\b")
_CONTEXT_WINDOW = 30
_DIGITS = "0123456789"
_MIN_PII_DIGITS = 10  # fewer digits in the whole text: no phone or card can be there


def find_pii(text: str) -> list[MaskSpan]:
    """E-mail addresses, phone numbers and Luhn-valid card numbers left unmasked, in order."""
    spans = _emails(text) if "@" in text else []
    if sum(map(text.count, _DIGITS)) >= _MIN_PII_DIGITS:
        spans += _numbers(text)
    return sorted(spans, key=lambda span: span.start)


def _emails(text: str) -> list[MaskSpan]:
    spans = []
    for match in _EMAIL_DOMAIN_RE.finditer(text):
        start = match.start()
        while start and (text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_CHARS):
            start -= 1
        if start < match.start():  # "[protected]@yahoo.com" has no visible local part
            spans.append(MaskSpan(start, match.end(), text[start : match.end()], EMAIL))
    return spans


def _numbers(text: str) -> list[MaskSpan]:
    spans = []
    for offset, match in _number_matches(text):
        kind = _number_kind(match)
        start = offset + match.start()
        if kind and _is_free_number(text, start):
            spans.append(MaskSpan(start, offset + match.end(), match.group(), kind))
    return spans


# A phone or card has 10+ digits, and _NUMBER_RE matches only digits and " ().+-": it can only match inside
# a run of those characters 10 or more long that starts like a number. Finding the runs first is 10x
# faster than trying _NUMBER_RE at every offset (an ASCII class is a bitmap test; \d a Unicode lookup).
_RUN_ASCII_RE = re.compile(r"[+(0-9][0-9 ().+-]{9,}")
_RUN_RE = re.compile(r"[+(\d][\d ().+-]{9,}")
# No number starts where this many digits follow (the longest digits-only match is 19, then its lookahead):
# inside a longer stretch of digits _NUMBER_RE would fail at every offset, slowly.
_STRETCH = 24
_LONG_DIGITS_RE = re.compile(rf"\d{{{3 * _STRETCH},}}")
_LOOKAHEAD = 2  # characters after a match that _NUMBER_RE looks at


def _number_matches(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """What `_NUMBER_RE.finditer(text)` yields that can be a phone or card, in linear time, each match with
    the offset of the string it was found in."""
    for run in (_RUN_ASCII_RE if text.isascii() else _RUN_RE).finditer(text):
        start, end = run.span()
        stop = min(end + _LOOKAHEAD, len(text))  # matches never cross the run's end; the lookahead may
        if end - start > 3 * _STRETCH and _LONG_DIGITS_RE.search(text, start, end):
            scanned = _without_long_digit_stretches(text[start:stop])
            yield from ((start, match) for match in _NUMBER_RE.finditer(scanned))
        else:
            yield from ((0, match) for match in _NUMBER_RE.finditer(text, start, stop))


def _without_long_digit_stretches(run: str) -> str:
    """`run` with the middle of each long digit stretch replaced by letters, offsets kept.

    No match starts in such a middle, nor reaches it from either side (a match is at most ~50 characters),
    and a letter fails the lookahead where a digit did: _NUMBER_RE finds the same matches, in linear time.
    """
    pieces: list[str] = []
    pos = 0
    for stretch in _LONG_DIGITS_RE.finditer(run):
        keep_from, keep_to = stretch.start() + _STRETCH, stretch.end() - _STRETCH
        pieces += (run[pos:keep_from], "x" * (keep_to - keep_from))
        pos = keep_to
    pieces.append(run[pos:])
    return "".join(pieces)


def _number_kind(match: re.Match[str]) -> str | None:
    if match.group("card"):
        digits = [int(c) for c in match.group() if c.isdigit()]
        return CARD if digits[0] in (2, 3, 4, 5, 6) and _luhn_ok(digits) else None
    count = sum(map(str.isdigit, match.group()))
    return PHONE if 10 <= count <= (15 if match.group("cc") else 12) else None


def _luhn_ok(digits: list[int]) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_free_number(text: str, start: int) -> bool:
    """Not glued to a word, amount or longer number, and not right after an id word ("case number is")."""
    before = text[start - 1] if start else " "
    if before.isalnum() or before in _NOT_BEFORE_NUMBER:
        return False
    words = list(_CONTEXT_RE.finditer(text[max(0, start - _CONTEXT_WINDOW) : start].lower()))
    return not words or words[-1].lastgroup != "id"


# --- normalization ----------------------------------------------------------------------------------

_SLOT = "\x00"  # stands for a mask until white space is folded; NULs in the input become spaces
_SLOTS_RE = re.compile("\x00(?: ?\x00)*")  # masks separated only by white space make one token


def normalize(text: str, mask_pii: bool = True) -> Normalized:
    """Fold white space and turn every counted mask (and, with `mask_pii`, every PII span) into [REDACTED].

    Without `mask_pii` PII is neither searched, reported, replaced nor counted. Masks and PII are looked for
    in the first MAX_MASKED_CHARS characters of a text (cut at white space); the rest is only folded.
    """
    head = _masked_part(text)
    spans = find_masks(head)
    if mask_pii:
        spans = _without_overlaps(sorted(spans + find_pii(head), key=lambda span: span.start))
    if _SLOT in text:
        text = text.replace(_SLOT, " ")  # same length: the offsets still hold
    pieces: list[str] = []
    pos = 0
    for span in spans:
        if span.counted:
            pieces += (text[pos : span.start], _SLOT)
            pos = span.end
    pieces.append(text[pos:])
    folded = _fold_spaces("".join(pieces))
    return Normalized(
        text_normalized=_SLOTS_RE.sub(REDACTED, folded),
        spans=tuple(spans),
        mask_count=sum(span.counted for span in spans),
    )


# ~100 times the longest complaint of the fixture pages: real texts are searched whole. A 10 MB text of
# nothing but masks would hold a million spans (seconds of work, hundreds of MB, a million redaction rows);
# this bounds prepare() of any text to well under a second.
MAX_MASKED_CHARS = 200_000


def _masked_part(text: str) -> str:
    """`text`, or its first MAX_MASKED_CHARS characters up to the last white space among them."""
    if len(text) <= MAX_MASKED_CHARS:
        return text
    cut = max(text.rfind(" ", 0, MAX_MASKED_CHARS), text.rfind("\n", 0, MAX_MASKED_CHARS))
    return text[: cut if cut > 0 else MAX_MASKED_CHARS]


_FOLD_CHUNK = 1 << 20
_SPACE_RE = re.compile(r"\s")


def _fold_spaces(text: str) -> str:
    """`" ".join(text.split())`, a chunk at a time: a list of every word of a 10 MB text takes 150 MB."""
    if len(text) <= _FOLD_CHUNK:
        return " ".join(text.split())
    folded = []
    start = 0
    while start < len(text):
        end = start + _FOLD_CHUNK
        space = _SPACE_RE.search(text, end) if end < len(text) else None  # chunks end between words
        end = space.start() if space else len(text)
        chunk = " ".join(text[start:end].split())
        if chunk:
            folded.append(chunk)
        start = end
    return " ".join(folded)
