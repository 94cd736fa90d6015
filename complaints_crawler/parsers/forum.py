"""The forum engine behind consumercomplaints.in and complaintsboard.com.

Both sites run one engine with one URL scheme (board `/<slug>-b<id>`, pages `/<board>/page/N`, permalink
`/<slug>-<title-slug>-c<id>`) and differ only in CSS class names, so a site is a `ForumSite` selector set
and everything else lives here. Pure functions: url + html in, `ParsedPage` out.

Choices worth knowing:
- Counts, labels and thread entries are read by their text ("Complaints 6148", "Updated by X",
  "X's reply, <date>", "Complaint marked as Resolved", "4 Comments"), selectors only find the blocks.
- `Complaint.status` is "Resolved" when the card carries a resolved mark (or its last status entry says
  so) and None otherwise: the sites never print "Unresolved" on a card, so we do not infer it.
- A card's id never comes from "the first link" (complaintsboard's first anchor is a /faq link): each
  site lists where its id lives, tried in order.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import cast
from urllib.parse import urlsplit

from lxml.cssselect import CSSSelector
from lxml.etree import XPath, _Element
from lxml.html import HtmlElement
from pydantic import ValidationError

from complaints_crawler.items import Business, BusinessRef, Complaint, Response, ResponseKind, Source
from complaints_crawler.parsers.base import CardFailure, ParsedPage
from complaints_crawler.parsers.lost_cards import CardStart, card_starts, page_failures
from complaints_crawler.parsers.values import join_url, parse_count
from complaints_crawler.text.html_text import element_lines, element_text
from complaints_crawler.text.page_reading import shared

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdSource:
    """Where a card's id may be read: an attribute of the card (css None) or of an element inside it."""

    css: str | None
    attribute: str
    pattern: str  # a regex whose group 1 is the id


@dataclass(frozen=True)
class ForumSite:
    """One site's selectors: CSS unless prefixed with "xpath:"; card selectors are relative to a card.

    A comma-separated selector lists layouts in priority order: the first alternative that matches wins.
    """

    source: Source
    base_url: str  # the live origin; spiders rebase it onto the fixture site in tests
    card: str
    card_list: str  # the container of the cards: present, even empty, on every readable board page
    ids: tuple[IdSource, ...]
    permalink: str  # element whose href (or data-url) is the permalink
    title: str
    author: str
    location: str
    date: str
    info: str  # the block holding "Address: …" (and "Website: …") lines
    text: str
    more_link: str  # a "read more" link: the text is cut
    photos: str  # "+3 photos" label, or one element per photo
    resolved: str
    thread_entry: str
    entry_head: str
    entry_body: str
    footer: str  # "1 found this helpful", "4 Comments"
    business_name: str  # a card's own business name (microdata, 2018 title prefix)
    header: str  # the board header ("Complaints N", "Resolved N", …)
    header_name: str
    breadcrumb: str  # the permalink page's link back to the board
    card_start: CardStart  # a card's start tag in the raw page: cards seen there but not read are failures


@dataclass(frozen=True)
class BoardHeader:
    name: str | None
    complaints_total: int | None
    resolved_count: int | None
    unresolved_count: int | None


# ---------------------------------------------------------------------------------------------- URLs

_BOARD_PATH = re.compile(r"^/?(?P<board>[a-z0-9][a-z0-9-]*-b(?P<id>\d+))(?:/page/(?P<page>\d+))?/?$", re.I)
_PERMALINK_PATH = re.compile(r"^/[a-z0-9][a-z0-9-]*-c(?P<id>\d+)/?$", re.I)


def parse_company_argument(value: str) -> str | None:
    """The board path ("/xiaomi-india-b106391") named by a slug, a board URL or a board page URL; else None."""
    value = value.strip()
    try:
        path = urlsplit(value).path if "://" in value else value.split("?")[0]
    except ValueError:  # "http://[oops": not a URL at all
        return None
    match = _BOARD_PATH.match(path)
    return "/" + match["board"] if match else None


def board_page_url(board_url: str, n: int) -> str:
    """`/<board>/page/N`; page 1 is the board URL itself."""
    parts = urlsplit(board_url)
    board = parse_company_argument(parts.path)
    if board is None:
        raise ValueError(f"not a board URL: {board_url!r}")
    path = board if n <= 1 else f"{board}/page/{n}"
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else path


