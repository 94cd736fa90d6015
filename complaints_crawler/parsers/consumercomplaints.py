"""consumercomplaints.in: the forum engine's selectors (2026 `complaint-box` markup, 2018 table markup)."""

from functools import partial

from complaints_crawler.items import Source
from complaints_crawler.parsers import forum
from complaints_crawler.parsers.forum import ForumSite, IdSource
from complaints_crawler.parsers.lost_cards import CardStart
from complaints_crawler.sites import SITES

SITE = ForumSite(
    source=Source.CONSUMERCOMPLAINTS,
    base_url=SITES["consumercomplaints"].live_origin,
    # Both layouts wrap a card in div#c<id>; comments use other ids, so the id shape picks the cards.
    card="xpath:.//div[starts-with(@id, 'c') and string-length(@id) > 1"
    " and translate(substring(@id, 2), '0123456789', '') = '']",
    card_list="div.complaint-boxes",
    ids=(IdSource(None, "id", r"^c(\d+)$"), IdSource("a[id^=cmcc]", "id", r"^cmcc(\d+)$")),
    permalink="a[id^=cmcc]",
    title="a[id^=cmcc]",
    author='.author-box__user_bold, td.small a[href^="/profile-"]:not(.profimg)',
    location='.author-box__location, a[href^="/bydistrict/"]',
    date=".author-box__date, td.small",
    info=".complaint-box__info",
    text=".complaint-box__more-txt, td.compl-text",
    more_link="a.complaint-box__more-link",
    photos=".complaint-box__photos",
    resolved=".complaint-box__resolved",
    thread_entry=".thread-entry",
    entry_head=".thread-entry__head",
    entry_body=".thread-entry__text",
    footer=".complaint-box__footer",
    business_name="a[id^=cmcc] > b",
    header=".bname-header",
    header_name="h1",
    breadcrumb=".breadcrumbs a",
    # Where a card's start tag shows in the raw page (to report cards lxml could not read).
    card_start=CardStart(tag="div", attribute="id", token=r"c\d+"),
)

parse_page = partial(forum.parse_page, site=SITE)
