"""consumercomplaints.in: `scrapy crawl consumercomplaints -a company=xiaomi-india-b106391` (see spiders/forum.py)."""

from complaints_crawler.parsers import consumercomplaints
from complaints_crawler.sites import SITES
from complaints_crawler.spiders.forum import ForumSpider


class ConsumerComplaintsSpider(ForumSpider):
    site = SITES["consumercomplaints"]
    selectors = consumercomplaints.SITE
