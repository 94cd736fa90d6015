"""Spam scoring in processes of its own. The page and post checks are the crawl's largest CPU cost, and on the
reactor's thread every download and every parser waits for them; handed to a process pool (SPAM_PROCESSES, 1 by
default) they run beside the crawl on another core, and the check awaits the verdict.

One pool per crawler, forked when the crawler's components are built (before the archive's writer thread starts)
and shut down when its engine stops. With SPAM_PROCESSES = 0, or without a running asyncio reactor (a stage called
directly, outside a crawl), scoring runs in the caller's thread and the check returns at once. A pool
whose process dies is dropped: the crawl goes on scoring in its own thread, and says so in the log and the stats."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import is_asyncio_available

from complaints_crawler.text.spam import SpamScore

log = logging.getLogger(__name__)

_SCORERS: WeakKeyDictionary[Crawler, SpamScorer] = WeakKeyDictionary()


class SpamScorer:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        processes = crawler.settings.getint("SPAM_PROCESSES")  # checked before the crawl (crawl/checks.py)
        self.pool = _start_pool(processes) if processes and _asyncio_running(crawler) else None
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def of(cls, crawler: Crawler) -> SpamScorer:
        """The crawler's scorer (the page check and the post check share one pool)."""
        if crawler not in _SCORERS:
            _SCORERS[crawler] = cls(crawler)
        return _SCORERS[crawler]

    @property
    def pooled(self) -> bool:
        return self.pool is not None

    async def score(self, function: Callable[..., SpamScore], *args: Any, **kwargs: Any) -> SpamScore:
        """`function(*args, **kwargs)` in the pool (in this thread once the pool is gone)."""
        pool = self.pool
        if pool is not None:
            try:
                return await asyncio.wrap_future(pool.submit(function, *args, **kwargs))
            except BrokenProcessPool:
                if self.pool is pool:
                    log.error("the spam-scoring process died: the crawl scores spam in its own thread from now on")
                    self.stats.inc_value("spam/processes_lost")
                    self.pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
        return function(*args, **kwargs)

    def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _asyncio_running(crawler: Crawler) -> bool:
    """Whether the checks can await the pool: a running asyncio loop, or the asyncio reactor that will run one."""
    try:
        return is_asyncio_available()
    except RuntimeError:  # neither: a stage called directly, outside any crawl
        return False


def _start_pool(processes: int) -> ProcessPoolExecutor:
    # Fork where there is fork: the child has the scorer's models loaded already (spawn would import and load them
    # again, a second or more per crawl). Forked now, while the crawl has few threads.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_child_setup, initargs=(os.getpid(),))
    pool.submit(int)  # start the processes now, not at the first page
    return pool


def _child_setup(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the crawl decides how to stop, and shuts the pool down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the crawl's handler, inherited with the fork
    threading.Thread(target=_exit_with, args=(parent,), name="exit-with-crawl", daemon=True).start()


def _exit_with(parent: int) -> None:
    """A crawl killed with SIGKILL cannot shut its pool down: its orphaned process leaves on its own."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
