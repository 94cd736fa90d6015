"""What the consumercomplaints.in and complaintsboard.com spiders share: one engine, one URL scheme.

A site spider names its registry entry and `ForumSite` selector set; this module says what is particular to
the forum sites, on the spider engine (spiders/base.py):

- `company` is a board slug (`xiaomi-india-b106391`), a board URL (any page of it), or a bare name
  ("xiaomi india") resolved through the site's sitemap (robots-allowed; robots.txt is obeyed for every
  request): exactly one board whose slug is the name → crawled; else one board whose slug starts with it
  → crawled; several or none → finish reason `company_not_found`, with the candidates and the expected form.
- Board pages are `/<board>` and `/<board>/page/N`; a 404 past the first page is the end of the board.
- A card the parser lists in `permalinks_to_fetch` (cut text, or comments) is emitted from its permalink
  page (full text and thread) *instead of* its board copy; the board copy is emitted only when the
  permalink cannot be fetched or read (logged, counted in `forum/permalink_failed`), so the archive gets
  one row per complaint and loses nothing. An incremental run fetches a permalink only for a new complaint
  or one whose card shows a change (comment count, status, a text that differs from the archived one).
- A board page with no readable card (unless its header says the board has 0 complaints on the first page)
  is a layout change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from complaints_crawler.archive.targets import TEXT_HEAD_CHARS, KnownComplaint
from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.items import Complaint, SeenComplaint
from complaints_crawler.parsers.base import ParsedPage
from complaints_crawler.parsers.forum import (
    ForumSite,
    board_page_url,
    boards_named,
    parse_board_page,
    parse_company_argument,
    parse_permalink_page,
    parse_sitemap,
)
from complaints_crawler.spiders.base import ComplaintsSpider, Output, describe_failure, page_is_whole, request_of

_CUT = ("...", "…")


class ForumSpider(ComplaintsSpider):
    selectors: ClassVar[ForumSite]
    listing_kind = "board page"

    def __init__(self, name: str | None = None, **kwargs: str):
        super().__init__(name, **kwargs)
        self.pending_sitemaps = 0
        self.sitemap_candidates: list[str] = []
        self.sitemaps: set[str] = set()  # the sitemaps requested, each once

    # -- the board -------------------------------------------------------------------------------------

    def listing_from_argument(self, company: str) -> tuple[str, int | None] | None:
        if self.args.location:
            self.logger.warning("-a location is not used by %s (boards are per company); ignored", self.name)
        board = parse_company_argument(company)
        if board is None:
            if "/" in company:
                self.close_with(
                    FinishReason.INVALID_ARGUMENTS, f"-a company={company} is not a board; {self.expected_form()}"
                )
            return None
        host = urlsplit(company).hostname if "://" in company else None
        if host and host not in self.site.live_hosts and host != urlsplit(self.base_url).hostname:
            self.close_with(
                FinishReason.INVALID_ARGUMENTS, f"-a company={company} is not a {self.name} URL; {self.expected_form()}"
            )
        return self.site.live_origin + board, None

    def listing_page_url(self, listing: str, number: int) -> str:
        return board_page_url(listing, number)

    def parse_listing(self, url: str, html: str) -> ParsedPage:
        return parse_board_page(url, html, self.selectors)

    def not_found_message(self, url: str) -> str:
        return f"no board at {self.live_url(url)} (404); {self.expected_form()}"

    def expected_form(self) -> str:
        example = self.site.example_company
        return (
            f"give -a company=<slug>-b<id> (e.g. {example}), a board URL "
            f"({self.site.live_origin}/{example}), or a company name listed in the site's sitemap"
        )

    def layout_problem(self, page: ParsedPage, first: bool) -> str | None:
        empty_board = page.business is not None and page.business.complaints_total == 0
        if not page.complaints and (not page.has_site_data or page.failures or (first and not empty_board)):
            return "board page without a readable complaint card (layout changed or not a board page)"
        return None

    # -- a bare name, through the sitemap --------------------------------------------------------------

    def resolve(self) -> Iterable[Request]:
        self.pending_sitemaps = 1
        self.sitemap_candidates = []
        self.sitemaps = {self.rebase("/sitemap.xml")}
        yield Request(
            self.rebase("/sitemap.xml"), callback=self.parse_sitemap, errback=self.sitemap_failed, dont_filter=True
        )

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        self.pending_sitemaps -= 1
        sitemap = parse_sitemap(self.text_of(response))
        # Each sitemap once, counted only when requested: a child listed twice (or an index naming itself) would
        # be dropped by the dupefilter without a callback, and the count would never come back to 0.
        children = [
            url for url in dict.fromkeys(self.rebase(loc) for loc in sitemap.children) if url not in self.sitemaps
        ]
        self.sitemaps.update(children)
        self.pending_sitemaps += len(children)
        for url in children:
            yield Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed, dont_filter=True)
        self.sitemap_candidates += sitemap.boards
        if self.pending_sitemaps == 0:
            yield from self.board_of_name()

    def sitemap_failed(self, failure: Failure) -> Iterator[Request]:
        self.pending_sitemaps -= 1
        self.logger.warning("sitemap %s not read: %s", request_of(failure).url, describe_failure(failure))
        if self.pending_sitemaps == 0:
            yield from self.board_of_name()

    def board_of_name(self) -> Iterator[Request]:
        name = self.args.company
        chosen = boards_named(name, list(dict.fromkeys(self.sitemap_candidates)))
        if len(chosen) == 1:
            self.logger.info("company %r is the board %s (from the sitemap)", name, chosen[0].strip("/"))
            yield self.start_listing(self.site.live_origin + chosen[0])
            return
        if chosen:
            found = ", ".join(board.strip("/") for board in chosen)
            message = (
                f"several {self.name} boards match company {name!r}: {found}; pick one with -a company=<slug>-b<id>"
            )
        else:
            message = f"no {self.name} board matches company {name!r} in the site's sitemap; {self.expected_form()}"
        self.close_with(FinishReason.COMPANY_NOT_FOUND, message)

    # -- cards and permalinks --------------------------------------------------------------------------

    def card_unchanged(self, complaint: Complaint, known: KnownComplaint) -> bool:
        """A board card shows the comment count, the status and the start of the text: all as archived."""
        return (
            complaint.comments_count == known.comments_count
            and complaint.status == known.status
            and _same_start(complaint.text, known.text_head)
        )

    def emit_complaint(self, complaint: Complaint, page: ParsedPage, unchanged: bool) -> Output:
        permalink = page.permalinks_to_fetch.get(complaint.external_id)
        if permalink is None:
            yield complaint  # the card is the whole complaint
        elif unchanged and self.plan.incremental:
            # The archived thread is whole and the card shows no change: not fetched again.
            self.crawler.stats.inc_value("forum/permalinks_skipped")
            yield SeenComplaint(source=complaint.source, external_id=complaint.external_id)
        else:
            yield self.permalink_request(permalink, complaint)

    def permalink_request(self, url: str, board_copy: Complaint) -> Request:
        self.crawler.stats.inc_value("forum/permalinks_requested")
        return Request(
            self.rebase(url),
            callback=self.parse_permalink,
            errback=self.permalink_failed,
            cb_kwargs={"board_copy": board_copy},
            meta={"handle_httpstatus_list": [403, 429, 503]},
            priority=1,
        )

    def parse_permalink(self, response: Response, board_copy: Complaint) -> Output:
        if response.status != 200:
            reason = response.meta.get("block_reason") or f"HTTP {response.status}"
            yield self.keep_board_copy(board_copy, response.url, reason)
            return
        if not page_is_whole(response.body):
            retry = list(self.page_arrived_cut(response))
            yield from retry if retry else [self.keep_board_copy(board_copy, response.url, "the page arrived cut")]
            return
        page = parse_permalink_page(self.live_url(response.url), self.text_of(response), self.selectors)
        full = next((c for c in page.complaints if c.external_id == board_copy.external_id), None)
        if full is None:
            why = page.failures[0].reason if page.failures else "no complaint with this id on the page"
            yield self.keep_board_copy(board_copy, response.url, f"unreadable permalink page ({why})")
            return
        self.crawler.stats.inc_value("forum/permalinks_used")
        # The permalink's text and thread win; the board fills what the permalink page does not show, and
        # the complaint stays on the board we crawled.
        missing = {name: getattr(board_copy, name) for name in Complaint.model_fields if getattr(full, name) is None}
        yield full.model_copy(update={**missing, "business": board_copy.business})

    def permalink_failed(self, failure: Failure) -> Iterator[Complaint]:
        yield self.keep_board_copy(
            request_of(failure).cb_kwargs["board_copy"], request_of(failure).url, describe_failure(failure)
        )

    def keep_board_copy(self, board_copy: Complaint, url: str, why: str) -> Complaint:
        self.crawler.stats.inc_value("forum/permalink_failed")
        self.logger.warning(
            "permalink %s of complaint %s not used (%s): keeping the board copy", url, board_copy.external_id, why
        )
        return board_copy

    def block_reason(self, request: Request, response: Response) -> str | None:
        """For middlewares.blocks (retries with backoff): board and permalink pages answered 403/429/503."""
        if not ({"cursor", "board_copy"} & request.cb_kwargs.keys()):
            return None  # robots.txt, sitemaps
        kind = "board" if "cursor" in request.cb_kwargs else "permalink"
        return f"HTTP {response.status} on a {kind} page" if response.status in (403, 429, 503) else None


def _same_start(card_text: str, archived_head: str) -> bool:
    """Whether a board card's text (whole, or cut and ending "…") reads as the archived text does, white space
    aside. `archived_head` is the archived text's first TEXT_HEAD_CHARS characters."""
    card = " ".join(card_text.split())
    archived = " ".join(archived_head.split())
    if card.endswith(_CUT):
        card = card.rstrip(".…").rstrip()
        return archived.startswith(card) if len(card) <= len(archived) else card.startswith(archived)
    if len(archived_head) < TEXT_HEAD_CHARS:
        return card == archived
    return card.startswith(archived)