_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
# Child sitemaps of a sitemap index that list businesses, when the index names them so.
_BUSINESS_SITEMAP = re.compile(r"business|compan|board", re.I)


@dataclass(frozen=True)
class Sitemap:
    children: list[str]  # child sitemaps of a sitemap index (those naming businesses, when any do)
    boards: list[str]  # board paths ("/xiaomi-india-b106391") of a sitemap


def parse_sitemap(xml_text: str) -> Sitemap:
    locations = _LOC.findall(xml_text)
    if "<sitemapindex" in xml_text:
        return Sitemap(children=[loc for loc in locations if _BUSINESS_SITEMAP.search(loc)] or locations, boards=[])
    boards = (parse_company_argument(loc) for loc in locations if "/page/" not in loc)
    return Sitemap(children=[], boards=list(dict.fromkeys(board for board in boards if board)))


def boards_named(name: str, boards: list[str]) -> list[str]:
    """The boards whose slug is the name's slug; failing that, those whose slug starts with it."""
    wanted = _slug(name)
    if not wanted:
        return []
    slugs = {board: board.strip("/").rsplit("-b", 1)[0].lower() for board in boards}
    exact = [board for board in boards if slugs[board] == wanted]
    return exact or [board for board in boards if slugs[board].startswith(wanted + "-")]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _board_id(url: str | None) -> tuple[str, str] | None:
    """(external id "b106391", board path) of a board or board-page URL (None: not one, or not a URL)."""
    try:
        match = _BOARD_PATH.match(urlsplit(url).path) if url else None
    except ValueError:  # "http://[oops"
        return None
    return ("b" + match["id"], "/" + match["board"]) if match else None


# ------------------------------------------------------------------------------------------ selectors


_SIMPLE = re.compile(r"^([a-z0-9]*)\.([\w-]+)$", re.I)


@cache
def _plan(expr: str) -> tuple[tuple[str | None, str | None, XPath], ...]:
    """A selector's alternatives: (tag, class, compiled) where `tag.class` / `.class` can use a class index."""
    if expr.startswith("xpath:"):
        return ((None, None, XPath(expr[6:])),)
    plan = []
    for part in (part.strip() for part in expr.split(",")):
        match = _SIMPLE.match(part)
        tag, cls = (match[1].lower() or None, match[2]) if match else (None, None)
        plan.append((tag, cls, CSSSelector(part)))
    return tuple(plan)


_CLASSED = XPath("descendant-or-self::*[@class]")


class _Scope:
    """An element with its descendants indexed by class: one walk per card instead of an XPath walk per
    selector (those walks were most of the parse time). What a selector found is kept: a card asks for its
    permalink link three times (id, permalink, title)."""

    __slots__ = ("classes", "element", "found")

    def __init__(self, element: _Element):
        self.element = element
        self.classes: dict[str, list[_Element]] = {}
        self.found: dict[str, list[_Element]] = {}
        setdefault = self.classes.setdefault
        for node in cast("list[_Element]", _CLASSED(element)):  # in document order, as element.iter()
            for token in cast(str, node.get("class")).split():
                setdefault(token, []).append(node)


def _all(scope: _Element | _Scope, expr: str) -> list[_Element]:
    """Matches of the first alternative of `expr` that matches (alternatives are layouts, in priority order)."""
    if not expr:
        return []
    if isinstance(scope, _Scope):
        found = scope.found.get(expr)
        if found is None:
            found = scope.found[expr] = _match(scope.element, scope.classes, expr)
        return found
    return _match(scope, None, expr)


def _match(element: _Element, classes: dict[str, list[_Element]] | None, expr: str) -> list[_Element]:
    for tag, cls, compiled in _plan(expr):
        if classes is not None and cls is not None:
            found = [node for node in classes.get(cls, ()) if tag is None or node.tag == tag]
        else:
            found = cast("list[_Element]", compiled(element))  # every selector selects elements
        if found:
            return found
    return []


def _first(scope: _Element | _Scope, expr: str) -> _Element | None:
    found = _all(scope, expr)
    return found[0] if found else None


def _inline_text(element: _Element) -> str:
    # One-line fields (names, dates, titles): folding white space is all the rendering they need.
    return " ".join(cast(HtmlElement, element).text_content().split())  # lxml.html made every element


def _text(scope: _Element | _Scope, expr: str) -> str | None:
    found = _first(scope, expr)
    return _inline_text(found) or None if found is not None else None


