"""`complaints browse`: a SQLite archive served read-only by Datasette, with the archive's metadata.

Served immutable (Datasette counts once, caches, never writes); an archive with un-checkpointed writes in
its -wal file (a crawl is writing) is served read-only but not immutable, so those rows show.
"""

from __future__ import annotations

import os
import socket
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
    live = _may_change(path)
    datasette = Datasette(
        files=[str(path)] if live else [],
        immutables=[] if live else [str(path)],
        metadata=metadata(name),
        settings=SETTINGS,
        cors=False,
    )
    return datasette, name


def _may_change(path: Path) -> bool:
    """A WAL-mode file is an archive a crawl may write while it is served (every crawl archive is one); only a
    file in rollback mode, as `complaints export --format sqlite` writes it, is served as immutable. The file's
    header says which (bytes 18 and 19 are 2 in WAL mode), whatever is running at the moment browse starts."""
    with path.open("rb") as file:
        header = file.read(20)
    return len(header) < 20 or header[18] == 2 or header[19] == 2


def serve(url: str, host: str, port: int) -> None:
    import asyncio

    import uvicorn

    datasette, name = datasette_for(url)
    _require_free(host, port)
    asyncio.run(datasette.invoke_startup())
    print(f"serving {name} read-only at http://{host}:{port}/{name} (Ctrl-C stops)", flush=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")


def _require_free(host: str, port: int) -> None:
    """A port taken by another server is one line (exit 1), not a "serving" line and then uvicorn's error."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        why = os.strerror(error.errno) if error.errno else str(error)
        raise ReadingError(f"cannot serve on {host}:{port}: {why}") from None
