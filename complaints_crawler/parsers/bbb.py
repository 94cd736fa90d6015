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
from typing import Any, cast
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml.etree import _Element
from pydantic import ValidationError

from complaints_crawler.items import Business, BusinessRef, Complaint, Response, Source
from complaints_crawler.parsers.base import CardFailure, ParsedPage
from complaints_crawler.parsers.bbb_threads import Thread, read_threads
from complaints_crawler.parsers.lost_cards import CardStart, card_starts, label_starts, page_failure, page_failures
from complaints_crawler.parsers.values import join_url, parse_count
from complaints_crawler.sites import SITES
from complaints_crawler.text.html_text import element_text
from complaints_crawler.text.page_reading import Reading, shared

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
    """ "{bbbId}-{businessId}" from a profile URL, or None when the URL is not a profile URL."""
    match = _PROFILE_PATH.match(urlsplit(url).path)
    return f"{match['bbb']}-{match['biz']}" if match else None


def _web_base(url: str) -> str:
    """`url`, or the live origin for a page read from a file (`complaints parse` without --url)."""
    return url if url[:8].lower().startswith(("http://", "https://")) else BBB_ORIGIN


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


def extract_preloaded_state(html: str) -> dict[str, Any] | None:
    """The `window.__PRELOADED_STATE__` object, decoded from its `{` to the matching `}`; None when the page
    has none or it cannot be read."""
    return _read_state(html)[0]


