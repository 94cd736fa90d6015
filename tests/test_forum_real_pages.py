"""The forum engine on real saved consumercomplaints.in and complaintsboard.com markup (../shared/real-pages)."""

from __future__ import annotations

from datetime import date

import pytest
from constants import REAL_PAGES as REAL

from complaints_crawler.parsers import complaintsboard, consumercomplaints


def real(name: str) -> str:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path.name} is absent from ../shared/real-pages")
    return path.read_text(encoding="utf-8")


def only_card(parse, url: str, name: str):
    page = parse(url, real(name))
    (complaint,) = page.complaints
    return page, complaint


def test_consumercomplaints_2026_snippet():
    page, complaint = only_card(
        consumercomplaints.parse_page,
        "https://www.consumercomplaints.in/ajio-b115930",
        "consumercomplaints/ajio-live-2026-08-19.html",
    )
    assert (
        complaint.external_id,
        complaint.author,
        complaint.author_location,
        complaint.filed_on,
        complaint.title,
    ) == ("3541211", "a_shopper", None, date(2026, 4, 28), "Delivery delay and finally order cancel by ajio")
    assert complaint.text == (
        "I waited twenty five days for two orders and then both were cancelled by the seller without any "
        "explanation at all...."
    )
    assert (complaint.business.external_id, complaint.business.name) == ("b115930", "Ajio")
    # The board text ends in "...": the permalink is to be fetched.
    url = "https://www.consumercomplaints.in/ajio-delivery-delay-and-finally-order-cancel-by-ajio-c3541211"
    assert complaint.url == url and page.permalinks_to_fetch == {"3541211": url}


def test_complaintsboard_2026_snippet():
    page, complaint = only_card(
        complaintsboard.parse_page,
        "https://www.complaintsboard.com/ajio-b144612",
        "complaintsboard/ajio-live-2026-08-19.html",
    )
    # The first anchor is /faq#verified_user: the id comes from "#create-comment-1931240".
    assert (
        complaint.external_id,
        complaint.author,
        complaint.author_location,
        complaint.filed_on,
        complaint.title,
    ) == ("1931240", "a shopper", "Bengaluru, IN", date(2024, 1, 20), "Seller has not refunded money")
    assert complaint.text == (
        "I returned one of four items and the refund never arrived. Order number FN4058405688 was picked up weeks ago."
    )
    assert complaint.photos_count == 1 and complaint.url is None and page.permalinks_to_fetch == {}
    assert (complaint.business.external_id, complaint.business.name) == ("b144612", "Ajio")  # name from microdata


def test_consumercomplaints_2018_home_page():
    page = consumercomplaints.parse_page(
        "https://www.consumercomplaints.in/", real("consumercomplaints/homepage-2018.html")
    )
    assert page.card_count == 20 and page.failures == [] and page.has_site_data
    assert page.business is None
    first = page.complaints[0]
    assert (first.external_id, first.author, first.filed_on) == ("1904934", "kundan potdar", date(2018, 3, 23))
    assert first.title == "boi account urgently close"
    assert first.author_location == "Indore"
    assert (first.business.external_id, first.business.name) == ("b103807", "Bank Of India")
    assert first.text.startswith("Sir my current account is bank of India palasia branch my account no is [protected]")
    assert first.url == "https://www.consumercomplaints.in/bank-of-india-boi-account-urgently-close-c1904934"
    last = page.complaints[-1]
    assert (last.external_id, last.author) == ("1904859", "radhika parashar")
    assert all(c.filed_on == date(2018, 3, 23) for c in page.complaints)
    # A company without a board link is keyed by its name.
    assert page.complaints[3].business.external_id == "name:driving-licence"
    # Every home-page text is cut ("...") and has a permalink.
    assert len(page.permalinks_to_fetch) == 20
