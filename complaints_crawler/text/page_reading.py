"""One reading of a page for everyone who reads it: the page spam check, the block check and the parser share
its tree and rendered text.

Whoever reads a response's text first asks `shared(text)` and keeps the reading; every later reader of the same
text gets it back instead of parsing the page again, whatever the order (the block check parses a BBB page before
the spam check sees it; the spam check reads a board page before its parser does). A reading is found by the
identity of its text, never by a URL or a request: a str never changes, and a kept reading holds its text (so no
other str can take its id meanwhile); a page that changed (a retry, a re-decoded body) is a new str and gets a
reading of its own, never a stale one. Only the latest few readings are kept, the oldest dropped first. The trees
are shared, so no reader may change them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from complaints_crawler.text.html_text import Document, element_text, read_html

KEPT = 32  # above the concurrent requests: a page's readers come soon after each other


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


_kept: OrderedDict[int, Reading] = OrderedDict()
_lock = threading.Lock()  # readers on other threads (workers, tests) must not tear the cache


def read_page(html: str | bytes) -> Reading:
    """A reading of its own, shared with nobody."""
    return Reading(html, read_html(html))


def shared(html: str | bytes) -> Reading:
    """The reading of this very text: the one an earlier reader made, else a new one kept for the next."""
    with _lock:
        reading = _kept.get(id(html))
        if reading is not None and reading.html is html:
            _kept.move_to_end(id(html))
            return reading
    reading = read_page(html)  # outside the lock: parsing is the slow part
    with _lock:
        _kept[id(html)] = reading
        _kept.move_to_end(id(html))
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return reading


def kept() -> int:
    """How many readings are kept."""
    return len(_kept)
