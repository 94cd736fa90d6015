"""Run a mutant through every entry point that reads it, and sort what came back.

Shared by tests/test_fuzz.py (which asserts) and benchmarks/fuzz.py (which counts and times). A call
ends in one of three ways: a result (checked against the parsers' contract), a documented error
(`SearchAnswerError` from `parse_search_results`), or an unhandled exception, which is a defect.
Every `CardFailure` reason must match one of `DOCUMENTED_FAILURES`.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from mutants import Mutant

from complaints_crawler.archive.prepare import PreparedComplaint, prepare
from complaints_crawler.items import Business, BusinessRef, Complaint, Source
from complaints_crawler.parsers import bbb, complaintsboard, consumercomplaints, forum, page_parser
from complaints_crawler.parsers.base import CardFailure, ParsedPage
from complaints_crawler.text import spam
from complaints_crawler.text.masks import find_masks, normalize

FORUM_SITES = {"consumercomplaints": consumercomplaints.SITE, "complaintsboard": complaintsboard.SITE}

# Every reason a parser may give for a failure, by kind. Card reasons come from the card readers and from
# the items' validation (pydantic messages); page reasons say what part of the page was not read.
DOCUMENTED_FAILURES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("page: cards seen, not read", r"^page shows \d+ complaint cards?, \d+ read: "),
        ("page: nesting too deep", r"^document nesting deeper than lxml reads"),
        ("page: lxml stopped", r"^lxml (?:stopped reading|could not read) the page: "),
        ("page: NUL characters", r"^page text is \d+% NUL characters"),
        ("page: state unreadable", r"^window\.__PRELOADED_STATE__ could not be read: "),
        ("page: layout changed", r"^board header without known card markup"),
        ("card: no business", r"^the page names no business for its complaints"),
        ("card: no business", r"^no business: neither the page nor the card names one"),
        ("card: thread", r"^expected one thread in the card, read \d+$"),
        ("card: no id", r"^card has no id attribute and no 'Complaint: N' line$"),
        ("card: no id", r"^no complaint id in the card$"),
        ("card: invalid item", r"^(?:[\w.]+: )?(?:Value error, must not be blank|String should|Input should)"),
    )
)
# Cards in a page's raw text, counted independently of the parsers (slower, simpler regexes): a page that
# shows more cards than its parser read or reported lost cards silently.
CARD_MARKUP = {
    "consumercomplaints": (re.compile(r"""<div\b[^>]*\bid=["']?c\d+["'\s/>]"""),),
    "complaintsboard": (re.compile(r"""<div\b[^>]*\bclass=["']?(?:[^"'>]*\s)?complaint["'\s/>]"""),),
    "bbb": (re.compile(r"<li\b[^>]*\bbpr-complaint-grid\b"), re.compile(r">\s*Initial Complaint\s*<")),
}


@dataclass
class Call:
    entry: str
    seconds: float
    error: str | None = None  # an unhandled exception, with where it was raised
    failures: list[str] = field(default_factory=list)  # documented failure kinds
    problems: list[str] = field(default_factory=list)  # results that break the contract


PAGE_LEVEL = frozenset(kind for kind, _ in DOCUMENTED_FAILURES if kind.startswith("page: "))


def failure_kind(reason: str) -> str | None:
    return next((kind for kind, pattern in DOCUMENTED_FAILURES if pattern.search(reason)), None)


def _check_failure(failure: Any, call: Call) -> None:
    if not isinstance(failure, CardFailure):
        call.problems.append(f"not a CardFailure: {failure!r:.100}")
        return
    reason = failure.reason
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason:
        call.problems.append(f"reason is not one line of text: {reason!r:.200}")
        return
    kind = failure_kind(reason)
    if kind is None:
        call.problems.append(f"undocumented failure reason: {reason:.300}")
    else:
        call.failures.append(kind)
    if not isinstance(failure.snippet, str) or "\x00" in failure.snippet:
        call.problems.append(f"snippet holds NUL or is not text: {failure.snippet!r:.100}")
    if failure.card_id is not None and not isinstance(failure.card_id, str):
        call.problems.append(f"card_id is not text: {failure.card_id!r:.100}")


def _check_nothing_lost(page: ParsedPage, call: Call, text: str, site: str, one_card: bool) -> None:
    """More cards in the raw text than the parser read, with no page-level failure saying so, is silence."""
    if any(f.card_id is None and failure_kind(f.reason) in PAGE_LEVEL for f in page.failures):
        return
    seen = max(len(pattern.findall(text)) for pattern in CARD_MARKUP[site])
    seen = min(seen, 1) if one_card else seen
    if page.card_count < seen:
        call.problems.append(f"cards lost silently: {seen} in the page, {page.card_count} read or reported")


