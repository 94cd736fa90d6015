"""Optional browser impersonation for sites behind bot protection (BBB is behind Cloudflare).

Cloudflare tells Twisted's TLS and HTTP fingerprints from a browser's. With `IMPERSONATE_BROWSER` set to a
curl_cffi browser name ("chrome", "firefox", "safari", …), this add-on has every request downloaded by
scrapy-impersonate with that browser's fingerprints. Off by default; it needs the `impersonate` extra
(`pip install -e ".[impersonate]"`). The User-Agent header stays `USER_AGENT`: the crawler keeps saying
who it is unless that setting is changed too.
"""

from __future__ import annotations

import importlib.util
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

HANDLER = "scrapy_impersonate.ImpersonateDownloadHandler"

log = logging.getLogger(__name__)


class Impersonation:
    """Scrapy add-on: routes http and https through scrapy-impersonate when IMPERSONATE_BROWSER is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("IMPERSONATE_BROWSER"):
            return
        require_scrapy_impersonate(settings)
        settings.set(
            "DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"), "http": HANDLER, "https": HANDLER}, "addon"
        )
        # Early (low number): the browser is chosen before any other middleware sees the request.
        settings["DOWNLOADER_MIDDLEWARES"][BrowserMiddleware] = 10


def require_scrapy_impersonate(settings: BaseSettings) -> None:
    """Refuse IMPERSONATE_BROWSER without scrapy-impersonate (crawling unprotected would only get blocked) and a
    browser name curl_cffi does not know (every request would fail, retried for nothing)."""
    browser = settings.get("IMPERSONATE_BROWSER")
    if not browser:
        return
    if importlib.util.find_spec("scrapy_impersonate") is None:
        raise UsageError(
            f"IMPERSONATE_BROWSER={browser} needs scrapy-impersonate, which is not installed: "
            'pip install -e ".[impersonate]"',
            print_help=False,
        )
    known = browser_names()
    if browser not in known:
        families = sorted(name for name in known if name.isalpha())
        raise UsageError(
            f"IMPERSONATE_BROWSER={browser} is not a browser curl_cffi can impersonate; use one of "
            f"{', '.join(families)} (or a versioned name such as chrome131)",
            print_help=False,
        )


def browser_names() -> set[str]:
    """The names curl_cffi accepts: its versioned browsers and the families its DEFAULT_* constants name."""
    from curl_cffi.requests import impersonate

    names = {browser.value for browser in impersonate.BrowserType}
    return names | {name.removeprefix("DEFAULT_").lower() for name in dir(impersonate) if name.startswith("DEFAULT_")}


class BrowserMiddleware:
    """Marks each request with the browser to impersonate (scrapy-impersonate reads `meta["impersonate"]`)."""

    def __init__(self, browser: str):
        self.browser = browser

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserMiddleware:
        browser = crawler.settings["IMPERSONATE_BROWSER"]
        log.info("downloading with the TLS and HTTP fingerprints of %s (scrapy-impersonate)", browser)
        return cls(browser)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("impersonate", self.browser)