# ----------------------------------------------------------------------------------------- text bits

_DATE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}\b")
_COUNT_LABEL = re.compile(r"^(Complaints|Resolved|Unresolved)\s*:?\s*([\d,]+)?$", re.I)
_NAME_SUFFIX = re.compile(r"\s+(?:Complaints\s*&\s*Reviews|Reviews\s*&\s*Complaints)\s*$", re.I)
_LOCATION_PREFIX = re.compile(r"^(?:from|of)\s+", re.I)
_PHOTOS = re.compile(r"(?<!\d)(\d+)\s+photos?\b", re.I)  # from a number's first digit: linear, not quadratic
# "4 Comments" shares its rendered line with the footer's inline "Report" and "Copy" links.
_COMMENTS = re.compile(r"(?:^|\s)(\d+)\s+Comments?(?:\s|$)", re.I)
_HELPFUL = re.compile(r"^(\d+)\s+found this helpful$", re.I)
_CUT = ("...", "…")
_UPDATED_BY = re.compile(r"^Updated by\s+(.+)$", re.I)
_REPLY = re.compile(r"^(?P<who>.+?)[’']s reply,?\s*(?P<rest>.*)$")
_MARKED = re.compile(r"^Complaint marked as\s+(\w+)", re.I)


def parse_date(text: str | None) -> date | None:
    """The first "Dec 1, 2019" / "Dec 01, 2019" / "December 1, 2019" date in `text`."""
    match = _DATE.search(text or "")
    if not match:
        return None
    value = match.group()
    for fmt in ("%b %d, %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _label_count(lines: list[str], pattern: re.Pattern[str]) -> int | None:
    for line in lines:
        if (match := pattern.search(line.strip())) and (count := parse_count(match[1])) is not None:
            return count
    return None


# --------------------------------------------------------------------------------------- board header


def _header(root: _Element, site: ForumSite) -> BoardHeader | None:
    block = _first(root, site.header)
    if block is None:
        return None
    counts: dict[str, int] = {}
    lines = element_lines(block)
    for i, line in enumerate(lines):
        if match := _COUNT_LABEL.match(line.strip()):
            label, value = match[1].lower(), match[2]
            # "Resolved" and its number may sit on two lines.
            if value is None and i + 1 < len(lines) and re.fullmatch(r"[\d,]+", lines[i + 1].strip()):
                value = lines[i + 1].strip()
            if value is not None and (count := parse_count(value)) is not None:
                counts.setdefault(label, count)
    name = _text(block, site.header_name)
    return BoardHeader(
        name=_NAME_SUFFIX.sub("", name) if name else None,
        complaints_total=counts.get("complaints"),
        resolved_count=counts.get("resolved"),
        unresolved_count=counts.get("unresolved"),
    )


def _name_from_slug(board_path: str) -> str:
    # Only when the page names no business at all (a trimmed snippet): "/ajio-b115930" -> "Ajio".
    return board_path.strip("/").rsplit("-b", 1)[0].replace("-", " ").title()


def _page_business(root: _Element, url: str, site: ForumSite) -> Business | None:
    """The board's business: its header counts, its id from the URL (or the permalink's breadcrumb)."""
    header = _header(root, site)
    board = _board_id(url)
    crumbs = [(a, _board_id(join_url(url, a.get("href", "")))) for a in _all(root, site.breadcrumb)]
    crumb = next((a for a, found in crumbs if found), None)
    board = board or next((found for _, found in crumbs if found), None)
    if board is None:
        return None
    external_id, path = board
    name = (
        (header and header.name)
        or (crumb is not None and _inline_text(crumb))
        or _text(root, site.business_name)
        or _name_from_slug(path)
    )
    try:
        return Business(
            source=site.source,
            external_id=external_id,
            name=name,
            url=join_url(url, path),
            complaints_total=header.complaints_total if header else None,
            resolved_count=header.resolved_count if header else None,
            unresolved_count=header.unresolved_count if header else None,
        )
    except ValidationError:  # a name of white space only: the cards name their business themselves
        return None


def _card_business(card: _Scope, url: str, site: ForumSite, page: Business | None) -> BusinessRef:
    """A card's own board link wins (home pages mix businesses); then the page's board; then the card's name."""
    name = _text(card, site.business_name)
    for link in card.element.iter("a"):
        board = _board_id(join_url(url, link.get("href", "")))
        if board:
            external_id, path = board
            return BusinessRef(
                source=site.source, external_id=external_id, name=name or _name_from_slug(path), url=join_url(url, path)
            )
    if page is not None:
        return page.ref()
    if name:
        # An unclaimed company on a mixed listing has no board id; its name is the only stable key.
        return BusinessRef(source=site.source, external_id="name:" + _slug(name), name=name)
    raise ValueError("no business: neither the page nor the card names one")


# ----------------------------------------------------------------------------------------------- cards


def _card_id(card: _Scope, site: ForumSite) -> str | None:
    for source in site.ids:
        elements = [card.element] if source.css is None else _all(card, source.css)
        for element in elements:
            if match := re.search(source.pattern, element.get(source.attribute, "")):
                return match[1]
    return None


def _permalink(card: _Scope, card_id: str, url: str, site: ForumSite) -> str | None:
    for link in _all(card, site.permalink):
        href = join_url(url, link.get("href") or link.get("data-url") or "")
        try:
            match = _PERMALINK_PATH.match(urlsplit(href).path) if href else None
        except ValueError:
            continue
        if match and match["id"] == card_id:
            return href
    return None


def _title(card: _Scope, site: ForumSite) -> str | None:
    element = _first(card, site.title)
    if element is None:
        return None
    title = _inline_text(element)
    # 2018 layout: "<b>Company</b> — title".
    if element.find("b") is not None and "\u2014" in title:
        title = title.split("\u2014", 1)[1].strip()
    return title or None


def _author(card: _Scope, site: ForumSite) -> str | None:
    element = _first(card, site.author)
    if element is None:
        return None
    # A hover tooltip with the full name can sit inside the name ("Vedant C<span>Vedant Chindhe</span>hindhe"):
    # the element's own text nodes are the name.
    own = "".join(cast("list[str]", element.xpath("text()"))).strip()
    return own or _inline_text(element) or None


def _info_line(card: _Scope, site: ForumSite, label: str) -> str | None:
    block = _first(card, site.info)
    for line in element_lines(block) if block is not None else []:
        if line.startswith(label + ":"):
            return line[len(label) + 1 :].strip() or None
    return None


def _photos(card: _Scope, site: ForumSite) -> int:
    found = _all(card, site.photos)
    for element in found:
        if (match := _PHOTOS.search(_inline_text(element))) and (count := parse_count(match[1])) is not None:
            return count
    return len(found)


def _thread(card: _Scope, site: ForumSite) -> list[Response]:
    responses = []
    for position, element in enumerate(_all(card, site.thread_entry), start=1):
        entry = _Scope(element)
        head = _first(entry, site.entry_head)
        body = _first(entry, site.entry_body)
        kind, author, posted_on, label = _entry_head(element_lines(head) if head is not None else [])
        text = element_text(body) if body is not None else ""
        if kind is ResponseKind.STATUS_CHANGE:
            text = label + ("\n" + text if text.strip() else "")
        responses.append(Response(position=position, kind=kind, author=author, posted_on=posted_on, text=text))
    return responses


def _entry_head(lines: list[str]) -> tuple[ResponseKind, str | None, date | None, str]:
    """Kind, author, date and label of a thread entry, from its head lines (labels, not classes)."""
    kind, author, posted_on, label = ResponseKind.COMMENT, None, None, ""
    for line in (line.strip() for line in lines):
        if match := _REPLY.match(line):
            return ResponseKind.REPLY, match["who"].strip(), parse_date(match["rest"]), line
        posted_on = posted_on or parse_date(line)
        rest = _DATE.sub("", line).strip(" ,·-")
        if match := _UPDATED_BY.match(rest):
            kind, author, label = ResponseKind.AUTHOR_UPDATE, match[1].strip(), rest
        elif _MARKED.match(rest):
            kind, label = ResponseKind.STATUS_CHANGE, rest
        elif rest and author is None:
            author = rest
    return kind, author, posted_on, label


def _status(card: _Scope, site: ForumSite, responses: list[Response]) -> str | None:
    if _first(card, site.resolved) is not None:
        return "Resolved"
    marks = [_MARKED.match(r.text) for r in responses if r.kind is ResponseKind.STATUS_CHANGE]
    return marks[-1][1].capitalize() if marks and marks[-1] else None


def _complaint(card: _Scope, url: str, site: ForumSite, business: Business | None) -> tuple[Complaint, bool]:
    """The card as a Complaint, and whether its board copy is cut."""
    card_id = _card_id(card, site)
    if card_id is None:
        raise ValueError("no complaint id in the card")
    text_element = _first(card, site.text)
    text = element_text(text_element) if text_element is not None else ""
    responses = _thread(card, site)
    footer = [line for element in _all(card, site.footer) for line in element_lines(element)]
    comments = _label_count(footer, _COMMENTS)
    location = _text(card, site.location)
    permalink = _permalink(card, card_id, url, site)
    complaint = Complaint(
        source=site.source,
        external_id=card_id,
        url=permalink,
        business=_card_business(card, url, site, business),
        title=_title(card, site),
        filed_on=parse_date(_text(card, site.date)),
        status=_status(card, site, responses),
        author=_author(card, site),
        author_location=_LOCATION_PREFIX.sub("", location) if location else None,
        address=_info_line(card, site, "Address"),
        text=text,
        responses=responses,
        photos_count=_photos(card, site),
        comments_count=comments if comments is not None else sum(r.kind is ResponseKind.COMMENT for r in responses),
        helpful_count=_label_count(footer, _HELPFUL) or 0,
    )
    cut = text.rstrip().endswith(_CUT) or _first(card, site.more_link) is not None
    return complaint, cut


def _read_card(
    card: _Scope, url: str, site: ForumSite, business: Business | None
) -> tuple[Complaint, bool] | CardFailure:
    try:
        return _complaint(card, url, site, business)
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
    except ValueError as error:
        reason = str(error)
    except Exception as error:  # one odd card must not cost the page: quarantine it with the error
        logger.exception("%s card %s could not be read", site.source.value, _card_id(card, site))
        reason = f"{type(error).__name__}: {error}"
    return CardFailure(
        reason=" ".join(reason.split()), card_id=_card_id(card, site), snippet=element_text(card.element)[:300]
    )


# ----------------------------------------------------------------------------------------------- pages


def parse_board_page(url: str, html: str, site: ForumSite) -> ParsedPage:
    """Every card of a board page; cut or commented cards are listed in `permalinks_to_fetch`."""
    document = shared(html).document  # the tree of whoever read this page first
    root = document.root
    business = _page_business(root, url, site)
    cards = _all(root, site.card)
    page = ParsedPage(url=url, business=business if _first(root, site.header) is not None else None)
    page.has_site_data = bool(cards) or _first(root, site.card_list) is not None
    for card in map(_Scope, cards):
        result = _read_card(card, url, site, business)
        if isinstance(result, CardFailure):
            page.failures.append(result)
            continue
        complaint, cut = result
        page.complaints.append(complaint)
        if complaint.url and (cut or complaint.comments_count):
            page.permalinks_to_fetch[complaint.external_id] = complaint.url
    lost = page_failures(html, card_starts(site.card_start, html), len(cards), document.problem)
    if not lost and not page.has_site_data and page.business is not None:
        # The header is there but the cards are not where we look: a new layout, not an empty board.
        lost.append(CardFailure(reason="board header without known card markup (layout changed?)"))
    page.failures += lost
    return page


def parse_permalink_page(url: str, html: str, site: ForumSite) -> ParsedPage:
    """The one complaint of a permalink page, with its full text and whole thread."""
    document = shared(html).document  # the tree of whoever read this page first
    root = document.root
    business = _page_business(root, url, site)
    found = _first(root, site.card)
    page = ParsedPage(url=url, has_site_data=found is not None)
    if found is not None:
        result = _read_card(_Scope(found), url, site, business)
        if isinstance(result, CardFailure):
            page.failures.append(result)
        else:
            complaint = result[0]
            page.complaints.append(complaint.model_copy(update={"url": complaint.url or url}))
    # The page is about one complaint; other cards on it (related complaints) are not read.
    starts = card_starts(site.card_start, html)[:1]
    page.failures += page_failures(html, starts, int(found is not None), document.problem)
    return page


def parse_page(url: str, html: str, site: ForumSite) -> ParsedPage:
    """A permalink page when the URL is one, else a board (or listing) page."""
    if _PERMALINK_PATH.match(urlsplit(url).path):
        return parse_permalink_page(url, html, site)
    return parse_board_page(url, html, site)
