"""Progress of running crawls: a log line every `PROGRESS_INTERVAL` seconds, and a status line on a terminal.

A long crawl (a big company under a 4 s politeness delay runs for half an hour) must show it is alive and how
far it is: pages read, complaints, the rate, the page it is on and, when the site says how many complaints the
company has, the share done. On a terminal every running crawl of the process shares one status line,
redrawn each second; logs (cron, Scrapyd) get the periodic lines only.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from typing import ClassVar, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from twisted.internet import task

log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    label: str
    pages: int
    complaints: int
    page: int | None
    pages_total: int | None
    per_minute: float

    def line(self) -> str:
        where = f", on page {self.page}" if self.page else ""
        share = f" of about {self.pages_total}" if self.pages_total else ""
        return (
            f"{self.label}: {self.pages} pages{share}, {self.complaints} complaints "
            f"({self.per_minute:.1f} pages/min){where}"
        )

    def short(self) -> str:
        total = f"/{self.pages_total}" if self.pages_total else ""
        return f"{self.label} p{self.pages}{total} {self.complaints}c"


class Progress:
    """Scrapy extension: one per crawl."""

    running: ClassVar[list[Progress]] = []  # the crawls of this process, for the shared terminal line
    _terminal: ClassVar[task.LoopingCall | None] = None

    def __init__(self, crawler: Crawler, interval: float, terminal: bool):
        self.crawler = crawler
        self.interval = interval
        self.terminal = terminal
        self.started = time.monotonic()
        self.lines: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        extension = cls(crawler, interval, terminal=sys.stderr.isatty())
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def snapshot(self) -> Snapshot:
        stats = self.crawler.stats
        assert stats is not None
        spider = self.crawler.spider
        arguments = getattr(spider, "arguments", {}) or {}
        label = f"{spider.name if spider else '?'} {arguments.get('company', '')}".strip()
        pages = stats.get_value("pagination/pages", 0)
        minutes = max((time.monotonic() - self.started) / 60, 1e-9)
        return Snapshot(
            label,
            pages,
            stats.get_value("validate/complaint", 0),
            stats.get_value("pagination/current_page"),
            stats.get_value("pagination/pages_total"),
            pages / minutes,
        )

    def spider_opened(self, spider: Spider) -> None:
        if self.interval > 0:
            self.lines = task.LoopingCall(lambda: log.info("progress: %s", self.snapshot().line()))
            self.lines.start(self.interval, now=False)
        if self.terminal:
            Progress.running.append(self)
            if Progress._terminal is None:
                Progress._terminal = task.LoopingCall(_draw_terminal_line)
                Progress._terminal.start(1.0, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.lines is not None and self.lines.running:
            self.lines.stop()
        if self in Progress.running:
            Progress.running.remove(self)
        if not Progress.running and Progress._terminal is not None:
            if Progress._terminal.running:
                Progress._terminal.stop()
            Progress._terminal = None
            sys.stderr.write("\r\x1b[2K")


def _draw_terminal_line() -> None:
    line = " | ".join(p.snapshot().short() for p in Progress.running)
    sys.stderr.write("\r\x1b[2K" + line[:200])
    sys.stderr.flush()
