"""The BBB parser on the fixture site's pages (built from the seeds in the 2026 markup) and on small cards."""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import date

import pytest
from constants import BBB_SITE as SITE
from constants import BLOCKED, CHANGED, CHARTER, MS, SEEDS

from complaints_crawler.fixture_site import resolve
from complaints_crawler.items import ResponseKind, Verdict
from complaints_crawler.parsers.base import CardFailure
from complaints_crawler.parsers.bbb import (
    SearchAnswerError,
    SearchCandidate,
    choose_candidate,
    complaints_url,
    extract_preloaded_state,
    is_challenge_page,
    normalize_business_name,
    parse_complaints_page,
    parse_page,
    parse_search_results,
    profile_url,
)
from complaints_crawler.parsers.bbb_threads import read_threads

ORIGIN = "http://127.0.0.1:8471"
BR, CA = ResponseKind.BUSINESS_RESPONSE, ResponseKind.CUSTOMER_ANSWER


def fetch(path: str, query: str = "") -> tuple[int, str]:
    """What the fixture site answers for `path?query`: status and body."""
    match = resolve([SITE], path, query)
    assert match is not None, f"no fixture answers {path}?{query}"
    return match.status, match.path.read_text(encoding="utf-8")


def parse(path: str, query: str = ""):
    _, html = fetch(path, query)
    return parse_complaints_page(f"{ORIGIN}{path}{'?' + query if query else ''}", html)


@pytest.fixture(scope="module")
def microsoft_pages():
    return [parse(f"{MS}/complaints"), parse(f"{MS}/complaints", "page=2")]


@pytest.fixture(scope="module")
def microsoft(microsoft_pages):
    return [c for page in microsoft_pages for c in page.complaints]


@pytest.fixture(scope="module")
def charter():
    return parse(f"{CHARTER}/complaints")


def _folded(text: str) -> str:
    return " ".join(text.split())


def _shape(filed_on, complaint_type, status, text, entries):
    return (filed_on, complaint_type, status, _folded(text), entries)


# --- Microsoft: class-based markup over two pages -----------------------------------------------------------


def test_microsoft_business(microsoft_pages):
    for page in microsoft_pages:
        business = page.business
        assert (business.external_id, business.name, business.category) == (
            "1296-7011",
            "Microsoft",
            "Computer Software Developers",
        )
        assert (business.accredited, business.rating) == (False, "A+")
        assert (business.complaints_total, business.complaints_closed_3y, business.complaints_closed_12m) == (
            5365,
            5365,
            2129,
        )
        assert business.url == f"{ORIGIN}{MS}"
        assert business.location == "1 Microsoft Way, Redmond, WA 98052-8300"
    assert [len(p.complaints) for p in microsoft_pages] == [6, 4]
    assert all(p.has_site_data and not p.failures for p in microsoft_pages)


def test_microsoft_complaints(microsoft):
    assert [c.external_id for c in microsoft] == [
        "20520372",
        "20520114",
        "20519515",
        "20517981",
        "20514987",
        "20513342",
        "20511852",
        "20511485",
        "20510639",
        "20508815",
    ]
    assert Counter(c.filed_on for c in microsoft) == {
        date(2023, 8, 25): 2,
        date(2023, 8, 24): 2,
        date(2023, 8, 23): 5,
        date(2023, 8, 22): 1,
    }
    assert Counter(c.complaint_type for c in microsoft) == {
        "Product Issues": 2,
        "Customer Service Issues": 1,
        "Service or Repair Issues": 4,
        "Sales and Advertising Issues": 2,
        "Billing Issues": 1,
    }
    assert {c.status for c in microsoft} == {"Answered"}
    responses = [r for c in microsoft for r in c.responses]
    assert Counter(r.kind for r in responses) == {BR: 19, CA: 13}
    assert Counter(r.verdict for r in responses) == {None: 23, Verdict.REJECTED: 9}
    assert all([r.position for r in c.responses] == list(range(1, len(c.responses) + 1)) for c in microsoft)
    assert {c.business.external_id for c in microsoft} == {"1296-7011"}
    assert microsoft[0].url == f"{ORIGIN}{MS}/complaints#20520372"
    assert microsoft[7].url == f"{ORIGIN}{MS}/complaints#20511485"  # from page 2, still the stable anchor


