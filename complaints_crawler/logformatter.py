"""Log lines that say what happened without dumping whole items into the log."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


class LogFormatter(logformatter.LogFormatter):
    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Any = None
    ) -> logformatter.LogFormatterResult:
        # Every drop is counted in the stats and, when it is bad input, quarantined with the item itself;
        # the log only needs the reason. Repeats and spam are expected, so INFO, not WARNING.
        return {"level": logging.INFO, "msg": "Dropped: %(reason)s", "args": {"reason": str(exception)}}
