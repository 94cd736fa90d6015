"""What the consumercomplaints.in and complaintsboard.com spiders share: one engine, one URL scheme.

A site spider only names its source, base-URL setting, live hosts and `ForumSite` selector set; this
module turns `-a company=…` into a board, walks its pages and follows permalinks:

- `company` is a board slug (`xiaomi-india-b106391`), a board URL (any page of it), or a bare name
  ("xiaomi india") resolved through the site's sitemap (robots-allowed; robots.txt is obeyed for every
  request): exactly one board whose slug is the name → crawled; else one board whose slug starts with it
  → crawled; several or none → finish reason `company_not_found`, with the candidates and the expected form.
- Board pages `/<board>`, `/<board>/page/N` from `start_page`, until a 404, a page with no cards, a page
  repeating the previous page's ids, `max_pages` pages, or a page holding a complaint older than `since`
  (boards list newest first; complaints older than `since` are not emitted).
- A card the parser lists in `permalinks_to_fetch` (cut text, or comments) is emitted from its permalink
  page (full text and thread) *instead of* its board copy; the board copy is emitted only when the
  permalink cannot be fetched or read (logged, counted in `forum/permalink_failed`), so the archive gets
  one row per complaint and loses nothing.
- The crawl's first board page with no readable card (unless its header says the board has 0 complaints),
  or any later page without the site's markup: quarantined `parse_error`, finish reason `layout_changed`.
  A 404 on page 1: `company_not_found`. A 403/429/503 on a board page (after the block middleware's
  retries with backoff): quarantined `blocked`, finish reason `blocked`. A board page dropped by a
  downloader middleware (robots.txt, the page-level spam check, which quarantines it as `spam_page`)
  ends the pagination; the crawl finishes normally (`finished`) with what it has.

Items carry live-site URLs (`https://www.consumercomplaints.in/…`) whatever origin they were fetched from.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from complaints_crawler.items import Complaint
from complaints_crawler.parsers.forum import (
    ForumSite,
    board_page_url,
    boards_named,
    parse_board_page,
    parse_company_argument,
    parse_permalink_page,
    parse_sitemap,
)
from complaints_crawler.quarantine import QuarantineKind
from complaints_crawler.spiders.base import ComplaintsSpider

BLOCK_STATUSES = (403, 429, 503)


class ForumSpider(ComplaintsSpider):
    site: ClassVar[ForumSite]
    example_board: ClassVar[str]  # a real board slug, shown in error messages

    # -- start: the board ------------------------------------------------------------------------------

    async def start_requests_checked(self):  # type: ignore[no-untyped-def]
        assert self.args is not None
        if self.args.location:
            self.logger.warning("-a location is not used by %s (boards are per company); ignored", self.name)
        company = self.args.company
        board = parse_company_argument(company)
        if board is not None:
            host = urlsplit(company).hostname if "://" in company else None
            if host and host not in self.live_hosts and host != urlsplit(self.base_url).hostname:
                self.close_with("invalid_arguments", f"-a company={company} is not a {self.name} URL; {self.expected_form()}")
            self.start_board(board)
            yield self.board_request(self.args.start_page)
        elif "/" in company:
            self.close_with("invalid_arguments", f"-a company={company} is not a board; {self.expected_form()}")
        else:
            self.pending_sitemaps = 1
            self.sitemap_candidates: list[str] = []
            yield scrapy.Request(self.rebase("/sitemap.xml"), callback=self.parse_sitemap, errback=self.sitemap_failed)

    def start_board(self, board_path: str) -> None:
        self.board_url = self.site.base_url + board_path  # on the live origin; requests are rebased
        self.crawler.stats.set_value("forum/board", self.board_url)
        self.logger.info("crawling board %s from page %d", self.board_url, self.args.start_page)

    def expected_form(self) -> str:
        return (
            f"give -a company=<slug>-b<id> (e.g. {self.example_board}), a board URL "
            f"({self.site.base_url}/{self.example_board}), or a company name listed in the site's sitemap"
        )

    # -- a bare name, through the sitemap --------------------------------------------------------------

    def parse_sitemap(self, response: Response):  # type: ignore[no-untyped-def]
        self.pending_sitemaps -= 1
        sitemap = parse_sitemap(self.text_of(response))
        self.pending_sitemaps += len(sitemap.children)
        for loc in sitemap.children:
            yield scrapy.Request(self.rebase(loc), callback=self.parse_sitemap, errback=self.sitemap_failed)
        self.sitemap_candidates += sitemap.boards
        if self.pending_sitemaps == 0:
            yield from self.resolve_name()

    def sitemap_failed(self, failure: Failure):  # type: ignore[no-untyped-def]
        self.pending_sitemaps -= 1
        self.logger.warning("sitemap %s not read: %s", failure.request.url, _why(failure))
        if self.pending_sitemaps == 0:
            yield from self.resolve_name()

    def resolve_name(self):  # type: ignore[no-untyped-def]
        name = self.args.company
        chosen = boards_named(name, list(dict.fromkeys(self.sitemap_candidates)))
        if len(chosen) == 1:
            self.logger.info("company %r is the board %s (from the sitemap)", name, chosen[0].strip("/"))
            self.start_board(chosen[0])
            yield self.board_request(self.args.start_page)
            return
        if chosen:
            found = ", ".join(board.strip("/") for board in chosen)
            message = f"several {self.name} boards match company {name!r}: {found}; pick one with -a company=<slug>-b<id>"
        else:
            message = f"no {self.name} board matches company {name!r} in the site's sitemap; {self.expected_form()}"
        self.close_with("company_not_found", message)

    # -- board pages -----------------------------------------------------------------------------------

    def board_request(self, number: int, previous_ids: frozenset[str] = frozenset(), pages_done: int = 0) -> scrapy.Request:
        return scrapy.Request(
            self.rebase(board_page_url(self.board_url, number)),
            callback=self.parse_board,
            errback=self.board_failed,
            meta={"handle_httpstatus_list": [404]},
            cb_kwargs={"number": number, "previous_ids": previous_ids, "pages_done": pages_done},
        )

    def parse_board(self, response: Response, number: int, previous_ids: frozenset[str], pages_done: int):  # type: ignore[no-untyped-def]
        first = pages_done == 0
        if response.status == 404:
            if first and number == 1:
                self.close_with("company_not_found", f"no board at {self.board_url} (404); {self.expected_form()}")
            if first:
                self.logger.warning("page %d of %s does not exist (404): past the last page?", number, self.board_url)
            return self.stop("404", number)
        page = parse_board_page(self.live_url(response.url), self.text_of(response), self.site)
        stats = self.crawler.stats
        stats.inc_value("forum/board_pages")
        empty_board = page.business is not None and page.business.complaints_total == 0
        if not page.complaints and (not page.has_site_data or page.failures or (first and not empty_board)):
            return self.layout_changed(page, number)
        ids = frozenset(c.external_id for c in page.complaints) | {f.card_id for f in page.failures if f.card_id}
        if not ids:
            return self.stop("empty page", number)
        if ids == previous_ids:
            return self.stop("page repeats the previous page", number)
        return self.emit_board(page, number, ids, pages_done)

    def emit_board(self, page, number: int, ids: frozenset[str], pages_done: int):  # type: ignore[no-untyped-def]
        since = self.args.since
        older = [c for c in page.complaints if since and c.filed_on and c.filed_on < since]
        page.complaints = [c for c in page.complaints if c not in older]
        for item in self.emit(page):
            if isinstance(item, Complaint) and item.external_id in page.permalinks_to_fetch:
                yield self.permalink_request(page.permalinks_to_fetch[item.external_id], item)
            else:
                yield item
        if older:
            yield from self.stop(f"complaints older than since={since}", number)
        elif self.args.max_pages and pages_done + 1 >= self.args.max_pages:
            yield from self.stop(f"max_pages={self.args.max_pages}", number)
        else:
            yield self.board_request(number + 1, ids, pages_done + 1)

    def stop(self, why: str, number: int):  # type: ignore[no-untyped-def]
        self.logger.info("pagination of %s ends at page %d: %s", self.board_url, number, why)
        self.crawler.stats.set_value("forum/stop_reason", why)
        self.crawler.stats.set_value("forum/last_page", number)
        return iter(())

    def layout_changed(self, page, number: int):  # type: ignore[no-untyped-def]
        if page.failures:
            self.quarantine_failures(page)
        else:
            self.quarantine(
                QuarantineKind.PARSE_ERROR,
                "board page without a readable complaint card (layout changed or not a board page)",
                url=page.url,
                details={"page": number, "has_site_data": page.has_site_data},
            )
        self.close_with(
            "layout_changed",
            f"page {number} of {self.board_url} has no readable complaint card: the site's layout may have "
            f"changed; the page is in the quarantine table",
        )

    def block_reason(self, request: scrapy.Request, response: Response) -> str | None:
        """For middlewares.blocks (retries with backoff): board and permalink pages answered 403/429/503."""
        if not ({"number", "board_copy"} & request.cb_kwargs.keys()):
            return None  # robots.txt, sitemaps
        return f"HTTP {response.status}" if response.status in BLOCK_STATUSES else None

    def board_failed(self, failure: Failure):  # type: ignore[no-untyped-def]
        request = failure.request
        number = request.cb_kwargs["number"]
        if failure.check(HttpError) and failure.value.response.status in BLOCK_STATUSES:
            response = failure.value.response
            retries = response.meta.get("block_retries", 0)
            self.quarantine(
                QuarantineKind.BLOCKED,
                f"HTTP {response.status} on a board page (after {retries} retries)",
                url=self.live_url(request.url),
                details={"status": response.status, "retries": retries, "snippet": self.text_of(response)[:500]},
            )
            self.close_with(
                "blocked", f"blocked at {request.url}: HTTP {response.status} after {retries} retries; try again later"
            )
        if not (failure.check(IgnoreRequest) and not failure.check(HttpError)):
            self.close_with(
                "site_unavailable",
                f"board page {request.url} failed: {_why(failure)}. Pages before it are archived; run the crawl again later.",
            )
        # robots.txt or a page-level check (the spam middleware quarantines what it drops).
        self.logger.warning("board page %s was not crawled: %s", request.url, _why(failure))
        return self.stop("page not crawled", number)

    # -- permalinks ------------------------------------------------------------------------------------

    def permalink_request(self, url: str, board_copy: Complaint) -> scrapy.Request:
        self.crawler.stats.inc_value("forum/permalinks_requested")
        return scrapy.Request(
            self.rebase(url),
            callback=self.parse_permalink,
            errback=self.permalink_failed,
            cb_kwargs={"board_copy": board_copy},
            priority=1,
        )

    def parse_permalink(self, response: Response, board_copy: Complaint):  # type: ignore[no-untyped-def]
        page = parse_permalink_page(self.live_url(response.url), self.text_of(response), self.site)
        full = next((c for c in page.complaints if c.external_id == board_copy.external_id), None)
        if full is None:
            why = page.failures[0].reason if page.failures else "no complaint with this id on the page"
            return self.keep_board_copy(board_copy, response.url, f"unreadable permalink page ({why})")
        self.crawler.stats.inc_value("forum/permalinks_used")
        # The permalink's text and thread win; the board fills what the permalink page does not show, and
        # the complaint stays on the board we crawled.
        missing = {name: getattr(board_copy, name) for name in Complaint.model_fields if getattr(full, name) is None}
        return [full.model_copy(update={**missing, "business": board_copy.business})]

    def permalink_failed(self, failure: Failure):  # type: ignore[no-untyped-def]
        return self.keep_board_copy(failure.request.cb_kwargs["board_copy"], failure.request.url, _why(failure))

    def keep_board_copy(self, board_copy: Complaint, url: str, why: str) -> list[Complaint]:
        self.crawler.stats.inc_value("forum/permalink_failed")
        self.logger.warning(
            "permalink %s of complaint %s not used (%s): keeping the board copy", url, board_copy.external_id, why
        )
        return [board_copy]

    # -- URLs ------------------------------------------------------------------------------------------

    def live_url(self, url: str) -> str:
        """A URL fetched from the configured origin (the fixture site in tests), on the live origin."""
        base, live = self.base_url, self.site.base_url.rstrip("/")
        if base != live and (url == base or url.startswith(base + "/")):
            return live + url[len(base) :]
        return url


def _why(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"