def test_microsoft_third_complaint(microsoft):
    third = microsoft[2]
    assert (third.external_id, third.filed_on, third.complaint_type) == (
        "20519515",
        date(2023, 8, 24),
        "Product Issues",
    )
    assert [r.kind for r in third.responses] == [BR, CA] * 5
    assert (third.responses[-1].posted_on, third.responses[-1].verdict) == (date(2023, 10, 17), Verdict.REJECTED)


def test_microsoft_texts_verbatim(microsoft):
    first = microsoft[0]
    assert first.text.startswith("I can't believe how inept and incompetent")
    assert (
        "refusing to help **** ordered two green Xbox controllers. On the same order with order number **********."
        in first.text
    )
    # <br> lines kept, "Date:&nbsp;<!-- -->09/01/2023" read as a date and not kept in the text.
    assert first.responses[0].text == (
        "Dear *************************,\n"
        "Thank you for contacting Microsoft Corporation via the Better Business Bureau regarding your controller issue. "
        "We have contacted a senior member of our Microsoft Store Support Team to investigate this matter and work with "
        "you directly toward a resolution. Your new case number is **********.\n"
        "We will monitor your support case through resolution.\n"
        "Sincerely,Microsoft Corporation"
    )
    assert first.responses[0].posted_on == date(2023, 9, 1)
    assert "Complaint:" not in first.responses[1].text


def test_saved_page_read_without_its_url_links_to_the_live_site():
    _, html = fetch(f"{MS}/complaints")
    page = parse_page("file:///saved/microsoft-complaints.html", html)
    assert page.business.url == f"https://www.bbb.org{MS}"
    assert page.complaints[0].url == f"https://www.bbb.org{MS}/complaints#20520372"


def test_past_the_last_page():
    page = parse(f"{MS}/complaints", "page=3")
    assert (page.has_site_data, page.complaints, page.failures) == (True, [], [])
    assert page.business.complaints_total == 5365


def test_profile_page_has_the_business_and_no_cards():
    page = parse(MS)
    assert (page.business.external_id, page.business.name, page.complaints) == ("1296-7011", "Microsoft", [])


# --- Charter Spectrum: label-only markup, no state --------------------------------------------------------


def test_charter_business_from_page_text(charter):
    business = charter.business
    assert (business.external_id, business.name, business.category, business.accredited) == (
        "0734-310162",
        "Charter Spectrum",
        "Cable TVs",
        False,
    )
    assert (business.complaints_total, business.complaints_closed_12m) == (15181, 5086)
    assert business.url == f"{ORIGIN}{CHARTER}"
    assert charter.has_site_data and extract_preloaded_state(fetch(f"{CHARTER}/complaints")[1]) is None


def test_charter_complaints(charter):
    complaints = charter.complaints
    assert len(complaints) == 10 and not charter.failures
    assert complaints[0].external_id == "23198462"
    assert Counter(c.status for c in complaints) == {"Resolved": 7, "Answered": 3}
    assert Counter(c.complaint_type for c in complaints) == {
        "Order Issues": 1,
        "Delivery Issues": 1,
        "Billing Issues": 8,
    }
    responses = [r for c in complaints for r in c.responses]
    assert Counter(r.kind for r in responses) == {BR: 8, CA: 11}
    assert Counter(r.verdict for r in responses) == {None: 11, Verdict.ACCEPTED: 6, Verdict.REJECTED: 2}
    third = complaints[2]
    assert (third.filed_on, third.complaint_type, third.status) == (date(2025, 4, 17), "Delivery Issues", "Answered")
    assert third.responses[1].text == "I am rejecting this response\n\nSincerely,\n\n******* ********"


# --- the fixture pages say what the seeds say --------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "pages"),
    [
        ("000_*.txt", [(f"{MS}/complaints", ""), (f"{MS}/complaints", "page=2")]),
        ("001_*.txt", [(f"{CHARTER}/complaints", "")]),
    ],
)
def test_fixture_pages_match_the_seed(seed, pages):
    paths = sorted(SEEDS.glob(seed))
    if not paths:
        pytest.skip(f"seed {seed} not available")
    threads = read_threads(paths[0].read_text(encoding="utf-8").split("\n"))
    expected = [
        _shape(
            t.filed_on,
            t.complaint_type,
            t.status,
            t.text,
            [(e.kind, e.posted_on, e.verdict, _folded(e.text)) for e in t.entries],
        )
        for t in threads
    ]
    complaints = [c for path, query in pages for c in parse(path, query).complaints]
    got = [
        _shape(
            c.filed_on,
            c.complaint_type,
            c.status,
            c.text,
            [(r.kind, r.posted_on, r.verdict, _folded(r.text)) for r in c.responses],
        )
        for c in complaints
    ]
    assert got == expected


