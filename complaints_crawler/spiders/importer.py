"""`import`: archive pages saved in a browser, through the same parser and pipelines as a crawl.

    scrapy crawl import -a site=bbb -a files=page1.html,page2.html[,folder]
    complaints import --site bbb FILE…              (the CLI's wrapper)

For users whom a site's bot protection blocks: open the complaints pages in a browser, save them, import
them. A `.jsonl` file is what a crawl could not archive (its archive refused the writes): its items go
through the pipelines again. The files are read as `file://` requests through the engine, so the
downloader middlewares, the spider middlewares and every item pipeline see them as they see crawled
pages. A folder stands for its `*.html` / `*.htm` / `*.jsonl` files. The page's live URL is taken from
`-a url=` (one file only), else from the saved page (the browser's "saved from url" comment,
`<link rel="canonical">`, `og:url`), else the parser falls back to the site's live origin. A file that
yields no complaint and no card is quarantined as `parse_error`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from scrapy.http import Response

from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.parsers import page_parser
from complaints_crawler.parsers.base import ParsedPage
from complaints_crawler.parsers.bbb import is_challenge_page
from complaints_crawler.quarantine import QuarantineKind
from complaints_crawler.sites import SiteName
from complaints_crawler.spiders.base import ComplaintsSpider, snippet

PAGE_SUFFIXES = (".html", ".htm")
SPILL_SUFFIX = ".jsonl"  # items a crawl could not archive (pipelines/archive.py)
SPILLED_KINDS = frozenset({"business", "complaint", "quarantine"})
# Where a browser or the page itself says which URL a saved page came from, most specific first.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_CANONICAL = re.compile(r"<link\b(?=[^>]*\brel=[\"']canonical[\"'])[^>]*\bhref=[\"']([^\"']+)[\"']", re.I)
_OG_URL = re.compile(r"<meta\b(?=[^>]*\bproperty=[\"']og:url[\"'])[^>]*\bcontent=[\"']([^\"']+)[\"']", re.I)
_HEAD_CHARS = 50_000


class ImportArguments(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    site: SiteName
    files: list[str] = Field(min_length=1)
    url: str | None = None

    @field_validator("files", mode="before")
    @classmethod
    def _split(cls, files: Any) -> Any:
        return [f.strip() for f in files.split(",") if f.strip()] if isinstance(files, str) else files

    @model_validator(mode="after")
    def _url_for_one_file(self) -> ImportArguments:
        if self.url and len(self.files) != 1:
            raise ValueError("-a url= names the live URL of one file; give it with a single file")
        return self


def saved_page_url(html: str) -> str | None:
    """The live URL a saved page says it came from, if it says so."""
    head = html[:_HEAD_CHARS]
    for pattern in (_SAVED_FROM, _CANONICAL, _OG_URL):
        match = pattern.search(head)
        if match and match.group(1).startswith(("http://", "https://")):
            return match.group(1)
    return None


def expand_paths(names: list[str]) -> tuple[list[Path], list[str]]:
    """The page files named (folders expanded to their pages, sorted), and the names that do not exist."""
    found: list[Path] = []
    missing: list[str] = []
    for name in names:
        path = Path(name).expanduser()
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (*PAGE_SUFFIXES, SPILL_SUFFIX))
            )
        elif path.is_file():
            found.append(path)
        else:
            missing.append(name)
    return found, missing


class ImportSpider(ComplaintsSpider):
    name = "import"
    arguments_model: ClassVar[type[BaseModel]] = ImportArguments
    # Local files: no robots.txt, no politeness delay.
    custom_settings: dict[str, Any] | None = {
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
    }

    def live_url(self, url: str) -> str:
        return url  # a saved file's URL: fetched from no origin of a site

    def first_requests(self) -> Iterator[scrapy.Request]:
        paths, missing = expand_paths(self.args.files)
        if missing:
            self.close_with(FinishReason.INVALID_ARGUMENTS, f"-a files: no such file or folder: {', '.join(missing)}")
        if not paths:
            self.close_with(
                FinishReason.INVALID_ARGUMENTS,
                f"-a files: no saved pages ({'/'.join((*PAGE_SUFFIXES, SPILL_SUFFIX))}) in {self.args.files}",
            )
        self.logger.info("importing %d saved %s page(s)", len(paths), self.args.site)
        for path in paths:
            if path.suffix.lower() == SPILL_SUFFIX:
                yield scrapy.Request(
                    path.resolve().as_uri(),
                    callback=self.parse_spilled,
                    dont_filter=True,
                    meta={"skip_spam_check": True},
                )  # items, not a page
            else:
                yield scrapy.Request(path.resolve().as_uri(), callback=self.parse_saved, dont_filter=True)

    def parse_spilled(self, response: Response) -> Iterator[dict[str, Any]]:
        """The items of a crawl's unarchived file, one JSON object a line, back through the pipelines."""
        self.crawler.stats.inc_value("import/files")
        for number, line in enumerate(self.text_of(response).splitlines(), 1):
            if not line.strip():
                continue
            try:
                [(kind, record)] = json.loads(line).items()
                if kind not in SPILLED_KINDS or not isinstance(record, dict):
                    raise ValueError(f"expected one of {sorted(SPILLED_KINDS)} with an object")
                if kind == "quarantine":
                    self.quarantine(
                        QuarantineKind(record["kind"]),
                        record["reason"],
                        url=record.get("url"),
                        score=record.get("score"),
                        details=record.get("details"),
                    )
                    continue
            except (ValueError, KeyError, AttributeError, RecursionError) as error:  # not JSON (or nested past the
                # parser's depth), not one key, an unknown kind
                self.quarantine(
                    QuarantineKind.PARSE_ERROR,
                    f"line {number} of {response.url} is no spilled item: {error}",
                    url=response.url,
                    details={"line": line[:2000]},
                )
                continue
            self.crawler.stats.inc_value(f"import/{kind}")
            yield record  # validated, like every item, by the validate pipeline

    def parse_saved(self, response: Response) -> Iterator[BaseModel]:
        html = self.text_of(response)
        url = self.args.url or saved_page_url(html) or response.url
        page = page_parser(self.args.site)(url, html)
        self.crawler.stats.inc_value("import/files")
        if page.card_count == 0 and page.business is not None:
            # A profile page, or a business without complaints: its rating and totals are worth keeping.
            self.logger.warning(
                "%s: no complaint on the page; the business %s is archived", response.url, page.business.name
            )
            yield page.business
            return
        if page.card_count == 0:
            challenge = self.args.site == "bbb" and is_challenge_page(200, html)
            self.quarantine(
                QuarantineKind.PARSE_ERROR,
                "saved page holds a bot-protection challenge, not complaints: save the page again once it shows them"
                if challenge
                else f"no complaint could be read from the saved {self.args.site} page",
                url=response.url,
                details={
                    "file": response.url,
                    "page_url": url,
                    "site_data": page.has_site_data,
                    "snippet": snippet(html),
                },
            )
            return
        self.crawler.stats.inc_value("import/complaints", len(page.complaints))
        self.logger.info(
            "%s: %d complaints, %d unreadable cards", response.url, len(page.complaints), len(page.failures)
        )
        if page.permalinks_to_fetch:
            self.logger.warning(
                "%s: %d complaints are cut on this page; save their own pages and import those too",
                response.url,
                len(page.permalinks_to_fetch),
            )
        yield from self.emit(page)

    def emit(self, page: ParsedPage) -> Iterator[BaseModel]:
        self.quarantine_failures(page)
        if page.business is not None:
            yield page.business
        yield from page.complaints
