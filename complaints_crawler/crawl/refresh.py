"""Full sweep or incremental run: what a crawl of a target reads, decided from what the archive remembers.

A target (a spider and a company, as `-a company` / `-a location` name it) that has finished a run before is
refreshed incrementally: its listing URL is taken from the archive (no search or sitemap request), and its
pagination stops at the first page whose complaints are all archived, unchanged, and filed before the refresh
window (`REFRESH_WINDOW_DAYS`): younger threads can still change and are read again. A full sweep reads every
page: on the target's first run, with `-a full=true` (`complaints crawl --full`), and by itself when the last
full sweep is older than `FULL_SWEEP_DAYS`, so that late changes to old threads are found too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from complaints_crawler.archive.database import ArchiveSchemaError, archive_url, open_archive, reading
from complaints_crawler.archive.targets import KnownComplaint, TargetState, known_complaints, load_target, target_key
from complaints_crawler.items import utc_now

log = logging.getLogger(__name__)

FULL, INCREMENTAL = "full", "incremental"
Lookup = Callable[[str, Iterable[str]], dict[str, KnownComplaint]]


def _nothing_known(source: str, external_ids: Iterable[str]) -> dict[str, KnownComplaint]:
    return {}


@dataclass(frozen=True)
class RefreshPlan:
    mode: str  # FULL or INCREMENTAL
    why: str
    listing_url: str | None = None  # remembered by the archive
    window_days: int = 60
    today: date = field(default_factory=lambda: utc_now().date())
    known: Lookup = _nothing_known  # what the archive holds of a page's complaints (incremental runs only)

    @classmethod
    def full(cls, why: str, **kwargs: Any) -> RefreshPlan:
        return cls(FULL, why, **kwargs)

    @property
    def incremental(self) -> bool:
        return self.mode == INCREMENTAL

    def settled(self, filed_on: date | None) -> bool:
        """Whether a complaint filed then is before the refresh window, the last `window_days` days (its thread
        is not expected to change)."""
        return filed_on is not None and filed_on <= self.today - timedelta(days=self.window_days)


def decide(state: TargetState | None, *, full_asked: bool, now: datetime, full_sweep_days: int) -> tuple[str, str]:
    """(mode, why) for a target in `state`."""
    if full_asked:
        return FULL, "a full sweep was asked for (-a full=true)"
    if state is None or state.last_finished_at is None:
        return FULL, "first run of this target to finish"
    if state.last_full_sweep_at is None:
        return FULL, "no full sweep of this target has finished yet"
    age = now - _aware(state.last_full_sweep_at)
    if age > timedelta(days=full_sweep_days):
        return FULL, f"the last full sweep is {age.days} days old (FULL_SWEEP_DAYS={full_sweep_days})"
    return INCREMENTAL, f"the last full sweep is {age.days} days old; reading until known, settled complaints"


def plan_for_crawl(crawler: Crawler, spider: str, args: Any) -> RefreshPlan:
    """The plan of a crawl whose arguments are `args` (with `company`, `location`, `full`), read from its archive."""
    settings = crawler.settings
    window = settings.getint("REFRESH_WINDOW_DAYS")
    if "complaints_crawler.pipelines.archive.ArchivePipeline" not in settings.getdict("ITEM_PIPELINES"):
        return RefreshPlan.full("no archive pipeline: nothing is remembered", window_days=window)
    engine: Engine | None = None
    try:
        engine = open_archive(archive_url(settings.get("ARCHIVE_URL")), create=False)
        with reading(engine) as conn:
            state = load_target(conn, spider, target_key(args.company, getattr(args, "location", None)))
    except (ArchiveSchemaError, SQLAlchemyError) as error:
        if engine is not None:
            engine.dispose()
        log.warning("the archive cannot say what this target's earlier runs found (%s): a full sweep", error)
        return RefreshPlan.full("the archive could not be read", window_days=window)
    mode, why = decide(
        state,
        full_asked=bool(getattr(args, "full", False)),
        now=utc_now(),
        full_sweep_days=settings.getint("FULL_SWEEP_DAYS"),
    )
    remembered = state.listing_url if state is not None else None
    crawler.signals.connect(engine.dispose, signal=signals.spider_closed)
    lookup = _lookup(engine) if mode == INCREMENTAL else _nothing_known
    return RefreshPlan(mode, why, listing_url=remembered, window_days=window, known=lookup)


def _lookup(engine: Engine) -> Lookup:
    def known(source: str, external_ids: Iterable[str]) -> dict[str, KnownComplaint]:
        with reading(engine) as conn:
            return known_complaints(conn, source, external_ids)

    return known


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their UTC zone.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
