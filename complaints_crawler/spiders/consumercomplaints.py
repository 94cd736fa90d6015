"""consumercomplaints.in: `scrapy crawl consumercomplaints -a company=xiaomi-india-b106391` (see spiders/forum.py)."""

from complaints_crawler.items import Source
from complaints_crawler.parsers import consumercomplaints
from complaints_crawler.spiders.forum import ForumSpider


class ConsumerComplaintsSpider(ForumSpider):
    name = "consumercomplaints"
    source = Source.CONSUMERCOMPLAINTS
    base_url_setting = "CONSUMERCOMPLAINTS_BASE_URL"
    live_hosts = ("www.consumercomplaints.in", "consumercomplaints.in")
    site = consumercomplaints.SITE
    example_board = "xiaomi-india-b106391"
