"""Running a real `scrapy crawl` against the local fixture site, as a user or a scheduler would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from complaints_crawler.demo import BASE_URL_SETTINGS
from complaints_crawler.fixture_site import FixtureSite

REPO = Path(__file__).resolve().parents[1]

# A local site needs no politeness delays, and block retries need no real backoff.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_TIMES": "0",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "INFO",
    "BLOCK_BACKOFF_BASE": "0.01",
    "BLOCK_BACKOFF_MAX": "0.05",
}


def scrapy_crawl(spider: str, site: FixtureSite, archive_url: str, *arguments: str, cwd: Path = REPO,
                 env: dict[str, str] | None = None, **settings: str) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl SPIDER -a ARGUMENT…` against `site`, into `archive_url`; exit code and output."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for argument in arguments:
        command += ["-a", argument]
    for name, value in {BASE_URL_SETTINGS[spider]: site.base_url, "ARCHIVE_URL": archive_url, **FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)


def complaints_cli(*arguments: str, cwd: Path = REPO, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "complaints_crawler.cli", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