# --- blocked and changed pages ------------------------------------------------------------------------------


def test_cloudflare_challenge():
    status, html = fetch(f"{BLOCKED}/complaints")
    assert status == 403
    assert is_challenge_page(status, html) and is_challenge_page(200, html)
    page = parse_complaints_page(f"{ORIGIN}{BLOCKED}/complaints", html)
    assert (page.has_site_data, page.business, page.complaints) == (False, None, [])


def test_challenge_detection_needs_the_interstitial():
    assert is_challenge_page(503, "")
    assert is_challenge_page(200, "<html><head><title>Attention Required! | Cloudflare</title></head></html>")
    assert not is_challenge_page(200, fetch(f"{MS}/complaints")[1])
    assert not is_challenge_page(429, "<html><title>Too Many Requests</title></html>")


def test_layout_change_reads_no_cards_but_keeps_the_site_data():
    page = parse(f"{CHANGED}/complaints")
    assert page.has_site_data
    assert (page.business.external_id, page.business.complaints_total) == ("1126-1000123", 48)
    assert (page.complaints, page.failures) == ([], [])


# --- single cards ---------------------------------------------------------------------------------------------

STATE = (
    '<script>window.__PRELOADED_STATE__ = {"businessProfile":{"bbbId":"0875","businessId":"90000001",'
    '"names":{"primary":"Acme"},"urls":{"profile":"/us/tx/dallas/profile/misc/acme-0875-90000001"}}};</script>'
)
URL = f"{ORIGIN}/us/tx/dallas/profile/misc/acme-0875-90000001/complaints"


def card(card_id: str, body: str, answer: str = "") -> str:
    return (
        f'<li class="card bpr-complaint-grid" id="{card_id}"><h3>Initial Complaint</h3>'
        '<p class="bpr-complaint-date"><strong>Date:</strong><span><!-- -->01/05/2026</span></p>'
        '<div class="bpr-complaint-type"><p><strong>Type:</strong><span>Billing Issues</span></p>'
        "<p><strong>Status:</strong><span>Unresolved</span></p></div>"
        f'<div class="bpr-complaint-body"><div>{body}</div>{answer}</div></li>'
    )


def page_of(*cards: str) -> str:
    return f"<html><body>{STATE}<ul>{''.join(cards)}</ul></body></html>"


ANSWER = "<div><h4>Customer Answer</h4><p>Date: 01/09/2026</p><p>Complaint: 24000009</p><p>Still waiting.</p></div>"


def test_blurred_mask_stays_inside_its_word():
    body = 'I <span style="filter: blur(4px)" translate="no">REMOVED</span>orted the order.'
    (complaint,) = parse_complaints_page(URL, page_of(card("24000001", body))).complaints
    assert complaint.text == "I REMOVEDorted the order."
    assert (complaint.filed_on, complaint.complaint_type, complaint.status) == (
        date(2026, 1, 5),
        "Billing Issues",
        "Unresolved",
    )


def test_unreadable_card_is_a_failure_and_the_page_goes_on():
    page = parse_complaints_page(URL, page_of(card("24000002", ""), card("24000003", "Charged twice.")))
    assert [c.external_id for c in page.complaints] == ["24000003"]
    (failure,) = page.failures
    assert (failure.card_id, failure.reason) == ("24000002", "text: Value error, must not be blank")
    assert failure.snippet.startswith("Initial Complaint")
    assert page.card_count == 2


def test_complaint_line_is_the_fallback_id_and_a_mismatch_is_logged(caplog):
    page = parse_complaints_page(URL, page_of(card("", "No id attribute.", ANSWER)))
    assert [c.external_id for c in page.complaints] == ["24000009"]
    with caplog.at_level(logging.WARNING, logger="complaints_crawler.parsers.bbb"):
        page = parse_complaints_page(URL, page_of(card("24000004", "Mismatch.", ANSWER)))
    assert [c.external_id for c in page.complaints] == ["24000004"]
    assert "24000004" in caplog.text and "24000009" in caplog.text


