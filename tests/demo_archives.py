"""The demo archive (`complaints demo`: real spiders against the fixture site) on either back-end, for the
reading tests. Ids depend on the order concurrent crawls write in: tests name complaints by natural key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import postgres_schema
from crawling import complaints_cli

from complaints_crawler.archive import database


@contextmanager
def demo_archive(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        _crawl(url)
        yield url
        return
    with postgres_schema() as url:
        database.upgrade(url)  # PostgreSQL archives are never created by a crawl
        _crawl(url)
        yield url


def _crawl(url: str) -> None:
    done = complaints_cli("demo", "--archive", url)
    assert done.returncode == 0, done.stderr[-2000:]
