"""What every page parser returns. Parsers are pure: url + page text in, items out; no Scrapy; they never raise."""

from __future__ import annotations

from dataclasses import dataclass, field

from complaints_crawler.items import Business, Complaint


@dataclass
class CardFailure:
    """A card the parser found but could not turn into a valid item; it is quarantined, the page goes on.

    A failure with `card_id=None` may also be the page's own: cards it shows but the parser could not read
    ("page shows 10 complaint cards, 6 read: <why>"), nesting deeper than lxml reads, a page mostly of NUL
    characters (UTF-16 read as a one-byte charset), a BBB `__PRELOADED_STATE__` that cannot be read (on a page
    without cards). `reason` is one line of plain English; `snippet` (at most 300 characters of the card's
    text, or of the raw page where reading went wrong) holds no NUL.
    """

    reason: str
    card_id: str | None = None
    snippet: str = ""


@dataclass
class ParsedPage:
    url: str
    business: Business | None = None
    complaints: list[Complaint] = field(default_factory=list)
    failures: list[CardFailure] = field(default_factory=list)
    # Complaints whose board copy is cut or lacks its comments: external_id -> permalink URL.
    permalinks_to_fetch: dict[str, str] = field(default_factory=dict)
    # False when the page carries none of the site's data markers (a block page or a new layout).
    has_site_data: bool = True

    @property
    def card_count(self) -> int:
        return len(self.complaints) + len(self.failures)