def test_cards_without_a_business_fail():
    html = f"<html><body><ul>{card('24000005', 'Text.')}</ul></body></html>"
    page = parse_complaints_page(f"{ORIGIN}/somewhere/complaints", html)
    assert page.has_site_data and page.complaints == []
    assert page.failures[0].reason == "the page names no business for its complaints"


def test_empty_page_has_no_site_data():
    page = parse_page(URL, "<html><body><p>Hello</p></body></html>")
    assert (page.has_site_data, page.complaints, page.failures) == (False, [], [])


# --- URLs -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.bbb.org{MS}",
        f"https://www.bbb.org{MS}/",
        f"https://www.bbb.org{MS}/complaints?page=4",
        f"https://www.bbb.org{MS}/addressId/54887",
        f"https://www.bbb.org{MS}/addressId/54887/complaints",
        f"https://www.bbb.org{MS}?utm_source=x#reviews",
    ],
)
def test_profile_url(url):
    assert profile_url(url) == f"https://www.bbb.org{MS}"


def test_complaints_url():
    assert complaints_url(f"https://www.bbb.org{MS}/addressId/54887") == f"https://www.bbb.org{MS}/complaints"
    assert complaints_url(f"https://www.bbb.org{MS}/", page=2) == f"https://www.bbb.org{MS}/complaints?page=2"


def test_robots_allows_what_the_spider_fetches():
    from protego import Protego

    robots = Protego.parse((SITE / "robots.txt").read_text())
    for path in ("/api/search?find_country=USA&find_text=microsoft&page=1", f"{MS}/complaints?page=2", MS):
        assert robots.can_fetch(f"{ORIGIN}{path}", "complaints-crawler")
    assert not robots.can_fetch(f"{ORIGIN}/api/other", "complaints-crawler")


# --- search and name resolution ---------------------------------------------------------------------------


def search(find_text: str) -> list[SearchCandidate]:
    from urllib.parse import urlencode

    status, text = fetch("/api/search", urlencode({"find_country": "USA", "find_text": find_text, "page": 1}))
    assert status == 200
    return parse_search_results(text)


def test_search_results_parsed():
    candidates = search("microsoft")
    assert [c.name for c in candidates] == [
        "Microsoft Store",
        "Microsoft Corporation",
        "Micro Soft Solutions LLC",
        "Microsoft Corporation",
    ]
    assert candidates[1] == SearchCandidate(
        name="Microsoft Corporation",
        profile_url=f"https://www.bbb.org{MS}",
        city="Redmond",
        state="WA",
        business_id="7011",
        bbb_id="1296",
    )
    assert (
        candidates[3].profile_url
        == "https://www.bbb.org/us/nd/fargo/profile/computer-software/microsoft-corporation-1296-7011"
    )


def test_choose_exact_name():
    chosen, reason = choose_candidate("microsoft", search("microsoft"))
    assert (chosen.name, chosen.city, chosen.profile_url) == (
        "Microsoft Corporation",
        "Redmond",
        f"https://www.bbb.org{MS}",
    )
    assert reason.startswith("exact name match: Microsoft Corporation (Redmond, WA)")
    assert choose_candidate("Microsoft Corp.", search("microsoft"))[0] == chosen


def test_choose_with_location():
    chosen, reason = choose_candidate("microsoft", search("microsoft"), location="Fargo, ND")
    assert (chosen.city, chosen.state) == ("Fargo", "ND")
    assert "in Fargo, ND" in reason
    # The wanted place never promotes a merely similar name over the exact one.
    assert choose_candidate("microsoft", search("microsoft"), location="New York, NY")[0].city == "Redmond"


def test_choose_by_leading_words_and_hyphenated_queries():
    assert (
        choose_candidate("charter-spectrum", search("charter spectrum"))[0].profile_url
        == f"https://www.bbb.org{CHARTER}"
    )
    chosen, reason = choose_candidate("vantora", search("vantora"))
    assert chosen.profile_url == f"https://www.bbb.org{BLOCKED}" and reason.startswith("leading-words name match")
    assert choose_candidate("northwind", search("northwind"))[0].name == "Northwind Solar Inc."


