"""The sites complaints-crawler knows, each declared once.

Everything that lists the sites derives from `SITES`: the spiders' names, live hosts and base-URL settings,
the page parsers `complaints parse` and `complaints import` use, the CLI's `--site` choices, the demo's
crawls, the scripts and languages the spam filter expects. Adding a site is one entry here, a `Source`
member (the items' type), a parser, a thin spider, fixture pages and a test: see docs/adding-a-site.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator

from complaints_crawler.items import Source

if TYPE_CHECKING:
    from complaints_crawler.parsers.base import ParsedPage

PageParser = Callable[[str, str], "ParsedPage"]


@dataclass(frozen=True)
class Site:
    source: Source
    live_origin: str  # where the live site is; items always carry URLs on this origin
    live_hosts: tuple[str, ...]
    parser: str  # "module:function" turning (url, html) into a ParsedPage, for saved pages of any kind
    cards_per_page: int  # complaints on a full listing page
    scripts: tuple[str, ...]  # writing systems the site's complaints use (spam filter evidence)
    languages: tuple[str, ...]  # ISO 639-1 codes of the languages the site's complaints are written in
    example_company: str  # shown in error messages
    # Crawls `complaints demo` runs against the bundled fixture site: spider arguments.
    demo_targets: tuple[Mapping[str, str], ...] = field(default=())

    @property
    def name(self) -> str:
        """The spider's name, the `--site` value and the `source` column."""
        return self.source.value

    @property
    def base_url_setting(self) -> str:
        """The Scrapy setting that moves the spider to another origin (the fixture site in tests)."""
        return f"{self.name.upper()}_BASE_URL"

    def page_parser(self) -> PageParser:
        module, _, function = self.parser.partition(":")
        parser: PageParser = getattr(import_module(module), function)
        return parser


SITES: dict[str, Site] = {
    site.name: site
    for site in (
        Site(
            source=Source.BBB,
            live_origin="https://www.bbb.org",
            live_hosts=("www.bbb.org", "bbb.org"),
            parser="complaints_crawler.parsers.bbb:parse_page",
            cards_per_page=10,
            scripts=("Latin",),
            languages=("en",),
            example_company="microsoft",
            demo_targets=({"company": "microsoft"}, {"company": "charter spectrum"}),
        ),
        Site(
            source=Source.CONSUMERCOMPLAINTS,
            live_origin="https://www.consumercomplaints.in",
            live_hosts=("www.consumercomplaints.in", "consumercomplaints.in"),
            parser="complaints_crawler.parsers.consumercomplaints:parse_page",
            cards_per_page=20,
            scripts=("Latin", "Devanagari"),
            languages=("en", "hi"),
            example_company="xiaomi-india-b106391",
            demo_targets=(
                {"company": "xiaomi-india-b106391", "start_page": "75"},
                {"company": "octopus-alipay-topup-b990001"},
            ),
        ),
        Site(
            source=Source.COMPLAINTSBOARD,
            live_origin="https://www.complaintsboard.com",
            live_hosts=("www.complaintsboard.com", "complaintsboard.com"),
            parser="complaints_crawler.parsers.complaintsboard:parse_page",
            cards_per_page=20,
            scripts=("Latin", "Devanagari"),
            languages=("en", "hi"),
            example_company="xiaomi-b128703",
            demo_targets=({"company": "xiaomi-b128703"},),
        ),
    )
}

if set(SITES) != {source.value for source in Source}:  # pragma: no cover - a registry edit left half done
    raise RuntimeError("every Source needs exactly one entry in complaints_crawler.sites.SITES")


class UnknownSite(ValueError):
    pass


def site(name: str) -> Site:
    try:
        return SITES[name]
    except KeyError:
        raise UnknownSite(f"unknown site {name!r}; expected one of: {', '.join(SITES)}") from None


def _registered(name: str) -> str:
    site(name)  # an UnknownSite (a ValueError) names the registered sites
    return name


# A site name in a targets file or an import: one of the registry's, checked where it is read.
SiteName = Annotated[str, AfterValidator(_registered)]
