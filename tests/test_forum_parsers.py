"""The forum engine (consumercomplaints.in, complaintsboard.com) on the fixture sites and on seed 003."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from constants import CB, CC, XIAOMI
from constants import CB_SITE as CB_DIR
from constants import CC_SITE as CC_DIR

from complaints_crawler.items import ResponseKind, Source
from complaints_crawler.parsers import complaintsboard, consumercomplaints, page_parser
from complaints_crawler.parsers.base import CardFailure
from complaints_crawler.parsers.forum import (
    board_page_url,
    boards_named,
    parse_company_argument,
    parse_sitemap,
)

AUTHORS_75 = [
    "Shrubh",
    "Mohit.k12",
    "ovijit54649",
    "m sundar",
    "PoojaTalwar",
    "Lohar Aba Nathuram",
    "S_thakur",
    "megha nautiyal",
    "Vedant Chindhe",
    "akash9005",
    "vishal4053",
    "uday kanna",
    "Aparna Misri",
    "Prashanth Reddy G",
    "Abhishek Nag",
    "Subhamoy Halder",
    "pktiwari2",
    "soni_pks",
    "Arunkumar Kasinathan",
    "soni_pks",
]
DAYS_75 = [12, 12, 12, 10, 10, 8, 7, 7, 6, 5, 5, 5, 4, 4, 4, 4, 2, 1, 1, 1]
PHOTOS_75 = [1, 0, 3, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 4, 0, 0, 0, 2, 0, 3]
COMMENTS_75 = [0, 0, 0, 0, 0, 4, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3, 3]
# Cut ("What should i do now...") or commented cards of page 75: external id -> permalink path.
PERMALINKS_75 = {
    "2037904": "/xiaomi-india-redmi-note-7-pro-network-problem-warranty-refused-c2037904",
    "2036988": "/xiaomi-india-i-received-the-invoice-of-my-new-phone-without-my-gstin-no-27bwaps7144e1zg-c2036988",
    "2036842": "/xiaomi-india-mi-led-smart-tv-55-inch-stopped-working-c2036842",
    "2036377": "/xiaomi-india-pocophone-dead-after-security-update-c2036377",
    "2035655": "/xiaomi-india-headphone-jack-not-working-service-centre-asking-to-change-display-c2035655",
    "2033012": "/xiaomi-india-order-not-delivered-and-not-cancelled-c2033012",
    "2032391": "/xiaomi-india-redmi-note-6-pro-miui-11-update-not-received-c2032391",
    "2032208": "/xiaomi-india-mi-led-tv-4a-pro-ordered-4c-pro-delivered-c2032208",
}
PERMALINKS_76 = {
    "2031975": "/xiaomi-india-redmi-k20-pro-screen-flickering-after-update-c2031975",
    "2031762": "/xiaomi-india-mi-band-4-refund-not-processed-c2031762",
}


def _read(root: Path, path: str) -> str:
    return (root / path.strip("/") / "index.html").read_text(encoding="utf-8")


def cc_board(path: str):
    return consumercomplaints.parse_page(f"{CC}/{path}", _read(CC_DIR, path))


def cb_board(path: str):
    return complaintsboard.parse_page(f"{CB}/{path}", _read(CB_DIR, path))


@pytest.fixture(scope="module")
def page75():
    return cc_board(f"{XIAOMI}/page/75")


def by_author(page, author):
    return [c for c in page.complaints if c.author == author]


def masks(complaints, token):
    return sum(t.count(token) for c in complaints for t in [c.text, *(r.text for r in c.responses)])


# ------------------------------------------------------------------------------- consumercomplaints page 75


def test_board_header_page_75(page75):
    business = page75.business
    assert (business.source, business.external_id, business.name) == (
        Source.CONSUMERCOMPLAINTS,
        "b106391",
        "Xiaomi India",
    )
    assert business.url == f"{CC}/{XIAOMI}"
    assert (business.complaints_total, business.resolved_count, business.unresolved_count) == (6148, 259, 5889)
    assert page75.has_site_data and page75.failures == []


def test_twenty_cards_in_order(page75):
    assert [c.author for c in page75.complaints] == AUTHORS_75
    assert [c.filed_on for c in page75.complaints] == [date(2019, 12, d) for d in DAYS_75]
    assert all(c.business.external_id == "b106391" and c.source is Source.CONSUMERCOMPLAINTS for c in page75.complaints)
    assert len({c.external_id for c in page75.complaints}) == 20


def test_ids_titles_and_permalinks(page75):
    first = page75.complaints[0]
    assert first.external_id == "2040151"
    assert first.title == "refund not received for redmi note 7s order"
    assert first.url == f"{CC}/xiaomi-india-refund-not-received-for-redmi-note-7s-order-c2040151"
    for complaint in page75.complaints:
        assert complaint.url.endswith(f"-c{complaint.external_id}")


def test_locations_and_addresses(page75):
    shrubh, _mohit, *_ = page75.complaints
    assert shrubh.author_location == "Pune, Maharashtra"
    assert shrubh.address == "Magarpatta city, Pune, 411028"
    assert by_author(page75, "m sundar")[0].author_location is None
    assert by_author(page75, "ovijit54649")[0].address is None
    arun = by_author(page75, "Arunkumar Kasinathan")[0]
    assert arun.address == "Pidari streer Sirkali, 609110"
    assert "Website" not in arun.text and arun.text.startswith("I was using this mobil past 8 months")


def test_text_is_verbatim_with_paragraphs(page75):
    text = page75.complaints[0].text
    assert text.startswith("I have ordered Redmi Note 7S 3GB ROM Ruby Red on 30th Sep 2019, money deducted")
    assert "order was not placed.\n\nWhen I contacted mi customer service" in text
    assert "time out error.\nThen I contacted bank" in text
    assert text.endswith("Kindly help me in this regard.\n\nThanks")
    pooja = by_author(page75, "PoojaTalwar")[0]
    assert "Rrn number :[protected]\n" in pooja.text and "Vpa : mi. [protected]@axisbank" in pooja.text
    lohar = by_author(page75, "Lohar Aba Nathuram")[0]
    assert "My complaint number is woin[protected]." in lohar.text
    assert lohar.text.endswith("Aba nathuram lohar\n[protected], [protected]")
    assert "i[censored]r people will behave" in by_author(page75, "Aparna Misri")[0].text


def test_counts_per_card(page75):
    assert [c.photos_count for c in page75.complaints] == PHOTOS_75
    assert [c.comments_count for c in page75.complaints] == COMMENTS_75
    assert [c.helpful_count for c in page75.complaints] == [0, 1] + [0] * 18


def test_author_updates(page75):
    (update,) = by_author(page75, "PoojaTalwar")[0].responses
    assert (update.position, update.kind, update.author, update.posted_on, update.text) == (
        1,
        ResponseKind.AUTHOR_UPDATE,
        "PoojaTalwar",
        date(2019, 12, 12),
        "Any update on this?",
    )
    (update,) = by_author(page75, "Prashanth Reddy G")[0].responses
    assert (update.kind, update.author, update.posted_on) == (
        ResponseKind.AUTHOR_UPDATE,
        "Prashanth Reddy G",
        date(2019, 12, 6),
    )
    assert update.text == (
        "Sir, I complain in the Xiaomi service center they have given the complaint Number is WXIN[protected].\n"
        "please follow it and solve it as possible as early. Thank you"
    )


def test_replies_and_comments(page75):
    lohar = by_author(page75, "Lohar Aba Nathuram")[0]
    assert [(r.position, r.kind, r.author, r.posted_on) for r in lohar.responses] == [
        (1, ResponseKind.COMMENT, "Rahul Jadhav", date(2019, 12, 9)),
        (2, ResponseKind.COMMENT, "sneha.k", date(2019, 12, 10)),
        (3, ResponseKind.COMMENT, "Pushpraj0172", date(2019, 12, 11)),
        (4, ResponseKind.REPLY, "Pushpraj0172", date(2019, 12, 12)),
        (5, ResponseKind.REPLY, "Pushpraj0172", date(2019, 12, 12)),
        (6, ResponseKind.COMMENT, "Manoj Verma", date(2019, 12, 12)),
    ]
    assert [r.text for r in lohar.responses[3:5]] == ["Sir please help kariye", "Humara payment refund karvayiye"]
    assert lohar.responses[2].text.startswith("Dear sir,\n\nXiaomi India me Maine delearship")
    assert lohar.responses[5].text.endswith("Sr no 21829/[protected]")
    # Comment photo captions are not comment text.
    (comment,) = by_author(page75, "S_thakur")[0].responses
    assert (
        comment.text
        == "I have booked this product online but till now not received this product, product details I have attached in"
    )


def test_resolved_complaint(page75):
    resolved = page75.complaints[-1]
    assert (resolved.author, resolved.status) == ("soni_pks", "Resolved")
    kinds = [(r.kind, r.posted_on) for r in resolved.responses]
    assert kinds == [
        (ResponseKind.STATUS_CHANGE, date(2019, 12, 1)),
        (ResponseKind.AUTHOR_UPDATE, date(2019, 12, 1)),
        (ResponseKind.COMMENT, date(2019, 12, 2)),
        (ResponseKind.COMMENT, date(2019, 12, 4)),
        (ResponseKind.COMMENT, date(2019, 12, 6)),
    ]
    assert resolved.responses[0].text == "Complaint marked as Resolved\nNot resolve yet"
    assert resolved.responses[1].author == "soni_pks"
    assert resolved.responses[1].text.startswith("Till date not resolved\n\nI ordered MI LED TV 4A PRO 80CM")
    # Without a resolved mark a card's status is None: the site never prints "Unresolved" on a card.
    assert [c.status for c in page75.complaints[:-1]] == [None] * 19


def test_masks_survive(page75):
    assert masks(page75.complaints, "[protected]") == 28
    assert masks(page75.complaints, "[censored]") == 1


def test_permalinks_to_fetch_page_75(page75):
    assert page75.permalinks_to_fetch == {k: CC + v for k, v in PERMALINKS_75.items()}
    vishal = by_author(page75, "vishal4053")[0]
    assert vishal.text.endswith("What should i do now...") and vishal.comments_count == 0


def test_seed_003_counts_match_fixture(page75, seeds_dir: Path):
    seed = next(seeds_dir.glob("003_*.txt")).read_text(encoding="utf-8")
    assert seed.count("[protected]") == masks(page75.complaints, "[protected]") == 28
    assert seed.count("[censored]") == masks(page75.complaints, "[censored]") == 1
    seed_lines = {line.strip() for line in seed.splitlines()}
    for complaint in page75.complaints:
        assert complaint.author in seed_lines or complaint.author == "Vedant Chindhe"
        # The fixture reproduces the seed's texts line for line (comment heads are the fixture's additions).
        for text in [
            complaint.text,
            *(r.text for r in complaint.responses if r.kind is not ResponseKind.STATUS_CHANGE),
        ]:
            assert {line for line in text.split("\n") if line} <= seed_lines, complaint.external_id
    assert "Vedant CVedant Chindhehindhe" in seed_lines  # the name with its tooltip, as rendered


# --------------------------------------------------------------------------- other consumercomplaints pages


def test_page_76_and_page_1():
    last = cc_board(f"{XIAOMI}/page/76")
    assert [c.author for c in last.complaints] == ["rajesh.kumar88", "Neha Sharma", "anilp", "Suresh Babu"]
    assert last.permalinks_to_fetch == {k: CC + v for k, v in PERMALINKS_76.items()}
    assert last.complaints[0].text.endswith("started again and now it...")
    neha = last.complaints[1]
    assert [(r.kind, r.author) for r in neha.responses] == [
        (ResponseKind.COMMENT, "amit.j"),
        (ResponseKind.COMMENT, "Neha Sharma"),
        (ResponseKind.REPLY, "amit.j"),
    ]
    assert last.complaints[2].helpful_count == 2 and last.complaints[2].author_location is None
    first = cc_board(XIAOMI)
    assert [c.external_id for c in first.complaints] == ["2418830", "2418514", "2417962"]
    assert first.permalinks_to_fetch == {}
    assert first.business.complaints_total == 6148


def test_every_listed_permalink_exists_in_the_fixture():
    for path in [*PERMALINKS_75.values(), *PERMALINKS_76.values()]:
        assert (CC_DIR / path.strip("/") / "index.html").is_file(), path
    assert not (CC_DIR / XIAOMI / "page" / "77").exists()


def test_permalink_gives_full_text_and_thread(page75):
    path = PERMALINKS_75["2035655"]
    page = consumercomplaints.parse_page(CC + path, _read(CC_DIR, path))
    (full,) = page.complaints
    board = by_author(page75, "vishal4053")[0]
    assert full.external_id == "2035655" and full.url == CC + path
    assert full.text.startswith(board.text.removesuffix("..."))
    assert full.text.endswith("without forcing me to change the display.")
    assert len(full.text) == 802 and len(board.text) == 599
    assert (full.business.external_id, full.business.name) == ("b106391", "Xiaomi India")
    assert page.permalinks_to_fetch == {}
    path = PERMALINKS_75["2037904"]
    (lohar,) = consumercomplaints.parse_page(CC + path, _read(CC_DIR, path)).complaints
    assert lohar.responses == by_author(page75, "Lohar Aba Nathuram")[0].responses


def test_cut_card_permalink_has_full_text():
    path = PERMALINKS_76["2031975"]
    (full,) = consumercomplaints.parse_page(CC + path, _read(CC_DIR, path)).complaints
    board = cc_board(f"{XIAOMI}/page/76").complaints[0]
    assert full.text.startswith(board.text.removesuffix("..."))
    assert full.text.endswith("Please look into this issue on priority.")
    assert full.text.count("[protected]") == board.text.count("[protected]") == 1


def test_repeated_page_board():
    one, two = cc_board("mi-home-b154318"), cc_board("mi-home-b154318/page/2")
    assert [c.external_id for c in one.complaints] == ["2416020", "2415377", "2413985"]
    assert [c.external_id for c in two.complaints] == [c.external_id for c in one.complaints]


def test_empty_page_board():
    one, two = cc_board("poco-india-b171922"), cc_board("poco-india-b171922/page/2")
    assert [c.author for c in one.complaints] == ["Harish N", "meera_s"]
    assert two.complaints == [] and two.failures == [] and two.has_site_data
    assert two.business.name == "Poco India"


def test_layout_changed_board():
    page = cc_board("mi-service-center-b160057")
    assert page.complaints == [] and not page.has_site_data
    assert (page.business.name, page.business.complaints_total) == ("Mi Service Center", 128)
    assert len(page.failures) == 1 and "layout" in page.failures[0].reason


def test_unreadable_card_is_a_failure_and_the_page_goes_on():
    html = _read(CC_DIR, f"{XIAOMI}/page/76")
    # Blank out the text of the third card (anilp).
    html = re.sub(r'(id="cctxt2031330">\s*<div class="complaint-box__more-txt"><div>)[^<]*', r"\1 ", html)
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/76", html)
    assert [c.external_id for c in page.complaints] == ["2031975", "2031762", "2031101"]
    (failure,) = page.failures
    assert failure.card_id == "2031330" and "blank" in failure.reason
    assert "anilp" in failure.snippet


def test_page_without_board_markup():
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/3", "<html><body><h1>Just a moment...</h1></body></html>")
    assert not page.has_site_data and page.business is None and page.card_count == 0 and page.failures == []


# ----------------------------------------------------------------------------------------- complaintsboard


def test_complaintsboard_page_1():
    page = cb_board("xiaomi-b128703")
    business = page.business
    assert (business.source, business.external_id, business.name, business.url) == (
        Source.COMPLAINTSBOARD,
        "b128703",
        "Xiaomi",
        f"{CB}/xiaomi-b128703",
    )
    assert (business.complaints_total, business.resolved_count, business.unresolved_count) == (1214, 87, 1127)
    assert [(c.external_id, c.author, c.author_location, c.filed_on.day) for c in page.complaints] == [
        ("1787412", "Pooja Talwar", "Pune, IN", 10),
        ("1787305", "Rohan Desai", "Mumbai, IN", 9),
        ("1787198", "karthik.v", "Hyderabad, IN", 8),
        ("1787044", "Meena Iyer", "Chennai, IN", 7),
        ("1786931", "Gaurav", "Lucknow, IN", 6),
    ]
    assert [c.title for c in page.complaints][:2] == [
        "Payment via GPay not received by Mi",
        "Redmi Note 8 Pro heating while charging",
    ]
    assert page.permalinks_to_fetch == {
        "1787305": f"{CB}/xiaomi-redmi-note-8-pro-heating-while-charging-c1787305",
        "1787198": f"{CB}/xiaomi-order-not-shipped-payment-debited-c1787198",
    }
    pooja, rohan, karthik, meena, gaurav = page.complaints
    assert pooja.photos_count == 1 and rohan.comments_count == 2
    assert [(r.kind, r.author, r.posted_on) for r in rohan.responses] == [
        (ResponseKind.COMMENT, "ankit_sharma", date(2019, 12, 10)),
        (ResponseKind.REPLY, "Rohan Desai", date(2019, 12, 11)),
        (ResponseKind.COMMENT, "Meera J", date(2019, 12, 12)),
    ]
    assert karthik.text.endswith("…")
    assert (meena.status, meena.helpful_count, meena.text.count("[protected]")) == ("Resolved", 1, 2)
    # No share URL: the id comes from the "#create-comment-<id>" anchor, and there is no permalink.
    assert (gaurav.external_id, gaurav.url) == ("1786931", None)


def test_complaintsboard_page_2_and_permalinks():
    page = cb_board("xiaomi-b128703/page/2")
    assert page.permalinks_to_fetch == {}
    assert [c.external_id for c in page.complaints] == ["1786712", "1786590", "1786433", "1786301", "1786187"]
    assert masks(page.complaints, "[protected]") == 2 and page.complaints[1].photos_count == 2
    assert not (CB_DIR / "xiaomi-b128703" / "page" / "3").exists()
    (karthik,) = cb_board("xiaomi-order-not-shipped-payment-debited-c1787198").complaints
    assert karthik.text.endswith("I have attached the bank statement where the debit is visible.")
    assert karthik.business.external_id == "b128703"
    (rohan,) = cb_board("xiaomi-redmi-note-8-pro-heating-while-charging-c1787305").complaints
    assert len(rohan.responses) == 3 and rohan.responses[1].text == "They did not replace anything for me, only reset."


def test_complaintsboard_cross_post_of_seed_complaint(page75):
    """complaintsboard 1787412 is consumercomplaints 2038650 (PoojaTalwar) with '*' runs for [protected]."""
    cross = cb_board("xiaomi-b128703").complaints[0]
    original = by_author(page75, "PoojaTalwar")[0]
    assert original.external_id == "2038650"
    assert "[protected]" not in cross.text and cross.text.count("*" * 10) == 3
    assert re.sub(r"\*{4,}", "[protected]", cross.text) == original.text


def test_complaintsboard_id_never_from_first_link():
    html = """<div class="complaints-list"><div class="complaint"><div class="complaint__wrapper">
      <a href="/faq#verified_user">Learn more</a><a href="/some-company-c999">elsewhere</a>
      <span class="author-header__name">x</span><span class="author-header__date">Jan 2, 2024</span>
      <p class="complaint-main__text">Body</p>
      <a href="/images/complaint/full/1931240/1.png"></a></div></div></div>"""
    (complaint,) = complaintsboard.parse_page(f"{CB}/ajio-b144612", html).complaints
    assert complaint.external_id == "1931240" and complaint.photos_count == 1
    for path in ["xiaomi-b128703", "xiaomi-b128703/page/2"]:
        html = _read(CB_DIR, path)
        first_links = re.findall(r'<div class="complaint"[^>]*>.*?<a href="([^"]+)"', html, re.S)
        assert set(first_links) == {"/faq#verified_user"}


# ------------------------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    "value, expected",
    [
        ("xiaomi-india-b106391", "/xiaomi-india-b106391"),
        ("/xiaomi-india-b106391/", "/xiaomi-india-b106391"),
        (f"{CC}/xiaomi-india-b106391", "/xiaomi-india-b106391"),
        (f"{CC}/xiaomi-india-b106391/page/75", "/xiaomi-india-b106391"),
        (f"{CB}/xiaomi-b128703/page/2/", "/xiaomi-b128703"),
        ("xiaomi-india", None),
        ("Xiaomi India", None),
        (f"{CC}/xiaomi-india-redmi-note-7-pro-network-problem-warranty-refused-c2037904", None),
    ],
)
def test_parse_company_argument(value, expected):
    assert parse_company_argument(value) == expected


def test_board_page_url():
    assert board_page_url(f"{CC}/{XIAOMI}", 1) == f"{CC}/{XIAOMI}"
    assert board_page_url(f"{CC}/{XIAOMI}", 75) == f"{CC}/{XIAOMI}/page/75"
    assert board_page_url(f"{CC}/{XIAOMI}/page/75", 76) == f"{CC}/{XIAOMI}/page/76"
    assert board_page_url(f"{CC}/{XIAOMI}/page/75", 1) == f"{CC}/{XIAOMI}"
    assert board_page_url(f"/{XIAOMI}/", 2) == f"/{XIAOMI}/page/2"
    with pytest.raises(ValueError):
        board_page_url(f"{CC}/", 2)


def test_a_sitemap_location_that_is_not_a_url_is_skipped():
    sitemap = parse_sitemap(f"<urlset><url><loc>http://[oops/x-b1</loc></url><url><loc>{CC}/ok-b2</loc></url></urlset>")
    assert sitemap.boards == ["/ok-b2"]
    assert parse_company_argument("http://[oops/xiaomi-india-b106391") is None


def test_find_boards_in_sitemap():
    cc_boards = parse_sitemap((CC_DIR / "sitemap.xml").read_text()).boards
    assert boards_named("Xiaomi India", cc_boards) == [f"/{XIAOMI}"]
    assert boards_named("xiaomi", cc_boards) == [f"/{XIAOMI}"]
    assert boards_named("Mi", cc_boards) == ["/mi-home-b154318", "/mi-service-center-b160057"]
    assert boards_named("Mi Home", cc_boards) == ["/mi-home-b154318"]
    assert boards_named("Samsung", cc_boards) == []
    assert boards_named("Xiaomi", parse_sitemap((CB_DIR / "sitemap.xml").read_text()).boards) == ["/xiaomi-b128703"]


def test_robots_disallow_the_live_paths():
    cc_rules = (CC_DIR / "robots.txt").read_text().splitlines()
    assert {"Disallow: /?search=*", "Disallow: /ajax/", "Disallow: /profile-*"} <= set(cc_rules)
    cb_rules = (CB_DIR / "robots.txt").read_text().splitlines()
    assert {"Disallow: /profile-*", "Disallow: /images/", "Allow: /images/complaint/full/"} <= set(cb_rules)


# ------------------------------------------------------------- pages lxml cannot read whole: no card lost silently

CC_CARD = re.compile(r'<div class="complaint-box" id="c(\d+)"')
CB_CARD = re.compile(r'<div class="complaint" itemscope')
NOT_READ = "a card was seen but its markup could not be read"
TOO_DEEP = "document nesting deeper than lxml reads (2048 levels): the page after that point was not read"


def _page_75() -> str:
    return _read(CC_DIR, f"{XIAOMI}/page/75")


def _before_card(html: str, card: re.Pattern[str], n: int, piece: str) -> tuple[str, int]:
    """`html` with `piece` inserted before its n-th card (from 0), and where that card now starts."""
    at = [m.start() for m in card.finditer(html)][n]
    return html[:at] + piece + html[at:], at + len(piece)


def _page_failure(reason: str, html: str, at: int) -> CardFailure:
    return CardFailure(reason=reason, card_id=None, snippet=html[at : at + 300])


def test_an_xml_declaration_without_its_end_is_not_an_error():
    # The reproducer: `complaints parse --site consumercomplaints x.html --url …/x-b1`.
    page = page_parser("consumercomplaints")(f"{CC}/x-b1", '<?xml version="1.0"')
    assert (page.has_site_data, page.complaints, page.failures) == (False, [], [])
    html = '<?xml version="1.0" encoding="utf-8"\n' + _page_75()
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/75", html)
    assert (len(page.complaints), page.failures) == (20, [])


@pytest.mark.parametrize("depth", [256, 300, 2000])
def test_nesting_as_deep_as_lxml_reads_loses_no_card(depth):
    html, _ = _before_card(_page_75(), CC_CARD, 10, "<div>" * depth + "deep" + "</div>" * depth)
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/75", html)
    assert (len(page.complaints), page.failures) == (20, [])


def test_nesting_deeper_than_lxml_reads_is_a_page_failure():
    html, at = _before_card(_page_75(), CC_CARD, 12, "<div>" * 3000 + "deep" + "</div>" * 3000)
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/75", html)
    assert [c.author for c in page.complaints] == AUTHORS_75[:12]
    assert page.failures == [_page_failure(f"page shows 20 complaint cards, 12 read: {TOO_DEEP}", html, at)]


def test_a_text_node_over_10_mb_is_read():
    html = _page_75()
    huge = "My phone died. " * 700_000  # 10.5 MB
    html = html.replace("I have ordered Redmi Note 7S", huge + "I have ordered Redmi Note 7S", 1)
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/75", html)
    assert (len(page.complaints), page.failures) == (20, [])
    assert page.complaints[0].text.startswith(huge.strip() + " I have ordered Redmi Note 7S")


def test_utf16_read_as_latin1_is_a_failure_not_an_empty_board():
    html = _page_75().encode("utf-16-le").decode("latin-1")
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/75", html)
    assert (page.has_site_data, page.business, page.complaints) == (False, None, [])
    (failure,) = page.failures
    assert (failure.card_id, failure.reason) == (
        None,
        "page text is 50% NUL characters (UTF-16 read with a one-byte charset?): that part of the page cannot be read",
    )
    assert "\x00" not in failure.snippet and failure.snippet.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("opening", ["<!--", "<script>", "<textarea>", "<title>"])
def test_markup_that_swallows_the_cards_after_it_is_a_page_failure(opening):
    html, at = _before_card(_page_75(), CC_CARD, 5, opening)
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/75", html)
    assert [c.author for c in page.complaints] == AUTHORS_75[:5]
    assert page.failures == [_page_failure(f"page shows 20 complaint cards, 5 read: {NOT_READ}", html, at)]


def test_complaintsboard_cards_swallowed_by_an_unclosed_script_are_a_page_failure():
    html, at = _before_card(_read(CB_DIR, "xiaomi-b128703"), CB_CARD, 2, "<script>")
    page = complaintsboard.parse_page(f"{CB}/xiaomi-b128703", html)
    assert len(page.complaints) == 2
    assert page.failures == [_page_failure(f"page shows 5 complaint cards, 2 read: {NOT_READ}", html, at)]


def test_a_permalink_card_lost_to_deep_nesting_is_a_page_failure():
    path = "xiaomi-india-order-not-delivered-and-not-cancelled-c2033012"
    html, at = _before_card(_read(CC_DIR, path), CC_CARD, 0, "<div>" * 3000)
    page = consumercomplaints.parse_page(f"{CC}/{path}", html)
    assert page.complaints == []
    assert page.failures == [_page_failure(f"page shows 1 complaint card, 0 read: {TOO_DEEP}", html, at)]


def test_odd_links_and_counts_cost_no_card():
    html = (
        _page_75()
        .replace('<a href="/xiaomi-india-b106391">Xiaomi India</a>', '<a href="http://[oops">Xiaomi India</a>')
        .replace('href="/xiaomi-india-refund-not-received-for-redmi-note-7s-order-c2040151"', 'href="http://[oops"')
        .replace("<li>Complaints 6148</li>", f"<li>Complaints {'9' * 5000}</li>")
        .replace("+1 photos", "+99999999999 photos", 1)  # more than an archive count holds
    )
    page = consumercomplaints.parse_page(f"{CC}/{XIAOMI}/page/75", html)
    assert (len(page.complaints), page.failures) == (20, [])
    assert (page.business.complaints_total, page.business.resolved_count) == (None, 259)  # no count has 5000 digits
    assert page.complaints[0].url is None and page.complaints[1].url.endswith("-c2040097")
    assert page.complaints[0].photos_count == 1  # the photo links, counted
