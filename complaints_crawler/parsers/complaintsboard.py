"""complaintsboard.com: the forum engine's selectors (BEM classes plus schema.org microdata)."""

from functools import partial

from complaints_crawler.items import Source
from complaints_crawler.parsers import forum
from complaints_crawler.parsers.forum import ForumSite, IdSource
from complaints_crawler.parsers.lost_cards import CardStart
from complaints_crawler.sites import SITES

SITE = ForumSite(
    source=Source.COMPLAINTSBOARD,
    base_url=SITES["complaintsboard"].live_origin,
    card="div.complaint",
    card_list="div.complaints-list",
    # The first anchor of a card is a /faq link: the id comes from the share URL, the comment anchor or a photo path.
    ids=(
        IdSource(".complaint-share", "data-url", r"-c(\d+)/?$"),
        IdSource('a[href^="#create-comment-"]', "href", r"^#create-comment-(\d+)$"),
        IdSource('a[href*="/images/complaint/full/"]', "href", r"/images/complaint/full/(\d+)/"),
    ),
    permalink=".complaint-share",
    title=".complaint-main__header-name",
    author=".author-header__name",
    location=".author-header__address",
    date=".author-header__date",
    info=".complaint-main__info",
    text=".complaint-main__text",
    more_link=".complaint-main__more",
    photos='a[href*="/images/complaint/full/"]',
    resolved=".complaint-main__resolved",
    thread_entry=".comment-item",
    entry_head=".comment-item__header",
    entry_body=".comment-item__text",
    footer=".complaint-main__footer",
    business_name="[itemprop=itemReviewed] [itemprop=name]",
    header=".business-header",
    header_name="h1",
    breadcrumb=".breadcrumbs a",
    card_start=CardStart(tag="div", attribute="class", token="complaint"),
)

parse_page = partial(forum.parse_page, site=SITE)
