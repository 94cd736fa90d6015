"""Is a run whose row says "running" still running? Its process may have been killed without a word."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from complaints_crawler.items import utc_now


def run_is_gone(row: Any, host: str, stale_before: datetime) -> bool:
    """On this host, a run whose pid no longer runs; elsewhere, one with no heartbeat since `stale_before`.
    `row` has host, pid, heartbeat_at and started_at."""
    if row.host == host and row.pid:
        return not _pid_alive(row.pid)
    last_sign = row.heartbeat_at or row.started_at
    if last_sign.tzinfo is None:  # SQLite returns naive UTC timestamps
        stale_before = stale_before.replace(tzinfo=None)
    return bool(last_sign < stale_before)


def gone_before(stale_after: timedelta) -> tuple[str, datetime]:
    """(this host, the moment before which another host's silent run counts as gone)."""
    return socket.gethostname()[:255], utc_now() - stale_after


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