def _check_page(page: Any, call: Call) -> list[Complaint]:
    if not isinstance(page, ParsedPage):
        call.problems.append(f"not a ParsedPage: {type(page).__name__}")
        return []
    if page.business is not None and not isinstance(page.business, Business):
        call.problems.append(f"business is a {type(page.business).__name__}")
    for complaint in page.complaints:
        if not isinstance(complaint, Complaint):
            call.problems.append(f"complaint is a {type(complaint).__name__}")
    for failure in page.failures:
        _check_failure(failure, call)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in page.permalinks_to_fetch.items()):
        call.problems.append("permalinks_to_fetch holds something other than text")
    return [c for c in page.complaints if isinstance(c, Complaint)]


def _timed(
    calls: list[Call], entry: str, function: Callable[[], Any], allowed: tuple[type[BaseException], ...] = ()
) -> Any:
    call = Call(entry, 0.0)
    calls.append(call)
    start = time.perf_counter()
    try:
        return function()
    except allowed as error:
        call.failures.append(f"{type(error).__name__}")
        return None
    except Exception as error:  # the point of fuzzing: anything raised is reported, not propagated
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
        call.error = f"{type(error).__name__}: {str(error)[:200]} (at {where})"
        return None
    finally:
        call.seconds = time.perf_counter() - start


def _parse(
    calls: list[Call],
    entry: str,
    function: Callable[[], ParsedPage],
    text: str = "",
    site: str = "",
    one_card: bool = False,
) -> list[Complaint]:
    """Call a page parser and check its page; `site` (its own site) also checks that no card was lost."""
    page = _timed(calls, entry, function)
    if page is None:
        return []
    complaints = _check_page(page, calls[-1])
    if site and isinstance(page, ParsedPage):
        _check_nothing_lost(page, calls[-1], text, site, one_card)
    return complaints


def _prepare_all(calls: list[Call], complaints: list[Complaint]) -> None:
    for complaint in complaints:
        prepared = _timed(calls, "archive.prepare", partial(prepare, complaint))
        if prepared is not None and not isinstance(prepared, PreparedComplaint):
            calls[-1].problems.append(f"prepare returned a {type(prepared).__name__}")


def _pages(calls: list[Call], mutant: Mutant) -> list[Complaint]:
    kind, url, text = mutant.seed.kind, mutant.seed.url, mutant.text
    permalink = kind != "bbb" and re.search(r"-c\d+/?$", urlsplit(url).path) is not None
    complaints = _parse(calls, f"page_parser({kind})", lambda: page_parser(kind)(url, text), text, kind, permalink)
    if kind == "bbb":
        _timed(calls, "bbb.extract_preloaded_state", lambda: bbb.extract_preloaded_state(text))
        # A BBB page read as a forum page: a page of the wrong site must not crash either.
        other = FORUM_SITES["consumercomplaints" if mutant.number % 2 else "complaintsboard"]
        _parse(calls, "forum.parse_board_page(other site)", lambda: forum.parse_board_page(url, text, other))
    else:
        site = FORUM_SITES[kind]
        other = FORUM_SITES["complaintsboard" if kind == "consumercomplaints" else "consumercomplaints"]
        if mutant.number % 3 == 0:
            _parse(calls, "forum.parse_board_page", lambda: forum.parse_board_page(url, text, site), text, kind)
        elif mutant.number % 3 == 1:
            _parse(
                calls,
                "forum.parse_permalink_page",
                lambda: forum.parse_permalink_page(url, text, site),
                text,
                kind,
                True,
            )
        else:
            _parse(calls, "forum.parse_page(other site)", lambda: forum.parse_page(url, text, other))
        if mutant.number % 5 == 0:
            _parse(calls, "bbb.parse_complaints_page(forum page)", lambda: bbb.parse_complaints_page(url, text))
    _timed(calls, "spam.score_html", lambda: spam.score_html(text))
    return complaints


def _text(calls: list[Call], mutant: Mutant) -> list[Complaint]:
    text = mutant.text
    if len(text) < 100_000:  # prepare() below runs them on longer texts (a 1 MB flood of masks takes 1 s)
        _timed(calls, "masks.find_masks", lambda: find_masks(text))
        _timed(calls, "masks.normalize", lambda: normalize(text))
    _timed(calls, "spam.score", lambda: spam.score(text))
    if not text.strip():
        return []
    business = BusinessRef(source=Source.BBB, external_id="1296-7011", name="Fuzz")
    return [Complaint(source=Source.BBB, external_id=str(mutant.number), business=business, text=text)]


def run(mutant: Mutant) -> list[Call]:
    """Every entry point that reads this mutant's kind of text, in turn; then prepare() of what they read."""
    calls: list[Call] = []
    kind, text = mutant.seed.kind, mutant.text
    if kind == "search":
        _timed(calls, "bbb.parse_search_results", lambda: bbb.parse_search_results(text), (bbb.SearchAnswerError,))
        _timed(calls, "bbb.extract_preloaded_state", lambda: bbb.extract_preloaded_state(text))
        complaints: list[Complaint] = []
    elif kind == "sitemap":
        _timed(calls, "forum.parse_sitemap", lambda: forum.parse_sitemap(text))
        complaints = []
    elif kind == "text":
        complaints = _text(calls, mutant)
    else:
        complaints = _pages(calls, mutant)
    _prepare_all(calls, complaints)
    return calls
