"""complaintsboard.com: `scrapy crawl complaintsboard -a company=xiaomi-b128703` (see spiders/forum.py)."""

from complaints_crawler.items import Source
from complaints_crawler.parsers import complaintsboard
from complaints_crawler.spiders.forum import ForumSpider


class ComplaintsBoardSpider(ForumSpider):
    name = "complaintsboard"
    source = Source.COMPLAINTSBOARD
    base_url_setting = "COMPLAINTSBOARD_BASE_URL"
    live_hosts = ("www.complaintsboard.com", "complaintsboard.com")
    site = complaintsboard.SITE
    example_board = "xiaomi-b128703"
