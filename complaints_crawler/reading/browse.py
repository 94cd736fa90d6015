"""`complaints browse`: a SQLite archive served read-only by Datasette, with the archive's metadata.

Served immutable (Datasette counts once, caches, never writes); an archive with un-checkpointed writes in
its -wal file (a crawl is writing) is served read-only but not immutable, so those rows show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from complaints_crawler.reading.archive import ReadingError, open_for_reading, sqlite_path
from complaints_crawler.reading.browse_metadata import metadata

SETTINGS = {"sql_time_limit_ms": 5000, "default_page_size": 50, "facet_time_limit_ms": 500}


def datasette_for(url: str) -> tuple[Any, str]:
    """A Datasette instance on the archive, and the name it serves it under."""
    try:
        from datasette.app import Datasette
    except ImportError:
        raise ReadingError("browsing needs Datasette: pip install 'complaints-crawler[reading]'") from None
    path = sqlite_path(url)
    if path is None:
        raise ReadingError(
            "browse serves SQLite archives: export a PostgreSQL archive first with "
            "`complaints export --format sqlite --out FILE`, then `complaints browse FILE`"
        )
    open_for_reading(url).dispose()  # it exists, it is an archive at this code's revision
    name = path.stem
    live = _has_pending_writes(path)
    datasette = Datasette(
        files=[str(path)] if live else [],
        immutables=[] if live else [str(path)],
        metadata=metadata(name),
        settings=SETTINGS,
        cors=False,
    )
    return datasette, name


def _has_pending_writes(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def serve(url: str, host: str, port: int) -> None:
    import asyncio

    import uvicorn

    datasette, name = datasette_for(url)
    asyncio.run(datasette.invoke_startup())
    print(f"serving {name} read-only at http://{host}:{port}/{name} (Ctrl-C stops)", flush=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
