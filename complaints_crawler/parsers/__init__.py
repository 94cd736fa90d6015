"""Pure page parsers, one module per site plus the shared forum engine.

`page_parser(site)` gives the function `complaints parse` and `complaints import` use for a saved page:
`(url, html) -> ParsedPage`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from complaints_crawler.parsers.base import ParsedPage

SITES = ("bbb", "consumercomplaints", "complaintsboard")

PageParser = Callable[[str, str], ParsedPage]


def page_parser(site: str) -> PageParser:
    if site not in SITES:
        raise ValueError(f"unknown site {site!r}; expected one of: {', '.join(SITES)}")
    return import_module(f"complaints_crawler.parsers.{site}").parse_page  # type: ignore[no-any-return]
