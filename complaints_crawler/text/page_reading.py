"""One reading of a page for everyone who reads it: the page spam check and the parser share its tree and text.

The spam check reads a response's text and `offer`s the reading; the parser, handed that same text, `take`s it
instead of reading the page again. A reading is found by the identity of its text, never by a URL or a request:
a str never changes, and a waiting reading holds its text (so no other str can take its id meanwhile); a page
that changed (a retry, a re-decoded body) is a new str and gets a reading of its own, never a stale one. Only a
few readings wait, the oldest dropped first: one the parser never asks for (a doorway, a cut page) goes in time.
The trees are shared, so neither reader may change them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from complaints_crawler.text.html_text import Document, element_text, read_html

WAITING_LIMIT = 32  # above the concurrent requests: a page is taken soon after it is offered


@dataclass
class Reading:
    html: str | bytes
    document: Document
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The page's visible text (`element_text` of its root), rendered once."""
        if self._text is None:
            self._text = element_text(self.document.root)
        return self._text


_waiting: OrderedDict[int, Reading] = OrderedDict()
_lock = threading.Lock()  # readers on other threads (workers, tests) must not tear the queue


def read_page(html: str | bytes) -> Reading:
    return Reading(html, read_html(html))


def offer(reading: Reading) -> None:
    """Keep `reading` for the parser of the same text."""
    with _lock:
        _waiting[id(reading.html)] = reading
        _waiting.move_to_end(id(reading.html))
        while len(_waiting) > WAITING_LIMIT:
            _waiting.popitem(last=False)


def take(html: str | bytes) -> Reading:
    """The reading offered for this very text (no longer kept), else a new one."""
    with _lock:
        reading = _waiting.get(id(html))
        if reading is not None and reading.html is html:
            del _waiting[id(html)]
            return reading
    return read_page(html)


def waiting() -> int:
    """How many offered readings no parser has taken yet."""
    return len(_waiting)