def test_choose_none_when_no_name_fits():
    chosen, reason = choose_candidate("nonexistent-company", search("nonexistent-company"))
    assert chosen is None
    assert reason == (
        "no candidate named like 'nonexistent-company' among: Nonstop Plumbing & Drains (Mesa, AZ); "
        "Existential Coffee Co. (Burlington, VT); Company Nonexistent Debt Relief (Miami, FL)"
    )
    assert search("any other name") == []
    assert choose_candidate("any other name", []) == (
        None,
        "no candidate named like 'any other name' among: no results",
    )


def test_normalize_business_name():
    assert normalize_business_name("Microsoft Corporation") == "microsoft"
    assert normalize_business_name("<em>Micro</em> Soft Solutions, LLC") == "micro soft solutions"
    assert normalize_business_name("AT&T Co., Inc.") == "at and t"
    assert normalize_business_name("Company") == "company"


# --- pages and answers of unexpected shape: never an exception, no card lost silently ---------------------


@pytest.mark.parametrize(
    "state",
    [
        '{"businessProfile": {"reviewsComplaintsSummary": {"complaintsTotal": ' + "9" * 5000 + "}}}",
        '{"businessProfile": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["5000-digit number", "nested 100,000 deep"],
)
def test_a_state_python_cannot_decode_is_none(state):
    html = f"<html><body><script>window.__PRELOADED_STATE__ = {state};</script></body></html>"
    assert extract_preloaded_state(html) is None
    page = parse_complaints_page(URL, html)
    assert (page.has_site_data, page.business, page.complaints) == (True, None, [])
    (failure,) = page.failures
    assert failure.card_id is None and failure.reason.startswith("window.__PRELOADED_STATE__ could not be read: ")


ACME = '"bbbId":"0875","businessId":"90000001"'
ACME_URL = "/us/tx/dallas/profile/misc/acme-0875-90000001"
TITLE = "<head><title>Acme | Complaints | Better Business Bureau® Profile</title></head>"


@pytest.mark.parametrize(
    ("profile", "url", "complaints_total"),
    [
        (f'{ACME},"names":{{"primary":"Acme"}},"reviewsComplaintsSummary":5', ACME_URL, None),
        (f'{ACME},"names":{{"primary":"Acme"}},"reviewsComplaintsSummary":{{"complaintsTotal":-1}}', ACME_URL, None),
        (f'{ACME},"names":{{"primary":"Acme"}},"urls":{{"profile":5}}', ACME_URL, None),
        (f'{ACME},"names":{{"primary":5}},"reviewsComplaintsSummary":{{"complaintsTotal":7}}', ACME_URL, None),
        (f'{ACME},"names":{{"primary":"Acme"}},"reviewsComplaintsSummary":{{"complaintsTotal":7}}', ACME_URL, 7),
    ],
    ids=["summary not an object", "negative total", "profile URL a number", "name a number", "well formed"],
)
def test_a_state_of_unexpected_shape_costs_no_card(profile, url, complaints_total):
    state = f'<script>window.__PRELOADED_STATE__ = {{"businessProfile":{{{profile}}}}};</script>'
    html = f"<html>{TITLE}<body>{state}<ul>{card('24000011', 'Charged twice.')}</ul></body></html>"
    page = parse_complaints_page(URL, html)
    assert (page.business.name, page.business.url, page.business.complaints_total) == (
        "Acme",
        f"{ORIGIN}{url}",
        complaints_total,
    )
    assert ([c.external_id for c in page.complaints], page.failures) == (["24000011"], [])


def test_an_unreadable_state_is_said_when_no_card_names_the_business():
    state = '<script>window.__PRELOADED_STATE__ = {"businessProfile": {"bbbId": </script>'
    html = f"<html><body>{state}<ul>{card('24000012', 'Text.')}</ul></body></html>"
    page = parse_complaints_page(f"{ORIGIN}/somewhere/complaints", html)
    (failure,) = page.failures
    assert (failure.card_id, failure.reason) == (
        "24000012",
        "the page names no business for its complaints (window.__PRELOADED_STATE__ could not be read: "
        "Expecting value: line 1 column 80 (char 79))",
    )


def _microsoft_with(piece: str, before_card: int) -> tuple[str, int]:
    _, html = fetch(f"{MS}/complaints")
    at = [m.start() for m in re.finditer(r'<li class="card bpr-complaint-grid"', html)][before_card]
    return html[:at] + piece + html[at:], at + len(piece)


def test_nesting_deeper_than_lxml_reads_is_a_page_failure():
    html, at = _microsoft_with("<div>" * 3000, 3)
    page = parse_complaints_page(f"{ORIGIN}{MS}/complaints", html)
    assert [c.external_id for c in page.complaints] == ["20520372", "20520114", "20519515"]
    assert page.failures == [
        CardFailure(
            reason="page shows 6 complaint cards, 3 read: document nesting deeper than lxml reads (2048 levels): "
            "the page after that point was not read",
            card_id=None,
            snippet=html[at : at + 300],
        )
    ]


def test_nesting_as_deep_as_lxml_reads_and_a_10_mb_text_lose_no_card():
    html, _ = _microsoft_with("<div>" * 1000 + "</div>" * 1000 + f"<p title='{'t' * 11_000_000}'>x</p>", 3)
    html = html.replace("I can't believe how inept", "Refund me. " * 1_000_000 + "I can't believe how inept", 1)
    page = parse_complaints_page(f"{ORIGIN}{MS}/complaints", html)
    assert (len(page.complaints), page.failures) == (6, [])
    assert page.complaints[0].text.startswith("Refund me. " * 1000) and len(page.complaints[0].text) > 11_000_000


def test_labelled_cards_swallowed_by_an_unclosed_comment_are_a_page_failure():
    _, html = fetch(f"{CHARTER}/complaints")
    at = [m.start() for m in re.finditer(r"<li id=", html)][7]
    html = html[:at] + "<!--" + html[at:]
    page = parse_complaints_page(f"{ORIGIN}{CHARTER}/complaints", html)
    assert len(page.complaints) == 7
    (failure,) = page.failures
    assert (failure.card_id, failure.reason) == (
        None,
        "page shows 10 complaint cards, 7 read: a card was seen but its markup could not be read",
    )
    assert failure.snippet.startswith("Initial Complaint</h3>")


def test_utf16_read_as_latin1_is_a_failure_not_a_page_without_complaints():
    _, html = fetch(f"{MS}/complaints")
    page = parse_complaints_page(f"{ORIGIN}{MS}/complaints", html.encode("utf-16-le").decode("latin-1"))
    assert (page.has_site_data, page.complaints) == (False, [])
    assert [(f.card_id, f.reason) for f in page.failures] == [
        (
            None,
            "page text is 50% NUL characters (UTF-16 read with a one-byte charset?): that part of the page cannot be read",
        )
    ]


def test_an_xml_declaration_without_its_end_is_not_an_error():
    page = parse_complaints_page(URL, '<?xml version="1.0"')
    assert (page.has_site_data, page.complaints, page.failures) == (False, [], [])


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            "<html>Just a moment...</html>",
            "the search API answer is not JSON: Expecting value: line 1 column 1 (char 0)",
        ),
        (
            '{"results": ' + "9" * 5000 + "}",
            "the search API answer is not JSON: Exceeds the limit (4300 digits) for integer string conversion: value has "
            "5000 digits; use sys.set_int_max_str_digits() to increase the limit",
        ),
        ("[" * 100_000 + "]" * 100_000, "the search API answer is JSON nested too deep to read"),
        ("[]", "the search API answered a list, not an object"),
        ("{}", "the search API answer has no 'results'"),
        ('{"results": "oops"}', "the search API answer's 'results' is a string, not a list"),
        ('{"results": [5]}', "search result 1 is a number, not an object"),
        ('{"results": [{"reportUrl": 5}]}', "search result 1: reportUrl is a number, not a string"),
        ('{"results": [{"reportUrl": "http://[oops"}]}', "search result 1: reportUrl 'http://[oops' is not a URL"),
        (
            '{"results": [{"reportUrl": "/us/x", "businessName": ["x"], "bbbId": ["0875"]}]}',
            "search result 1: businessName, bbbId of an unexpected type",
        ),
    ],
)
def test_a_search_answer_of_the_wrong_shape_is_a_search_answer_error(answer, error):
    with pytest.raises(SearchAnswerError) as raised:
        parse_search_results(answer)
    assert str(raised.value) == error


def test_search_results_without_a_report_url_are_skipped():
    answer = '{"results": [{"reportUrl": null}, {"reportUrl": ""}, {"businessName": "A"}, {"reportUrl": "/us/a-1-2"}]}'
    assert [c.profile_url for c in parse_search_results(answer)] == ["https://www.bbb.org/us/a-1-2"]
