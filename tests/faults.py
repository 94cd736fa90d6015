"""A fixture site that misbehaves on purpose: the local copy of a site, with faults on chosen paths.

    with faulty_site("bbb", {"/…/complaints?page=2": Fault("truncate")}) as site:
        …crawl against site.base_url…

Faults, as a live site or a network produces them:
- `truncate`: half the page, with a Content-Length that honestly says half (HTTP sees nothing wrong);
- `reset`: the connection is closed before any answer;
- `stall`: nothing is sent for `seconds`, then the page;
- `status`: the page with another status (500, 429, 503…) and optional headers (`Retry-After`);
A fault applies to the first `times` requests of its path (all of them when `times` is None).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from complaints_crawler.fixture_site import CONTENT_TYPES, resolve
from complaints_crawler.paths import FIXTURE_SITES_DIR


@dataclass
class Fault:
    kind: str  # truncate | reset | stall | status
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    times: int | None = None  # None: every request of the path


@dataclass
class FaultySite:
    name: str
    faults: dict[str, Fault]
    roots: list[Path]
    requests: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # when each request arrived (time.monotonic())
    base_url: str = ""


@contextmanager
def faulty_site(name: str, faults: dict[str, Fault], overlays: tuple[Path, ...] = ()) -> Iterator[FaultySite]:
    site = FaultySite(name, faults, [*(o / name for o in overlays if (o / name).is_dir()), FIXTURE_SITES_DIR / name])
    seen: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                site.requests.append(self.path)
                site.times.append(time.monotonic())
                seen[self.path] = seen.get(self.path, 0) + 1
                count = seen[self.path]
            fault = site.faults.get(self.path)
            if fault is not None and fault.times is not None and count > fault.times:
                fault = None
            split = urlsplit(self.path)
            match = resolve(site.roots, split.path, split.query)
            body = match.path.read_bytes() if match else b"<html><body>404</body></html>"
            status = match.status if match else 404
            content_type = CONTENT_TYPES.get(match.path.suffix if match else ".html", "text/html")
            headers: dict[str, str] = {}
            if fault is not None:
                if fault.kind == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                if fault.kind == "stall":
                    time.sleep(fault.seconds)
                if fault.kind == "truncate":
                    body = body[: len(body) // 2]
                if fault.kind == "status":
                    status, headers = fault.status, fault.headers
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for header, value in headers.items():
                self.send_header(header, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the crawler gave up waiting (a stall)
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
