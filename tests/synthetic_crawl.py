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

    def __init__(self, count: str, delay: str, **kwargs):
        super().__init__(**kwargs)
        self.count, self.delay = int(count), float(delay)
        self.arguments = {"count": count}

    async def start(self):
        yield business(0)
        for n in range(self.count):
            yield complaint(n, responses=1 + n % 4)
            await asyncio.sleep(self.delay)
        # Scrapy notices a spider with nothing left to download only on its 5-second heartbeat; the answer to
        # one request tells it at once.
        yield scrapy.Request("data:,", callback=self.done)

    def done(self, response):
        return None


if __name__ == "__main__":
    url, count = sys.argv[1], sys.argv[2]
    delay = sys.argv[3] if len(sys.argv) > 3 else "0"
    process = CrawlerProcess(project_settings({"ARCHIVE_URL": url, "ARCHIVE_BATCH_SIZE": 10, "LOG_LEVEL": "WARNING"}))
    process.crawl(SyntheticSpider, count=count, delay=delay)
    process.start()
