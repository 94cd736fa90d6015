"""Shared fixtures: archives on both back-ends, the seeds, the local fixture site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaints_crawler.fixture_site import FixtureSite, serve_sites

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("COMPLAINTS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


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


def reset_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def require_postgres() -> str:
    """PG_URL on an empty schema; skips when no server answers, except in CI, where it fails."""
    reason = postgres_unreachable_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)")
        pytest.skip(reason)
    reset_postgres()
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty archive database on each back-end (not yet migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.db'}"
    return require_postgres()


@pytest.fixture
def seeds_dir() -> Path:
    folder = SHARED / "seeds"
    if not folder.is_dir():
        pytest.skip("the seeds folder ../shared/seeds is absent")
    return folder


@pytest.fixture
def fixture_sites() -> Iterator[dict[str, FixtureSite]]:
    with serve_sites() as sites:
        yield sites
