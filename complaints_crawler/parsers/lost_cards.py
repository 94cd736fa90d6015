"""Cards a page shows that its parser could not read: reported as page-level failures, never silence.

lxml drops what it cannot read without raising: everything after nesting deeper than it reads, the rest
of a page swallowed by an unclosed comment or `<script>`, a page of UTF-16 read as a one-byte charset.
A parser counts its cards' start tags (or labels) in the raw text, compares them with the cards it found,
and turns the difference, and any problem `read_html` reported, into one `CardFailure` with
`card_id=None` whose reason says what happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from complaints_crawler.parsers.base import CardFailure

SNIPPET_CHARS = 300
UNREADABLE_MARKUP = "a card was seen but its markup could not be read"
_TOKEN_BEFORE = frozenset("\"' \t\n\r\f=")
_TAG_REACH = 4000  # how far back a card's start tag may begin (its attributes before the telling one)


@dataclass(frozen=True)
class CardStart:
    """A card's start tag as it shows in the raw text: an element `tag` whose `attribute` holds a word that
    `token` matches (a regex starting with a literal, so the scan is fast), e.g. li / class / bpr-complaint-grid."""

    tag: str
    attribute: str
    token: str


def card_starts(start: CardStart, html: str) -> list[int]:
    """Offsets in the raw text of the start tags `start` describes (of their "<")."""
    found = []
    for match in _token_pattern(start.token).finditer(html):
        at = match.start()
        if at and html[at - 1] in _TOKEN_BEFORE and (opening := _start_tag(html, at, start)) >= 0:
            found.append(opening)
    return found


@cache
def _token_pattern(token: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{token})(?=[\"'\s/>])")


@cache
def _open_value(attribute: str) -> re.Pattern[str]:
    # The attribute whose value is still open at the end of the text: `class="card bpr-` (not `data-class=`;
    # after any other character, as lxml reads `<div \x7fclass=…>` as an attribute of another name).
    return re.compile(rf"""(?<![\w:-]){re.escape(attribute)}\s*=\s*["']?[^"'<>=]*$""", re.I)


def _start_tag(html: str, at: int, start: CardStart) -> int:
    """Where the `<start.tag …>` start tag whose `start.attribute` value holds offset `at` begins; -1: none."""
    opening = html.rfind("<", max(0, at - _TAG_REACH), at)
    if opening < 0 or html.find(">", opening, at) >= 0:
        return -1
    head = html[opening + 1 : at]
    name = len(start.tag)
    after = head[name : name + 1]  # `<div class=…>`, `<div\x00class=…>`, `<div&#xD800; class=…>`; not `<divider …>`
    if head[:name].lower() != start.tag or not after or after.isalnum() or after in "-_:.":
        return -1
    return opening if _open_value(start.attribute).search(head) else -1


def label_starts(label: str, html: str) -> list[int]:
    """Offsets of `label` where it is all the text of an element (`<h3>Initial Complaint</h3>`)."""
    found = []
    for match in re.finditer(rf"{re.escape(label)}(?=\s*<)", html):
        before = html[max(0, match.start() - 200) : match.start()].rstrip()
        if before.endswith(">"):
            found.append(match.start())
    return found


def page_failures(html: str, starts: list[int], found: int, problem: str | None) -> list[CardFailure]:
    """The page-level failure of a page whose raw text shows the cards at `starts` and whose parser read
    `found` cards; `problem` is what `read_html` said (None: lxml read the whole page). At most one."""
    if len(starts) > found:
        # The cards before the first unread one were read: the snippet starts where reading went wrong.
        cards = f"{len(starts)} complaint card{'s' if len(starts) != 1 else ''}"
        reason = f"page shows {cards}, {found} read: {problem or UNREADABLE_MARKUP}"
        return [page_failure(reason, html, starts[found])]
    return [page_failure(problem, html)] if problem else []


def page_failure(reason: str, html: str = "", at: int = 0) -> CardFailure:
    snippet = html[at : at + SNIPPET_CHARS].replace("\x00", "")  # a quarantine column holds no NUL
    return CardFailure(reason=reason, card_id=None, snippet=snippet)
