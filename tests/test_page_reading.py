"""Each page read once: the page spam check's tree and text go to the parser of the same text, and change nothing
the parser finds or the spam check decides."""

from __future__ import annotations

from constants import BBB_SITE, CC, CC_SITE, MS, XIAOMI
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from complaints_crawler.crawl.runner import project_settings
from complaints_crawler.middlewares.spam import PageSpamMiddleware
from complaints_crawler.parsers.base import ParsedPage
from complaints_crawler.parsers.bbb import parse_complaints_page
from complaints_crawler.parsers.consumercomplaints import SITE as CC_SELECTORS
from complaints_crawler.parsers.forum import parse_board_page
from complaints_crawler.spiders.consumercomplaints import ConsumerComplaintsSpider
from complaints_crawler.text import page_reading
from complaints_crawler.text.page_reading import shared
from complaints_crawler.text.spam import score_html

BOARD_HTML = (CC_SITE / XIAOMI / "index.html").read_text(encoding="utf-8")
BBB_HTML = (BBB_SITE / MS.strip("/") / "complaints" / "index.html").read_text(encoding="utf-8")


def spam_check() -> PageSpamMiddleware:
    settings = project_settings({"TWISTED_REACTOR_ENABLED": False}).copy_to_dict()
    crawler = get_crawler(ConsumerComplaintsSpider, settings)
    crawler.spider = ConsumerComplaintsSpider.from_crawler(crawler, company=XIAOMI)
    return PageSpamMiddleware(crawler)


def found(page: ParsedPage) -> tuple:
    """What a parser found on a page, but for the clock (`scraped_at`)."""
    items = [page.business, *page.complaints]
    dumped = [item.model_dump(exclude={"scraped_at"}) if item is not None else None for item in items]
    return dumped, page.failures, page.permalinks_to_fetch, page.has_site_data


def response(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url, body=html.encode("utf-8"), request=Request(url), encoding="utf-8")


def test_every_reader_of_the_same_text_gets_one_reading():
    html = "".join(["<html><body><p>one page</p></body></html>"])
    reading = shared(html)
    assert shared(html) is reading and reading.text == "one page"


def test_an_equal_text_of_another_page_gets_a_reading_of_its_own():
    html = "".join(["<html><body>", "<p>same words</p>", "</body></html>"])
    copy = "".join(["<html><body>", "<p>same words</p>", "</body></html>"])
    assert html == copy and html is not copy
    reading = shared(html)
    assert shared(copy) is not reading
    assert shared(html) is reading


def test_only_the_latest_readings_are_kept_oldest_dropped_first():
    pages = [f"<html><body><p>page {n}</p></body></html>" for n in range(page_reading.KEPT + 5)]
    readings = [shared(html) for html in pages]
    assert page_reading.kept() == page_reading.KEPT
    assert shared(pages[0]) is not readings[0]  # dropped
    assert shared(pages[-1]) is readings[-1]


def test_the_spam_check_and_the_board_parser_share_one_tree_and_find_what_separate_reads_find():
    check = spam_check()
    url = f"{CC}/{XIAOMI}"
    page = response(url, BOARD_HTML)
    assert check.process_response(page.request, page) is page
    alone = parse_board_page(url, BOARD_HTML, CC_SELECTORS)
    checked = page_reading._kept.get(id(page.text))
    assert checked is not None and checked.html is page.text
    together = parse_board_page(url, page.text, CC_SELECTORS)
    assert shared(page.text) is checked  # the parser read no other tree
    assert found(together) == found(alone) and together.complaints
    # The verdict of the shared text is the verdict of a page read on its own.
    assert score_html(BOARD_HTML, rendered=checked.text) == score_html(BOARD_HTML)


def test_the_bbb_parser_first_then_the_spam_check_read_one_tree_and_find_the_same():
    url = f"http://127.0.0.1:8471{MS}/complaints"
    alone = parse_complaints_page(url, BBB_HTML)
    text = "".join([BBB_HTML])  # a str of its own, as a response's text is
    assert found(parse_complaints_page(url, text)) == found(alone)  # the block check parses a BBB page first
    parsed = page_reading._kept.get(id(text))
    assert parsed is not None and shared(text) is parsed  # the spam check after it reads no other tree
