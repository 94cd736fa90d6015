"""The spider engine every site spider runs on.

A site spider only says what is particular to its site: how `-a company=…` names a listing (a BBB profile, a
forum board), how a name is resolved into one (BBB's search API, the forum sites' sitemap), the URL of page N,
the pure parser of a page, what a block looks like, and how a complaint's card is followed up (a forum
permalink). This engine owns the rest, once for every site:

- arguments, checked before the first request (`CrawlArguments`);
- the refresh plan: a full sweep, or an incremental run that starts from the listing URL the archive
  remembers and stops at the first page of archived, unchanged complaints older than the refresh window
  (`crawl.refresh`);
- pagination and its stop rules, in this order: a 404, an empty page, a page repeating complaints already
  read, a complaint older than `-a since` (older ones are skipped), the incremental rule, `-a max_pages`;
- pages that arrive cut (retried, then quarantined `truncated_page`), blocks (retried with backoff by
  `middlewares.blocks`, then quarantined `blocked`), layout changes, pages that cannot be fetched;
- quarantine with NUL-free snippets, finish reasons (`crawl.reasons.FinishReason`), live URLs in items
  whatever origin the pages came from.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar, NoReturn, cast
from urllib.parse import urljoin, urlsplit, urlunsplit
from weakref import WeakKeyDictionary

import scrapy
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from complaints_crawler.archive.targets import KnownComplaint
from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.crawl.refresh import RefreshPlan, plan_for_crawl
from complaints_crawler.items import Complaint
from complaints_crawler.parsers.base import ParsedPage
from complaints_crawler.quarantine import QuarantineKind, quarantine
from complaints_crawler.sites import Site

log = logging.getLogger(__name__)

SNIPPET_CHARS = 500
_CLOSING_TAG = re.compile(rb"</html\s*>|</body\s*>", re.I)
Output = Iterator[Request | BaseModel]


def crawl_stat(crawler: Crawler, name: str) -> Any:
    """A stat of a finished crawl; None when the crawl never started (Scrapy >= 2.19 has no stats then)."""
    try:
        return crawler.stats.get_value(name) if crawler.stats is not None else None
    except RuntimeError:
        return None


def snippet(text: str, length: int = SNIPPET_CHARS) -> str:
    """The start of a page or card for a quarantine row: no NUL bytes (PostgreSQL's JSONB refuses them)."""
    return text[: length * 2].replace("\x00", "")[:length]


def page_is_whole(body: bytes) -> bool:
    """Every real page of these sites ends with its closing tags: one without them arrived cut."""
    # NULs aside: a page in UTF-16 under a one-byte label is whole, only unreadable (its parser says so).
    return bool(_CLOSING_TAG.search(body[-8192:].replace(b"\x00", b"")))


@dataclass(frozen=True)
class Cursor:
    """Where a listing's pagination is, carried by each listing request (not kept in the spider), so that any
    process can go on from any request: the distributed workers share one frontier."""

    listing: str  # the profile or board, on the live origin
    number: int  # the page asked
    first_number: int  # the first page this crawl read
    previous_ids: frozenset[str] = frozenset()  # complaint ids of the page before, when it was read first
    first_ids: frozenset[str] = frozenset()  # complaint ids of the first page read
    remembered: bool = False  # the listing came from the archive, not from this run's resolution
    last_known: int = 0  # the last page the site's own count implies (0: not known)

    @property
    def first(self) -> bool:
        return self.number == self.first_number

    @property
    def pages_done(self) -> int:
        return self.number - self.first_number

    def at(self, number: int, previous_ids: frozenset[str] = frozenset()) -> Cursor:
        return replace(self, number=number, previous_ids=previous_ids)

    def repeats(self, ids: frozenset[str]) -> bool:
        """A page of complaints already read: the page before again, or the first page again (a site that
        ignores the page number past the last page answers with its first)."""
        return bool(ids) and (ids <= self.previous_ids or ids <= self.first_ids)


class CrawlArguments(BaseModel):
    """`-a name=value` arguments, checked before the first request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    company: str = Field(min_length=1)
    max_pages: int | None = Field(default=None, ge=1)
    since: date | None = None
    start_page: int | None = Field(default=None, ge=1)
    location: str | None = None
    full: bool = False  # a full sweep even when an incremental run would do


class ComplaintsSpider(scrapy.Spider):
    site: ClassVar[Site]
    arguments_model: ClassVar[type[BaseModel]] = CrawlArguments
    listing_kind: ClassVar[str] = "listing"  # "complaints page", "board page": how the log names a listing page
    # Listing and follow-up pages answering these reach the callbacks (not HttpErrorMiddleware): blocks are
    # retried by middlewares.blocks and judged by `block_reason`; 404 ends pagination.
    handled_statuses: ClassVar[list[int]] = [403, 404, 429, 503]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "site" in cls.__dict__:
            cls.name = cls.site.name  # the registry names the spider

    def __init__(self, name: str | None = None, **kwargs: Any):
        # Scrapy passes -a arguments as keyword strings; keep them as given for the crawl_runs row.
        self.arguments = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        super().__init__(name)
        try:
            self.args: Any = self.arguments_model.model_validate(self.arguments)
            self.argument_error: str | None = None
        except ValidationError as error:
            self.args = None
            self.argument_error = "; ".join(
                f"-a {'.'.join(map(str, e['loc'])) or '?'}: {e['msg']}" for e in error.errors()
            )
        self._parsed: WeakKeyDictionary[Response, ParsedPage] = WeakKeyDictionary()
        self.plan: RefreshPlan = RefreshPlan.full("no plan yet")

    @property
    def base_url(self) -> str:
        return str(self.settings.get(self.site.base_url_setting)).rstrip("/")

    # -- what a site spider says ---------------------------------------------------------------------------

    def listing_from_argument(self, company: str) -> tuple[str, int | None] | None:
        """The listing (live URL) and page a `-a company` URL or slug names; None for a name to resolve.
        Close with `invalid_arguments` when it looks like a URL but names no listing."""
        raise NotImplementedError

    def resolve(self) -> Iterable[Request]:
        """Requests that resolve `-a company` as a name; their callbacks end in `start_listing(url)` or close."""
        raise NotImplementedError

    def listing_page_url(self, listing: str, number: int) -> str:
        raise NotImplementedError

    def parse_listing(self, url: str, html: str) -> ParsedPage:
        raise NotImplementedError

    def layout_problem(self, page: ParsedPage, first: bool) -> str | None:
        """Why a listing page shows the site's layout changed (quarantined, the crawl ends `layout_changed`)."""
        raise NotImplementedError

    def block_reason(self, request: Request, response: Response) -> str | None:
        """Why a response is a block and not an answer (for middlewares.blocks); None when it is an answer."""
        if response.status in (403, 429, 503):
            return f"HTTP {response.status}"
        return None

    def card_unchanged(self, complaint: Complaint, known: KnownComplaint) -> bool:
        """Whether a listing's copy of an archived complaint shows no change."""
        raise NotImplementedError

    def emit_complaint(self, complaint: Complaint, page: ParsedPage, unchanged: bool) -> Output:
        """What a complaint of a listing page becomes: the item itself by default."""
        yield complaint

    def not_found_message(self, url: str) -> str:
        return f"no {self.name} listing at {url} (HTTP 404)"

    # -- start -----------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        if self.argument_error:
            self.close_with(FinishReason.INVALID_ARGUMENTS, f"bad spider arguments: {self.argument_error}")
        for request in self.first_requests():
            yield request

    def first_requests(self) -> Iterator[Request]:
        """The crawl's first requests; its arguments are valid by now (in `self.args`)."""
        self.plan = plan_for_crawl(self.crawler, self.name, self.args)
        self.crawler.stats.set_value("refresh/mode", self.plan.mode)
        self.crawler.stats.set_value("refresh/why", self.plan.why)
        self.logger.info("%s run: %s", self.plan.mode, self.plan.why)
        named = self.listing_from_argument(self.args.company)
        if named is not None:
            listing, page = named
            yield self.start_listing(listing, page)
        elif self.plan.listing_url:
            self.logger.info("%r is %s (remembered from an earlier run)", self.args.company, self.plan.listing_url)
            yield self.start_listing(self.plan.listing_url, remembered=True)
        else:
            yield from self.resolve()

    def start_listing(self, listing: str, page: int | None = None, *, remembered: bool = False) -> Request:
        """The first request of a listing once it is known (from the argument, the archive or a resolution)."""
        self.crawler.stats.set_value("refresh/listing_url", listing)
        first = self.args.start_page or page or 1
        self.logger.info("crawling %s from page %d", listing, first)
        return self.listing_request(Cursor(listing, first, first, remembered=remembered))

    # -- listing pages ---------------------------------------------------------------------------------

    def listing_request(self, cursor: Cursor) -> Request:
        return Request(
            self.rebase(self.listing_page_url(cursor.listing, cursor.number)),
            callback=self.parse_listing_page,
            errback=self.listing_failed,
            meta={"handle_httpstatus_list": self.handled_statuses, "listing_page": cursor.number},
            cb_kwargs={"cursor": cursor},
        )

    def parse_listing_page(self, response: Response, cursor: Cursor) -> Output:
        number = cursor.number
        if response.status == 404:
            if cursor.first and cursor.remembered:
                self.logger.warning(
                    "the remembered listing %s is gone (HTTP 404): resolving %r again",
                    cursor.listing,
                    self.args.company,
                )
                yield from self.resolve()
                return
            if cursor.first:
                self.close_with(FinishReason.COMPANY_NOT_FOUND, self.not_found_message(response.url))
            yield from self.stop("404", cursor)
            return
        self.stop_if_blocked(response)
        if not page_is_whole(response.body):
            yield from self.page_arrived_cut(response)
            if response.meta.get("cut_retries", 0) >= self.settings.getint("TRUNCATED_RETRY_TIMES"):
                yield from self.next_page(cursor, cursor.previous_ids)  # the cut page is quarantined; go on
            return
        page = self.parsed(response)
        stats = self.crawler.stats
        stats.inc_value("pagination/pages")
        stats.set_value("pagination/current_page", number)
        total = page.business.complaints_total if page.business else None
        if total:  # the site's own count, in pages: for progress reports, and for reading pages ahead
            stats.set_value("pagination/pages_total", -(-total // self.site.cards_per_page))
            if cursor.first:
                cursor = replace(cursor, last_known=-(-total // self.site.cards_per_page))
        problem = self.layout_problem(page, cursor.first)
        if problem is not None:
            yield from self.layout_changed(page, number, problem)
            return
        ids = frozenset(c.external_id for c in page.complaints) | {f.card_id for f in page.failures if f.card_id}
        if not ids:
            yield from self.emit_page_business(page)
            yield from self.stop("empty page", cursor)
            return
        if cursor.repeats(ids):
            yield from self.stop("page repeats complaints already read", cursor)
            return
        if cursor.first:
            cursor = replace(cursor, first_ids=ids)
        yield from self.emit_page(page, cursor, ids)

    def emit_page_business(self, page: ParsedPage) -> Output:
        self.quarantine_failures(page)
        if page.business is not None:
            yield page.business

    def emit_page(self, page: ParsedPage, cursor: Cursor, ids: frozenset[str]) -> Output:
        since = self.args.since
        kept = [c for c in page.complaints if not (since and c.filed_on and c.filed_on < since)]
        known = self.plan.known(self.site.source.value, [c.external_id for c in kept])
        # The incremental rule: a page of archived, unchanged complaints all older than the refresh window.
        settled = self.plan.incremental and bool(kept) and not page.failures
        yield from self.emit_page_business(page)
        for complaint in kept:
            archived = known.get(complaint.external_id)
            unchanged = archived is not None and self.card_unchanged(complaint, archived)
            if unchanged:
                self.crawler.stats.inc_value("refresh/unchanged_on_listing")
            settled = settled and unchanged and self.plan.settled(complaint.filed_on)
            yield from self.emit_complaint(complaint, page, unchanged)
        if len(kept) < len(page.complaints):
            yield from self.stop(f"complaints older than since={since}", cursor)
        elif settled:
            self.crawler.stats.set_value("refresh/stopped_early", True)
            yield from self.stop(
                "incremental: every complaint of the page is archived, unchanged and older "
                f"than {self.plan.window_days} days",
                cursor,
            )
        else:
            yield from self.next_page(cursor, ids)

    def next_page(self, cursor: Cursor, ids: frozenset[str]) -> Output:
        limit = cursor.first_number + self.args.max_pages - 1 if self.args.max_pages else None
        if limit is not None and cursor.number >= limit:
            yield from self.stop(f"max_pages={self.args.max_pages}", cursor)
            return
        for number in self.pages_after(cursor):
            if limit is None or number <= limit:
                yield self.listing_request(cursor.at(number, ids if number == cursor.number + 1 else frozenset()))

    def pages_after(self, cursor: Cursor) -> list[int]:
        """The pages to ask for after this one. On a full sweep with room for several requests at once
        (`CONCURRENT_REQUESTS_PER_DOMAIN` > 1), a window of `PAGES_AHEAD` pages is kept in flight while the site's
        count says there are more: pagination waits on no single page. Otherwise, and past the site's count, the
        next page. Incremental runs and `since` read page by page: their stop rules decide at each page."""
        ahead = min(self.settings.getint("PAGES_AHEAD"), self.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") - 1)
        if ahead < 1 or self.plan.incremental or self.args.since or cursor.number >= cursor.last_known:
            return [cursor.number + 1]
        if cursor.first:
            return list(range(cursor.number + 1, min(cursor.number + ahead, cursor.last_known) + 1))
        following = cursor.number + ahead
        return [following] if following <= cursor.last_known else []

    def stop(self, why: str, cursor: Cursor) -> Output:
        self.logger.info("pagination of %s ends at page %d: %s", cursor.listing, cursor.number, why)
        self.crawler.stats.set_value("pagination/stop_reason", why)
        self.crawler.stats.set_value("pagination/last_page", cursor.number)
        return iter(())

    def layout_changed(self, page: ParsedPage, number: int, problem: str) -> Output:
        yield from self.emit_page_business(page)
        if not page.failures:
            self.quarantine(QuarantineKind.PARSE_ERROR, problem, url=page.url, details={"page": number})
        self.close_with(
            FinishReason.LAYOUT_CHANGED,
            f"{self.name} {self.listing_kind} {number} ({page.url}) has no readable complaint card: {problem}. "
            f"The site's layout may have changed; the page is in the quarantine table and the parser "
            f"({self.site.parser.partition(':')[0]}) may need updating.",
        )

    def listing_failed(self, failure: Failure) -> Output:
        """A listing page not fetched: blocked, dropped by a downloader middleware, or not fetched at all."""
        request = request_of(failure)
        cursor: Cursor = request.cb_kwargs["cursor"]
        number = cursor.number
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt, or a page-level check (the spam middleware quarantines what it drops).
            self.logger.warning("%s %s was not crawled: %s", self.listing_kind, request.url, describe_failure(failure))
            yield from self.stop("page not crawled", cursor)
            return
        self.close_with(
            FinishReason.SITE_UNAVAILABLE,
            f"{self.listing_kind} {number} failed at {request.url}: {describe_failure(failure)}. Pages before it are "
            "archived; run the crawl again later.",
        )

    # -- pages that arrive cut -------------------------------------------------------------------------

    def page_arrived_cut(self, response: Response) -> Output:
        """Fetch a cut page again; after `TRUNCATED_RETRY_TIMES`, quarantine it (its copy would replace whole
        threads with cut ones)."""
        retries = response.meta.get("cut_retries", 0)
        self.crawler.stats.inc_value("pages/cut")
        if retries < self.settings.getint("TRUNCATED_RETRY_TIMES"):
            self.logger.warning(
                "%s arrived cut (%d bytes, no closing tags): fetching it again", response.url, len(response.body)
            )
            assert response.request is not None
            yield response.request.replace(dont_filter=True, meta={**response.meta, "cut_retries": retries + 1})
            return
        self.quarantine(
            QuarantineKind.TRUNCATED_PAGE,
            f"the page arrived cut {retries + 1} times ({len(response.body)} bytes, no closing </html>)",
            url=self.live_url(response.url),
            details={
                "status": response.status,
                "bytes": len(response.body),
                "end": snippet(self.text_of(response)[-SNIPPET_CHARS:]),
            },
        )

    # -- blocks ----------------------------------------------------------------------------------------

    BLOCKED_ADVICE: ClassVar[str] = "Crawl again later, or more slowly (-s DOWNLOAD_DELAY=10)."

    def stop_if_blocked(self, response: Response) -> None:
        """Quarantine a block the middleware gave up on (or detect it when the middleware is off) and close."""
        meta = response.meta
        assert response.request is not None
        reason = meta["block_reason"] if "block_reason" in meta else self.block_reason(response.request, response)
        if reason is None:
            return
        retries = meta.get("block_retries", 0)
        self.quarantine(
            QuarantineKind.BLOCKED,
            f"{reason} (after {retries} retries)",
            url=self.live_url(response.url),
            details={"status": response.status, "retries": retries, "snippet": snippet(self.text_of(response))},
        )
        self.close_with(
            FinishReason.BLOCKED, f"blocked at {response.url}: {reason}, after {retries} retries. {self.BLOCKED_ADVICE}"
        )

    # -- helpers ---------------------------------------------------------------------------------------

    def rebase(self, url: str) -> str:
        """A live-site or relative URL, on the configured base URL (the fixture site in tests)."""
        absolute = urljoin(self.base_url + "/", url)
        parts = urlsplit(absolute)
        if parts.hostname in self.site.live_hosts:
            base = urlsplit(self.base_url)
            return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, ""))
        return absolute

    def live_url(self, url: str) -> str:
        """A URL fetched from the configured origin (the fixture site in tests), on the live origin."""
        base, live = self.base_url, self.site.live_origin.rstrip("/")
        if base != live and (url == base or url.startswith((base + "/", base + "?"))):
            return live + url[len(base) :]
        return url

    def close_with(self, reason: FinishReason, message: str) -> NoReturn:
        """Log what went wrong and what to do, then stop the crawl with `reason` as its finish reason."""
        self.logger.error(message)
        self.crawler.stats.set_value("close_message", message)
        raise CloseSpider(reason.value)

    def quarantine(self, kind: QuarantineKind, reason: str, **details: Any) -> None:
        quarantine(self.crawler, kind, reason, **details)

    def quarantine_failures(self, page: ParsedPage) -> None:
        for failure in page.failures:
            self.quarantine(
                QuarantineKind.PARSE_ERROR,
                f"unreadable card {failure.card_id}: {failure.reason}"
                if failure.card_id
                else f"unreadable page: {failure.reason}",
                url=page.url,
                details={"card_id": failure.card_id, "snippet": snippet(failure.snippet, 2000)},
            )

    def parsed(self, response: Response) -> ParsedPage:
        """A listing page parsed once, whether the block check or the callback asks first."""
        page = self._parsed.get(response)
        if page is None:
            page = self._parsed[response] = self.parse_listing(self.live_url(response.url), self.text_of(response))
        return page

    @staticmethod
    def text_of(response: Response) -> str:
        return response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")


def request_of(failure: Failure) -> Request:
    """The request a download failure is about (Scrapy sets it on the failure)."""
    return cast(Request, getattr(failure, "request"))  # noqa: B009 - not an attribute Twisted declares


def describe_failure(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {cast(HttpError, failure.value).response.status}"
    if failure.check(IgnoreRequest):
        return f"not fetched ({failure.getErrorMessage() or 'ignored'})"
    return f"{getattr(failure.type, '__name__', 'error')}: {failure.getErrorMessage()}"
