"""complaintsboard.com: `scrapy crawl complaintsboard -a company=xiaomi-b128703` (see spiders/forum.py)."""

from complaints_crawler.parsers import complaintsboard
from complaints_crawler.sites import SITES
from complaints_crawler.spiders.forum import ForumSpider


class ComplaintsBoardSpider(ForumSpider):
    site = SITES["complaintsboard"]
    selectors = complaintsboard.SITE