def _read_state(html: str) -> tuple[dict[str, Any] | None, str | None]:
    """The state, and why it could not be read when the page has one (None when it has none)."""
    match = _STATE_START.search(html)
    if not match:
        return None, None
    if html[match.end() : match.end() + 1] != "{":
        return None, "it is not a JSON object"
    try:
        state, _ = json.JSONDecoder().raw_decode(html, match.end())
    except RecursionError:  # nesting deeper than Python's stack
        return None, "its JSON nests too deep"
    except ValueError as error:  # broken JSON; a number longer than int() converts
        return None, f"{' '.join(str(error).split())[:200]}"
    return state, None


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _text_value(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _id_value(value: Any) -> str | None:
    """An id the state gives as a string or a number."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)


def _business_from_state(state: dict[str, Any], url: str) -> Business | None:
    """The business the state describes; a field of an unexpected type is left out, not fatal."""
    profile = state.get("businessProfile")
    if not isinstance(profile, dict):
        return None
    bbb_id, business_id = _id_value(profile.get("bbbId")), _id_value(profile.get("businessId"))
    name = _text_value(_dig(profile, "names", "primary"))
    if not (bbb_id and business_id and name):
        return None
    summary = profile.get("reviewsComplaintsSummary")
    summary = summary if isinstance(summary, dict) else {}
    # On a local-report page urls.profile is the HQ profile, whose complaints these are.
    own_url = _text_value(_dig(profile, "urls", "profile"))
    fields: dict[str, Any] = {
        "source": Source.BBB,
        "external_id": f"{bbb_id}-{business_id}",
        "name": name,
        "url": (own_url and join_url(_web_base(url), own_url)) or profile_url(url),
        "category": _dig(profile, "categories", "primaryCategoryName"),
        "accredited": _dig(profile, "accreditationInformation", "isAccredited"),
        "rating": _dig(profile, "rating", "bbbRating") or None,
        "location": _dig(profile, "location", "formattedAddress"),
        "complaints_total": summary.get("complaintsTotal"),
        "complaints_closed_3y": summary.get("totalClosedComplaintsPastThreeYears"),
        "complaints_closed_12m": summary.get("totalClosedComplaintsPastTwelveMonths"),
    }
    return _valid_business(fields)


_REQUIRED = frozenset({"source", "external_id", "name"})


def _valid_business(fields: dict[str, Any]) -> Business | None:
    """A Business of `fields`, without the optional ones that do not validate (logged); None when a required
    one does not."""
    try:
        return Business(**fields)
    except ValidationError as error:
        invalid = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    if invalid & _REQUIRED or not invalid:
        return None
    logger.warning("BBB state of %s: %s left out (unexpected values)", fields.get("external_id"), sorted(invalid))
    try:
        return Business(**{key: value for key, value in fields.items() if key not in invalid})
    except ValidationError:
        return None


# --- business from page text (older layouts without the state) --------------------------------------------

# The lookbehind starts a number only at its first digit: tried at every digit of a long run, the pattern
# would take quadratic time.
_TOTAL_3Y = re.compile(r"(?<![\d,])([\d,]+) total complaints in the last 3 years")
_CLOSED_12M = re.compile(r"(?<![\d,])([\d,]+) complaints closed in the last 12 months")
_NOT_ACCREDITED = re.compile(r"is NOT (?:a )?BBB Accredited")
_ACCREDITED = re.compile(r"is (?:a )?BBB Accredited(?: Business)?\.")
_CATEGORY = re.compile(r"^Find BBB Accredited Businesses in (.+?)\.$", re.M)
_NAME_IN_TEXT = re.compile(r"^This profile includes complaints for (.+?)'s headquarters", re.M)


def _count(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    return parse_count(match.group(1)) if match else None


def _accredited_from_text(text: str) -> bool | None:
    if _NOT_ACCREDITED.search(text):
        return False
    return True if _ACCREDITED.search(text) else None


def _name_from_page(root: _Element, text: str) -> str | None:
    for node in cast("list[_Element]", root.xpath("//*[@id='businessName']")):
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


def _business_from_text(reading: Reading, url: str) -> Business | None:
    external_id = business_external_id(url)
    root, text = reading.document.root, reading.text  # the page text the spam check rendered, when it did
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


# Each card's start in the raw text: a class-marked card's start tag, or the label heading a card.
_CARD_START = CardStart(tag="li", attribute="class", token="bpr-complaint-grid")


class _CardError(ValueError):
    pass


def _find_cards(root: _Element) -> list[_Element]:
    return cast("list[_Element]", root.xpath(_CARDS_XPATH))


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
        url=f"{complaints_url(business.url or '')}#{external_id}",
        business=business,
        filed_on=thread.filed_on,
        complaint_type=thread.complaint_type,
        status=thread.status,
        text=thread.text,
        responses=_responses(thread),
    )


def _read_card(card: _Element, business: Business | None, no_business: str) -> Complaint | CardFailure:
    try:
        if business is None:
            raise _CardError(no_business)
        return _complaint(card, business.ref())
    except _CardError as exc:
        reason = str(exc)
    except ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    except Exception as exc:  # one odd card must not cost the page: quarantine it with the error
        logger.exception("BBB card %s could not be read", card.get("id"))
        reason = f"{type(exc).__name__}: {exc}"
    return CardFailure(reason=" ".join(reason.split()), card_id=card.get("id"), snippet=element_text(card)[:300])


def _cards_seen(html: str) -> list[int]:
    """Where the raw text starts a card, by class or by label (whichever shows more)."""
    return max(card_starts(_CARD_START, html), label_starts("Initial Complaint", html), key=len)


def parse_complaints_page(url: str, html: str) -> ParsedPage:
    """Business and complaints of one `{profile}/complaints[?page=N]` page."""
    reading = shared(html)  # the tree and text of whoever read this page first
    document, root = reading.document, reading.document.root
    state, state_problem = _read_state(html)
    business = (_business_from_state(state, url) if state else None) or _business_from_text(reading, url)
    cards = _find_cards(root)
    page = ParsedPage(url=url, business=business)
    # A state that is there but unreadable still shows the page is BBB's, not a block page.
    page.has_site_data = state is not None or state_problem is not None or bool(cards)
    no_business = "the page names no business for its complaints"
    if state_problem:
        no_business += f" (window.__PRELOADED_STATE__ could not be read: {state_problem})"
    for card in cards:
        result = _read_card(card, business, no_business)
        if isinstance(result, Complaint):
            page.complaints.append(result)
        else:
            page.failures.append(result)
    page.failures += page_failures(html, _cards_seen(html), len(cards), document.problem)
    if state_problem and not cards and not page.failures:
        # Neither cards nor readable totals: this must not pass for a business without complaints.
        page.failures.append(page_failure(f"window.__PRELOADED_STATE__ could not be read: {state_problem}", html))
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


class SearchAnswerError(ValueError):
    """The search API answered something other than the documented shape (not JSON, no `results` list, a
    result that is not an object or whose `reportUrl` is not a URL): the API changed, name resolution
    cannot go on. The message is one line saying what was wrong."""


def parse_search_results(json_text: str, base_url: str = BBB_ORIGIN) -> list[SearchCandidate]:
    """Candidates of a `GET /api/search` answer, in API order (report URLs made absolute on `base_url`).

    Raises only SearchAnswerError. Results without a report URL are skipped.
    """
    try:
        answer = json.loads(json_text)
    except RecursionError:
        raise SearchAnswerError("the search API answer is JSON nested too deep to read") from None
    except ValueError as error:
        raise SearchAnswerError(f"the search API answer is not JSON: {' '.join(str(error).split())[:200]}") from None
    if not isinstance(answer, dict):
        raise SearchAnswerError(f"the search API answered {_json_type(answer)}, not an object")
    if "results" not in answer:
        raise SearchAnswerError("the search API answer has no 'results'")
    results = answer["results"]
    if not isinstance(results, list):
        raise SearchAnswerError(f"the search API answer's 'results' is {_json_type(results)}, not a list")
    return [candidate for i, r in enumerate(results, start=1) if (candidate := _candidate(i, r, base_url))]


def _candidate(number: int, result: Any, base_url: str) -> SearchCandidate | None:
    if not isinstance(result, dict):
        raise SearchAnswerError(f"search result {number} is {_json_type(result)}, not an object")
    report_url = result.get("reportUrl")
    if report_url is None or report_url == "":
        return None
    if not isinstance(report_url, str):
        raise SearchAnswerError(f"search result {number}: reportUrl is {_json_type(report_url)}, not a string")
    try:
        profile = profile_url(urljoin(base_url, report_url))
    except ValueError:  # "http://[oops"
        raise SearchAnswerError(f"search result {number}: reportUrl {report_url[:100]!r} is not a URL") from None
    texts = {key: result.get(key) for key in ("businessName", "city", "state")}
    wrong = [key for key, value in texts.items() if value is not None and not isinstance(value, str)]
    ids = {key: result.get(key) for key in ("businessId", "bbbId")}
    wrong += [key for key, value in ids.items() if value and _id_value(value) is None]
    if wrong:
        raise SearchAnswerError(f"search result {number}: {', '.join(wrong)} of an unexpected type")
    return SearchCandidate(
        name=_plain(texts["businessName"] or ""),
        profile_url=profile,
        city=texts["city"] or None,
        state=texts["state"] or None,
        business_id=_id_value(ids["businessId"]) if ids["businessId"] else None,
        bbb_id=_id_value(ids["bbbId"]) if ids["bbbId"] else None,
    )


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


_LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "llc",
        "ltd",
        "limited",
        "co",
        "company",
        "lp",
        "llp",
        "plc",
        "pllc",
        "pc",
    }
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
