"""A local copy of the live sites, served over real HTTP for tests and `complaints demo`.

Each site folder under `complaints_crawler/fixture_sites/` gets its own origin (so it keeps its own robots.txt); the
URL-to-file rules are in `complaints_crawler/fixture_sites/README.md`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from complaints_crawler.paths import FIXTURE_SITES_DIR

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Match:
    path: Path
    status: int


def resolve(roots: Sequence[Path], url_path: str, query: str) -> Match | None:
    """The file answering `url_path?query`: the index naming the most of the query's parameters, in any
    root; on a tie, the earlier root (an overlay) wins."""
    relative = unquote(url_path).strip("/")
    if ".." in relative.split("/"):
        return None
    asked = set(parse_qsl(query, keep_blank_values=True))
    best: tuple[int, Match] | None = None
    for root in roots:
        target = root / relative if relative else root
        if target.is_file():
            return Match(target, 200)
        if target.is_dir():
            found = _best_index(target, asked)
            if found and (best is None or found[0] > best[0]):
                best = found
    return best[1] if best else None


def _best_index(folder: Path, asked: set[tuple[str, str]]) -> tuple[int, Match] | None:
    best: tuple[int, Match] | None = None
    for candidate in sorted(folder.iterdir()):
        parsed = _parse_index_name(candidate.name)
        if parsed is None or not candidate.is_file():
            continue
        wanted, status = parsed
        if wanted <= asked and (best is None or len(wanted) > best[0]):
            best = (len(wanted), Match(candidate, status))
    return best


def _parse_index_name(name: str) -> tuple[set[tuple[str, str]], int] | None:
    """`index@page=2.403.html` -> ({("page", "2")}, 403); None for files that are not index files."""
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension}" not in CONTENT_TYPES:
        return None
    status = 200
    head, dot, last = stem.rpartition(".")
    if dot and last.isdigit() and len(last) == 3:
        stem, status = head, int(last)
    base, _, query = stem.partition("@")
    if base != "index":
        return None
    return set(parse_qsl(query, keep_blank_values=True)), status


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a crawl that opens a few connections at once overflows it, and each
    # dropped connection costs the crawler a 1 s SYN retransmission.
    request_queue_size = 128


@dataclass
class FixtureSite:
    """One site on its own local origin; `requests` records every path asked, in order, `headers` their headers
    and `times` when each arrived (time.monotonic())."""

    roots: list[Path]
    host: str = "127.0.0.1"
    requests: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # the three lists stay aligned
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> str:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site._lock:
                    site.times.append(time.monotonic())
                    site.requests.append(self.path)
                    site.headers.append({name.lower(): value for name, value in self.headers.items()})
                split = urlsplit(self.path)
                match = resolve(site.roots, split.path, split.query)
                if match is None:
                    self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", ".html")
                    return
                self._send(match.status, match.path.read_bytes(), match.path.suffix)

            def _send(self, status: int, body: bytes, suffix: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", CONTENT_TYPES.get(suffix, "application/octet-stream"))
                self.send_header("Content-Length", str(len(body)))
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the crawl's own log says what was fetched

        self._server = _Server((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def available_sites(root: Path = FIXTURE_SITES_DIR) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir())


@contextmanager
def serve_sites(
    sites: Sequence[str] | None = None, overlays: Sequence[Path] = (), root: Path = FIXTURE_SITES_DIR
) -> Iterator[dict[str, FixtureSite]]:
    """Start one local origin per site (overlay folders first); stop them all on exit."""
    running: dict[str, FixtureSite] = {}
    try:
        for name in sites or available_sites(root):
            roots = [o / name for o in overlays if (o / name).is_dir()] + [root / name]
            running[name] = FixtureSite(roots)
            running[name].start()
        yield running
    finally:
        for site in running.values():
            site.stop()
