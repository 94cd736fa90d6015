"""bbb.org: every complaint thread of one business profile.

    scrapy crawl bbb -a company=microsoft [-a location="Redmond, WA"] [-a max_pages=N] [-a since=YYYY-MM-DD]
    scrapy crawl bbb -a company=https://www.bbb.org/us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011

What is particular to BBB: a name is resolved through the search API (`parsers.bbb.choose_candidate`: the
exact name, then the location, then the API's order; never a look-alike), the listing is the profile's
`/complaints` and `?page=N`, a Cloudflare challenge or a page without BBB's data is a block, and a first
page with BBB's count of complaints but no readable card is a layout change. Everything else is the engine's
(spiders/base.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from complaints_crawler.archive.prepare import content_hash
from complaints_crawler.archive.targets import KnownComplaint
from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.items import Complaint
from complaints_crawler.parsers.base import ParsedPage
from complaints_crawler.parsers.bbb import (
    SearchAnswerError,
    business_external_id,
    choose_candidate,
    complaints_url,
    is_challenge_page,
    parse_complaints_page,
    parse_search_results,
    profile_url,
)
from complaints_crawler.sites import SITES
from complaints_crawler.spiders.base import ComplaintsSpider, describe_failure, request_of

CANDIDATES_LOGGED = 5
_URL_LIKE = re.compile(r"^(?:https?://|/|(?:www\.)?bbb\.org/)", re.I)


class BbbSpider(ComplaintsSpider):
    site = SITES["bbb"]
    listing_kind = "BBB complaints page"
    # Politer than the project defaults: BBB is behind Cloudflare and blocks bursts.
    custom_settings: dict[str, Any] | None = {
        "DOWNLOAD_DELAY": 4.0,
        "AUTOTHROTTLE_START_DELAY": 4.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
    }
    BLOCKED_ADVICE = (
        "BBB (Cloudflare) is blocking this crawler. What to do: slow down (-s DOWNLOAD_DELAY=10, crawl later or "
        'from another network); or download with a browser\'s TLS fingerprints: pip install -e ".[impersonate]" '
        "(scrapy-impersonate) and crawl with -s IMPERSONATE_BROWSER=chrome; or open the complaints pages in a "
        "browser, save them (Ctrl+S), and archive the saved files with `complaints import --site bbb FILE…`."
    )

    # -- the listing -------------------------------------------------------------------------------------

    def listing_from_argument(self, company: str) -> tuple[str, int | None] | None:
        if not _URL_LIKE.match(company):
            return None
        url = company if "://" in company or company.startswith("/") else f"https://{company}"
        live = self.live_url(self.rebase(url))
        if business_external_id(live) is None:
            self.close_with(
                FinishReason.INVALID_ARGUMENTS,
                f"-a company={company}: not a BBB profile or complaints URL "
                "(expected https://www.bbb.org/us/<state>/<city>/profile/<category>/<name>-<bbbId>-<businessId>)",
            )
        pages = parse_qs(urlsplit(live).query).get("page", [])
        page = int(pages[0]) if pages and pages[0].isdigit() and int(pages[0]) >= 1 else None
        return profile_url(live), page

    def listing_page_url(self, listing: str, number: int) -> str:
        return complaints_url(listing, number)

    def not_found_message(self, url: str) -> str:
        return f"no BBB complaints page at {url} (HTTP 404)"

    # -- name resolution ---------------------------------------------------------------------------------

    def resolve(self) -> Iterable[Request]:
        params: dict[str, str | int] = {"find_country": "USA", "find_text": self.args.company, "page": 1}
        if self.args.location:
            params["find_loc"] = self.args.location
        yield Request(
            f"{self.base_url}/api/search?{urlencode(params, quote_via=quote)}",
            callback=self.parse_search,
            errback=self.search_failed,
            meta={"handle_httpstatus_list": self.handled_statuses, "bbb_search": True},
            dont_filter=True,  # a remembered profile that is gone resolves again
        )

    def parse_search(self, response: Response) -> Iterator[Request]:
        if response.status == 404:
            self.close_with(FinishReason.SITE_UNAVAILABLE, f"the BBB search API is not at {response.url} (HTTP 404)")
        self.stop_if_blocked(response)
        company, location = self.args.company, self.args.location
        try:
            candidates = parse_search_results(response.text)
        except SearchAnswerError as error:
            self.close_with(
                FinishReason.LAYOUT_CHANGED,
                f"the BBB search API answered in an unexpected shape at {response.url}: {error}",
            )
        for i, c in enumerate(candidates[:CANDIDATES_LOGGED], start=1):
            self.logger.info("BBB search %r candidate %d: %s (%s) %s", company, i, c.name, c.place, c.profile_url)
        chosen, why = choose_candidate(company, candidates, location)
        if chosen is None:
            self.close_with(
                FinishReason.COMPANY_NOT_FOUND,
                f"no BBB business matches -a company={company!r}"
                f"{f' (location {location!r})' if location else ''}: {why}. "
                "Pass the business's BBB profile URL as -a company=… to crawl it.",
            )
        self.logger.info("BBB business for %r: %s", company, why)
        yield self.start_listing(profile_url(chosen.profile_url))

    def search_failed(self, failure: Failure) -> None:
        self.close_with(
            FinishReason.SITE_UNAVAILABLE,
            f"the BBB search API failed at {request_of(failure).url}: {describe_failure(failure)}. "
            "Run the crawl again later.",
        )

    # -- pages -------------------------------------------------------------------------------------------

    def parse_listing(self, url: str, html: str) -> ParsedPage:
        return parse_complaints_page(url, html)

    def layout_problem(self, page: ParsedPage, first: bool) -> str | None:
        total = page.business.complaints_total if page.business else None
        if first and not page.complaints and (total or 0) > 0:
            return f"layout changed: the page has BBB's data ({total} complaints) but no readable complaint card"
        if not page.complaints and any(f.card_id is None for f in page.failures):
            return "the page could not be read"  # the parser's own failure says why
        return None

    def card_unchanged(self, complaint: Complaint, known: KnownComplaint) -> bool:
        # A BBB card holds the whole thread: its content hash is the archive's test of change.
        return content_hash(complaint, mask_pii=self.settings.getbool("MASK_RESIDUAL_PII")) == known.content_hash

    # -- blocks ------------------------------------------------------------------------------------------

    def block_reason(self, request: Request, response: Response) -> str | None:
        """Why this response is a block and not an answer; None when it is a real page (or not a BBB page)."""
        search = request.meta.get("bbb_search", False)
        if not (search or "listing_page" in request.meta) or response.status == 404:
            return None  # robots.txt and other helpers; a missing profile is not a block
        if response.status == 429:
            return "HTTP 429 Too Many Requests"
        text = self.text_of(response)
        if is_challenge_page(response.status, text):
            return f"Cloudflare challenge page (HTTP {response.status})"
        if search:
            try:
                answer = json.loads(text)
            except (ValueError, RecursionError):
                return "the search API answered with something other than JSON"
            return None if isinstance(answer, dict) else "the search API answered with unexpected JSON"
        page = self.parsed(response)
        if not page.has_site_data and not any(f.card_id is None for f in page.failures):
            # An unreadable page (its parser says why) is a parse error, not a block to wait out.
            return "the page holds neither __PRELOADED_STATE__ nor complaint cards"
        return None
