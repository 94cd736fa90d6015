"""bbb.org: every complaint thread of one business profile.

    scrapy crawl bbb -a company=microsoft [-a location="Redmond, WA"] [-a max_pages=N] [-a since=YYYY-MM-DD]
    scrapy crawl bbb -a company=https://www.bbb.org/us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011

The spider only says what to fetch: the search API (for a name), then `{profile}/complaints` and
`?page=N` while pages have cards. Parsing is `parsers.bbb`; retries of blocked pages are
`middlewares.blocks`. Finish reasons besides `finished`: `company_not_found`, `blocked`,
`layout_changed`, `invalid_arguments`, `site_unavailable` (all make `scrapy crawl` exit 1).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from weakref import WeakKeyDictionary

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from complaints_crawler.items import Source
from complaints_crawler.parsers.base import ParsedPage
from complaints_crawler.parsers.bbb import (
    business_external_id,
    choose_candidate,
    complaints_url,
    is_challenge_page,
    parse_complaints_page,
    parse_search_results,
    profile_url,
)
from complaints_crawler.quarantine import QuarantineKind
from complaints_crawler.spiders.base import ComplaintsSpider

SEARCH_PAGE, COMPLAINTS_PAGE = "search", "complaints"
CANDIDATES_LOGGED = 5
_URL_LIKE = re.compile(r"^(?:https?://|/|(?:www\.)?bbb\.org/)", re.I)

BLOCKED_ADVICE = (
    "BBB (Cloudflare) is blocking this crawler. What to do: slow down (-s DOWNLOAD_DELAY=10, crawl later or "
    "from another network); or download with a browser's TLS fingerprints: pip install -e \".[impersonate]\" "
    "(scrapy-impersonate) and crawl with -s IMPERSONATE_BROWSER=chrome; or open the complaints pages in a "
    "browser, save them (Ctrl+S), and archive the saved files with `complaints import --site bbb FILE…`."
)


class BbbSpider(ComplaintsSpider):
    name = "bbb"
    source = Source.BBB
    base_url_setting = "BBB_BASE_URL"
    live_hosts = ("www.bbb.org", "bbb.org")
    # Seen by the callbacks, not dropped by HttpErrorMiddleware: challenges are 403/503, 429 is a block
    # too, and a 404 means the profile does not exist.
    handle_httpstatus_list = [403, 404, 429, 503]
    # Politer than the project defaults: BBB is behind Cloudflare and blocks bursts.
    custom_settings = {
        "DOWNLOAD_DELAY": 4.0,
        "AUTOTHROTTLE_START_DELAY": 4.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
    }

    def __init__(self, name: str | None = None, **kwargs: Any):
        super().__init__(name, **kwargs)
        self._parsed: WeakKeyDictionary[Response, ParsedPage] = WeakKeyDictionary()
        self.first_page = 1
        self.seen_ids: set[str] = set()  # complaint ids of the pages read so far

    # -- start ----------------------------------------------------------------------------------------------

    async def start_requests_checked(self):  # type: ignore[no-untyped-def]
        company = self.args.company
        if _URL_LIKE.match(company):
            url = self.rebase(company if "://" in company or company.startswith("/") else f"https://{company}")
            if business_external_id(url) is None:
                self.close_with(
                    "invalid_arguments",
                    f"-a company={company}: not a BBB profile or complaints URL "
                    "(expected https://www.bbb.org/us/<state>/<city>/profile/<category>/<name>-<bbbId>-<businessId>)",
                )
            self.first_page = self._first_page(url)
            yield self.complaints_request(profile_url(url), self.first_page)
            return
        self.first_page = self.args.start_page
        params = {"find_country": "USA", "find_text": company, "page": 1}
        if self.args.location:
            params["find_loc"] = self.args.location
        yield scrapy.Request(
            f"{self.base_url}/api/search?{urlencode(params, quote_via=quote)}",
            callback=self.parse_search,
            errback=self.request_failed,
            meta={"bbb_page": SEARCH_PAGE},
        )

    def _first_page(self, url: str) -> int:
        """-a start_page, else the ?page=N of a complaints URL given as the company, else 1."""
        if "start_page" in self.arguments:
            return self.args.start_page
        values = parse_qs(urlsplit(url).query).get("page", [])
        return int(values[0]) if values and values[0].isdigit() and int(values[0]) >= 1 else 1

    def complaints_request(self, profile: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            complaints_url(profile, page),
            callback=self.parse_complaints,
            errback=self.request_failed,
            meta={"bbb_page": COMPLAINTS_PAGE, "page_number": page, "profile": profile},
        )

    # -- name resolution -------------------------------------------------------------------------------------

    def parse_search(self, response: Response):  # type: ignore[no-untyped-def]
        if response.status == 404:
            self.close_with("site_unavailable", f"the BBB search API is not at {response.url} (HTTP 404)")
        self.stop_if_blocked(response)
        company, location = self.args.company, self.args.location
        candidates = parse_search_results(response.text)
        for i, c in enumerate(candidates[:CANDIDATES_LOGGED], start=1):
            self.logger.info("BBB search %r candidate %d: %s (%s) %s", company, i, c.name, c.place, c.profile_url)
        chosen, why = choose_candidate(company, candidates, location)
        if chosen is None:
            self.close_with(
                "company_not_found",
                f"no BBB business matches -a company={company!r}"
                f"{f' (location {location!r})' if location else ''}: {why}. "
                "Pass the business's BBB profile URL as -a company=… to crawl it.",
            )
        self.logger.info("BBB business for %r: %s", company, why)
        yield self.complaints_request(profile_url(self.rebase(chosen.profile_url)), self.first_page)

    # -- complaints pages ------------------------------------------------------------------------------------

    def parse_complaints(self, response: Response):  # type: ignore[no-untyped-def]
        number = response.meta["page_number"]
        first = number == self.first_page
        if response.status == 404:
            if first:
                self.close_with("company_not_found", f"no BBB complaints page at {response.url} (HTTP 404)")
            self.logger.info("BBB page %d is 404: no more complaints pages", number)
            return
        self.stop_if_blocked(response)
        page = self.parsed(response)
        total = page.business.complaints_total if page.business else None
        if first and not page.complaints and (total or 0) > 0:
            yield page.business
            self.quarantine_failures(page)
            self.quarantine(
                QuarantineKind.PARSE_ERROR,
                f"layout changed: the page has BBB's data ({total} complaints) but no readable complaint card",
                url=response.url,
                details={"complaints_total": total, "cards_found": page.card_count},
            )
            self.close_with(
                "layout_changed",
                f"BBB's complaints page layout changed at {response.url}: {total} complaints, none readable; "
                "the parser (complaints_crawler/parsers/bbb.py) needs updating. The page is in the quarantine table.",
            )
        if self.page_too_old(page):
            self.logger.info("BBB page %d: every complaint is older than -a since=%s; stopping", number, self.args.since)
            if page.business is not None:
                yield page.business
            return
        ids = {c.external_id for c in page.complaints}
        if ids and ids <= self.seen_ids:
            # A site (or fixture) that ignores ?page=N answers with page 1 again: that is the end.
            self.logger.info("BBB page %d repeats complaints already read: done", number)
            return
        self.seen_ids |= ids
        yield from self.emit(page)
        if page.card_count == 0:
            if first and total is None:
                self.logger.warning("BBB page %s has no complaints and no complaint count", response.url)
            self.logger.info("BBB page %d has no complaints: done", number)
        elif self.args.max_pages and number - self.first_page + 1 >= self.args.max_pages:
            self.logger.info("BBB: stopping after %d page(s) (-a max_pages)", self.args.max_pages)
        else:
            yield self.complaints_request(response.meta["profile"], number + 1)

    def parsed(self, response: Response) -> ParsedPage:
        """The page parsed once, whether the block check or the callback asks first."""
        page = self._parsed.get(response)
        if page is None:
            page = self._parsed[response] = parse_complaints_page(response.url, self.text_of(response))
        return page

    def request_failed(self, failure: Failure) -> None:
        """A page not fetched at all (network error, HTTP 5xx after retries, robots.txt): the crawl is incomplete."""
        if failure.check(HttpError):
            why = f"HTTP {failure.value.response.status}"
        elif failure.check(IgnoreRequest):
            why = f"not fetched ({failure.getErrorMessage() or 'ignored'}, e.g. forbidden by robots.txt)"
        else:
            why = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        page = failure.request.meta.get("page_number")
        what = "the BBB search API" if page is None else f"BBB complaints page {page}"
        self.close_with(
            "site_unavailable",
            f"{what} failed at {failure.request.url}: {why}. Pages before it are archived; run the crawl again later.",
        )

    # -- blocks ----------------------------------------------------------------------------------------------

    def block_reason(self, request: scrapy.Request, response: Response) -> str | None:
        """Why this response is a block and not an answer; None when it is a real page (or not a BBB page)."""
        kind = request.meta.get("bbb_page")
        if kind is None or response.status == 404:
            return None  # robots.txt and other helpers; a missing profile is not a block
        if response.status == 429:
            return "HTTP 429 Too Many Requests"
        text = self.text_of(response)
        if is_challenge_page(response.status, text):
            return f"Cloudflare challenge page (HTTP {response.status})"
        if kind == SEARCH_PAGE:
            try:
                answer = json.loads(text)
            except ValueError:
                return "the search API answered with something other than JSON"
            return None if isinstance(answer, dict) else "the search API answered with unexpected JSON"
        if not self.parsed(response).has_site_data:
            return "the page holds neither __PRELOADED_STATE__ nor complaint cards"
        return None

    def stop_if_blocked(self, response: Response) -> None:
        """Quarantine a block the middleware gave up on (or detect it when the middleware is off) and close."""
        meta = response.meta
        reason = meta["block_reason"] if "block_reason" in meta else self.block_reason(response.request, response)
        if reason is None:
            return
        retries = meta.get("block_retries", 0)
        self.quarantine(
            QuarantineKind.BLOCKED,
            f"{reason} (after {retries} retries)",
            url=response.url,
            details={
                "status": response.status,
                "retries": retries,
                "snippet": self.text_of(response)[:500].replace("\x00", ""),
            },
        )
        self.close_with("blocked", f"blocked at {response.url}: {reason}, after {retries} retries. {BLOCKED_ADVICE}")
