"""Shared fixtures: archives on both back-ends, the seeds, the local fixture site."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from constants import IN_CI, PG_URL, SEEDS

from complaints_crawler.fixture_site import FixtureSite, serve_sites


def postgres_unreachable_reason() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {PG_URL} is unreachable: {str(error).strip().splitlines()[0]}"


def require_postgres() -> str:
    """Skips when no server answers, except in CI, where it fails."""
    reason = postgres_unreachable_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)")
        pytest.skip(reason)
    return PG_URL


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL on a new, empty schema of the test database, dropped afterwards: tests (and two test runs at
    once) never see each other's tables, and nothing outside the schema is touched."""
    url = require_postgres()  # skips (or fails in CI) before psycopg is needed
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty archive database on each back-end (not yet migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def seeds_dir() -> Path:
    folder = SEEDS
    if not folder.is_dir():
        pytest.skip("the seeds folder ../shared/seeds is absent")
    return folder


@pytest.fixture
def fixture_sites() -> Iterator[dict[str, FixtureSite]]:
    with serve_sites() as sites:
        yield sites
