"""A real Scrapy crawl of synthetic complaints through the project's pipelines (used by the crash test).

python synthetic_crawl.py ARCHIVE_URL COUNT [DELAY_SECONDS]
"""

import asyncio
import sys

import scrapy
from factories import business, complaint
from scrapy.crawler import CrawlerProcess

from complaints_crawler.crawl.runner import project_settings


class SyntheticSpider(scrapy.Spider):
    name = "bbb"
    # The requests below are local data: URLs, not BBB's pages: no politeness delay between them.
    custom_settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}

    def __init__(self, count: str, delay: str, **kwargs):
        super().__init__(**kwargs)
        self.count, self.delay = int(count), float(delay)
        self.arguments = {"count": count}

    async def start(self):
        yield business(0)
        for n in range(self.count):
            yield complaint(n, responses=1 + n % 4)
            await asyncio.sleep(self.delay)
        yield self.idle_check()

    def idle_check(self) -> scrapy.Request:
        # Scrapy looks for a finished spider after each response, or else on its 5-second heartbeat: answer one
        # request after another until every item has been through the pipelines, and the crawl ends at once.
        return scrapy.Request("data:,", callback=self.done, dont_filter=True)

    async def done(self, response):
        stats = self.crawler.stats
        handled = stats.get_value("item_scraped_count", 0) + stats.get_value("item_dropped_count", 0)
        if handled <= self.count:  # the business and every complaint
            await asyncio.sleep(0.02)
            yield self.idle_check()


if __name__ == "__main__":
    url, count = sys.argv[1], sys.argv[2]
    delay = sys.argv[3] if len(sys.argv) > 3 else "0"
    process = CrawlerProcess(project_settings({"ARCHIVE_URL": url, "ARCHIVE_BATCH_SIZE": 10, "LOG_LEVEL": "WARNING"}))
    process.crawl(SyntheticSpider, count=count, delay=delay)
    process.start()
