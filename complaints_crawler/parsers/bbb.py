"""bbb.org: complaints pages, the business search API, and the URL rules the spider needs.

Pure functions only (url + text in, items out). The business comes from `window.__PRELOADED_STATE__`
when the page has it, else from the page text; complaint cards are found by their class
(`li.bpr-complaint-grid[id]`) or, for older and unknown layouts, by their "Initial Complaint" label,
and every card is read by its text labels (`parsers.bbb_threads`), not by hashed class names.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml.etree import _Element
from pydantic import ValidationError

from complaints_crawler.items import Business, BusinessRef, Complaint, Response, Source
from complaints_crawler.parsers.base import CardFailure, ParsedPage
from complaints_crawler.sites import SITES
from complaints_crawler.text.html_text import element_text, parse_html
from complaints_crawler.parsers.bbb_threads import Thread, read_threads

logger = logging.getLogger(__name__)

BBB_ORIGIN = SITES["bbb"].live_origin

# --- URLs -------------------------------------------------------------------------------------------------

# /us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011
_PROFILE_PATH = re.compile(r"^/(?:us|ca)/[^/]+/[^/]+/profile/[^/]+/[^/]*?-(?P<bbb>\d{4})-(?P<biz>\d+)(?=/|$)")


def profile_url(url: str) -> str:
    """The bare profile URL of any profile sub-page URL (complaints, `/addressId/N`, query, trailing slash)."""
    parts = urlsplit(url)
    match = _PROFILE_PATH.match(parts.path)
    path = match.group(0) if match else re.sub(r"/addressId/\d+", "", parts.path).rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def complaints_url(profile: str, page: int = 1) -> str:
    url = f"{profile_url(profile)}/complaints"
    return url if page <= 1 else f"{url}?page={page}"


def business_external_id(url: str) -> str | None:
    """"{bbbId}-{businessId}" from a profile URL, or None when the URL is not a profile URL."""
    match = _PROFILE_PATH.match(urlsplit(url).path)
    return f"{match['bbb']}-{match['biz']}" if match else None


def _web_base(url: str) -> str:
    """`url`, or the live origin for a page read from a file (`complaints parse` without --url)."""
    return url if urlsplit(url).scheme in ("http", "https") else BBB_ORIGIN


# --- challenge pages --------------------------------------------------------------------------------------

_CHALLENGE_STATUSES = frozenset({403, 503})
_CHALLENGE_TITLE = re.compile(r"<title>\s*(?:Just a moment|Attention Required)", re.I)
# Every real BBB page loads Cloudflare's "challenge-platform" JSD script, so that path proves nothing;
# these markers exist only on the interstitial itself.
_CHALLENGE_MARKERS = ("cf-chl", "_cf_chl_opt", "cf-browser-verification")


def is_challenge_page(status: int, html: str) -> bool:
    """A Cloudflare block or challenge: never read such a page as "no complaints"."""
    if status in _CHALLENGE_STATUSES:
        return True
    return bool(_CHALLENGE_TITLE.search(html)) or any(marker in html for marker in _CHALLENGE_MARKERS)


# --- __PRELOADED_STATE__ ----------------------------------------------------------------------------------

_STATE_START = re.compile(r"__PRELOADED_STATE__\s*=\s*")


def extract_preloaded_state(html: str) -> dict | None:
    """The `window.__PRELOADED_STATE__` object, decoded from its `{` to the matching `}`."""
    match = _STATE_START.search(html)
    if not match or html[match.end() : match.end() + 1] != "{":
        return None
    try:
        state, _ = json.JSONDecoder().raw_decode(html, match.end())
    except json.JSONDecodeError:
        return None
    return state if isinstance(state, dict) else None


def _dig(data: dict, *keys: str):
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _business_from_state(state: dict, url: str) -> Business | None:
    profile = state.get("businessProfile")
    if not isinstance(profile, dict):
        return None
    bbb_id, business_id = profile.get("bbbId"), profile.get("businessId")
    name = _dig(profile, "names", "primary")
    if not (bbb_id and business_id and name):
        return None
    summary = profile.get("reviewsComplaintsSummary") or {}
    return Business(
        source=Source.BBB,
        external_id=f"{bbb_id}-{business_id}",
        name=name,
        # On a local-report page urls.profile is the HQ profile, whose complaints these are.
        url=urljoin(_web_base(url), _dig(profile, "urls", "profile") or profile_url(url)),
        category=_dig(profile, "categories", "primaryCategoryName"),
        accredited=_dig(profile, "accreditationInformation", "isAccredited"),
        rating=_dig(profile, "rating", "bbbRating") or None,
        location=_dig(profile, "location", "formattedAddress"),
        complaints_total=summary.get("complaintsTotal"),
        complaints_closed_3y=summary.get("totalClosedComplaintsPastThreeYears"),
        complaints_closed_12m=summary.get("totalClosedComplaintsPastTwelveMonths"),
    )


# --- business from page text (older layouts without the state) --------------------------------------------

_TOTAL_3Y = re.compile(r"([\d,]+) total complaints in the last 3 years")
_CLOSED_12M = re.compile(r"([\d,]+) complaints closed in the last 12 months")
_NOT_ACCREDITED = re.compile(r"is NOT (?:a )?BBB Accredited")
_ACCREDITED = re.compile(r"is (?:a )?BBB Accredited(?: Business)?\.")
_CATEGORY = re.compile(r"^Find BBB Accredited Businesses in (.+?)\.$", re.M)
_NAME_IN_TEXT = re.compile(r"^This profile includes complaints for (.+?)'s headquarters", re.M)


def _count(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    return int(match.group(1).replace(",", "")) if match else None


def _accredited_from_text(text: str) -> bool | None:
    if _NOT_ACCREDITED.search(text):
        return False
    return True if _ACCREDITED.search(text) else None


def _name_from_page(root: _Element, text: str) -> str | None:
    for node in root.xpath("//*[@id='businessName']"):
        name = element_text(node).strip()
        if name:
            return name
    match = _NAME_IN_TEXT.search(text)
    if match:
        return match.group(1).strip()
    # "Charter Spectrum | Complaints | Better Business Bureau® Profile"; other titles (a challenge's
    # "Just a moment...") name no business.
    title = root.findtext(".//title") or ""
    if "Better Business Bureau" not in title:
        return None
    return title.split("|")[0].strip() or None


def _business_from_text(root: _Element, url: str) -> Business | None:
    external_id = business_external_id(url)
    text = element_text(root)
    name = _name_from_page(root, text)
    if not (external_id and name):
        return None
    category = _CATEGORY.search(text)
    return Business(
        source=Source.BBB,
        external_id=external_id,
        name=name,
        url=profile_url(url),
        category=category.group(1) if category else None,
        accredited=_accredited_from_text(text),
        complaints_total=_count(_TOTAL_3Y, text),
        complaints_closed_12m=_count(_CLOSED_12M, text),
    )


# --- complaint cards --------------------------------------------------------------------------------------

_LABELLED_LI = "li[@id][contains(., 'Initial Complaint')]"
# Class-based cards, plus any innermost li[id] whose text carries the thread label (older layouts).
_CARDS_XPATH = (
    "//li[@id][contains(concat(' ', normalize-space(@class), ' '), ' bpr-complaint-grid ')]"
    f" | //{_LABELLED_LI}[not(.//{_LABELLED_LI})]"
)


class _CardError(ValueError):
    pass


def _find_cards(root: _Element) -> list[_Element]:
    return root.xpath(_CARDS_XPATH)


def _card_thread(lines: list[str]) -> Thread:
    threads = read_threads(lines, implicit_start=True)
    if len(threads) != 1:
        raise _CardError(f"expected one thread in the card, read {len(threads)}")
    return threads[0]


def _complaint_id(card_id: str, thread: Thread) -> str:
    """The card's id attribute, with the answers' "Complaint: N" lines as fallback and cross-check."""
    named = thread.complaint_ids
    if card_id and named and named != [card_id]:
        logger.warning("BBB card id %s disagrees with its 'Complaint:' lines %s", card_id, named)
    external_id = card_id or thread.complaint_id
    if not external_id:
        raise _CardError("card has no id attribute and no 'Complaint: N' line")
    return external_id


def _responses(thread: Thread) -> list[Response]:
    return [
        Response(position=i, kind=e.kind, posted_on=e.posted_on, text=e.text, verdict=e.verdict)
        for i, e in enumerate(thread.entries, start=1)
    ]


def _complaint(card: _Element, business: BusinessRef) -> Complaint:
    thread = _card_thread(element_text(card).split("\n"))
    external_id = _complaint_id((card.get("id") or "").strip(), thread)
    return Complaint(
        source=Source.BBB,
        external_id=external_id,
        # A complaint moves between ?page=N pages as new ones arrive; the anchor on page 1's URL does not.
        url=f"{complaints_url(business.url)}#{external_id}",
        business=business,
        filed_on=thread.filed_on,
        complaint_type=thread.complaint_type,
        status=thread.status,
        text=thread.text,
        responses=_responses(thread),
    )


def _read_card(card: _Element, business: Business | None) -> Complaint | CardFailure:
    try:
        if business is None:
            raise _CardError("the page names no business for its complaints")
        return _complaint(card, business.ref())
    except _CardError as exc:
        reason = str(exc)
    except ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    except Exception as exc:  # one odd card must not cost the page: quarantine it with the error
        logger.exception("BBB card %s could not be read", card.get("id"))
        reason = f"{type(exc).__name__}: {exc}"
    return CardFailure(reason=reason, card_id=card.get("id"), snippet=element_text(card)[:300])


def parse_complaints_page(url: str, html: str) -> ParsedPage:
    """Business and complaints of one `{profile}/complaints[?page=N]` page."""
    root = parse_html(html)
    state = extract_preloaded_state(html)
    business = (_business_from_state(state, url) if state else None) or _business_from_text(root, url)
    cards = _find_cards(root)
    page = ParsedPage(url=url, business=business)
    page.has_site_data = state is not None or bool(cards)
    for card in cards:
        result = _read_card(card, business)
        (page.complaints if isinstance(result, Complaint) else page.failures).append(result)
    return page


# The `complaints parse --site bbb` entry point.
parse_page = parse_complaints_page


# --- search API and name resolution ----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCandidate:
    name: str
    profile_url: str
    city: str | None = None
    state: str | None = None
    business_id: str | None = None
    bbb_id: str | None = None

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.state) if p)


_TAGS = re.compile(r"<[^>]+>")


def _plain(markup: str) -> str:
    return html_lib.unescape(_TAGS.sub("", markup)).strip()


def parse_search_results(json_text: str, base_url: str = BBB_ORIGIN) -> list[SearchCandidate]:
    """Candidates of a `GET /api/search` answer, in API order (report URLs made absolute on `base_url`)."""
    results = json.loads(json_text).get("results") or []
    return [
        SearchCandidate(
            name=_plain(r.get("businessName") or ""),
            profile_url=profile_url(urljoin(base_url, r["reportUrl"])),
            city=r.get("city") or None,
            state=r.get("state") or None,
            business_id=str(r["businessId"]) if r.get("businessId") else None,
            bbb_id=str(r["bbbId"]) if r.get("bbbId") else None,
        )
        for r in results
        if r.get("reportUrl")
    ]


_LEGAL_SUFFIXES = frozenset(
    "inc incorporated corp corporation llc ltd limited co company lp llp plc pllc pc".split()
)
_NON_WORD = re.compile(r"[^\w]+")


def normalize_business_name(name: str) -> str:
    """Lower case words without punctuation, `&` as "and", trailing legal suffixes dropped."""
    words = _NON_WORD.sub(" ", _plain(name).lower().replace("&", " and ")).replace("_", " ").split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def _name_fits(query: str, name: str) -> bool:
    # The query must be the whole name or its leading words: "microsoft" fits "Microsoft Store",
    # never "Micro Soft Solutions" nor "Best Microsoft Repair".
    return name == query or name.startswith(query + " ")


def _in_location(candidate: SearchCandidate, location: str | None) -> bool:
    if not location:
        return False
    places = {normalize_business_name(p) for p in (candidate.city or "", candidate.state or "") if p}
    wanted = [normalize_business_name(p) for p in location.split(",") if p.strip()]
    return bool(wanted) and all(w in places for w in wanted)


def _describe(candidates: list[SearchCandidate]) -> str:
    return "; ".join(f"{c.name} ({c.place})" for c in candidates) or "no results"


def choose_candidate(
    query: str, candidates: list[SearchCandidate], location: str | None = None
) -> tuple[SearchCandidate | None, str]:
    """The business a name (and optional "City, ST" location) means, and why; None rather than a guess."""
    wanted = normalize_business_name(query)
    named = [(i, c, normalize_business_name(c.name)) for i, c in enumerate(candidates)]
    fitting = [f for f in named if _name_fits(wanted, f[2])]
    if not fitting:
        return None, f"no candidate named like {query!r} among: {_describe(candidates)}"
    # Exact name first, then the wanted location, then the API's own order.
    _, best, best_name = min(fitting, key=lambda f: (f[2] != wanted, not _in_location(f[1], location), f[0]))
    how = "exact name" if best_name == wanted else "leading-words name"
    where = "" if not location else (" in " + location if _in_location(best, location) else f", not in {location}")
    return best, f"{how} match{where}: {best.name} ({best.place}) of {len(candidates)} candidates"
