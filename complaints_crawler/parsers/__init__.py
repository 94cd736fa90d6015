"""Pure page parsers, one module per site plus the shared forum engine.

`page_parser(site)` gives the function `complaints parse` and `complaints import` use for a saved page:
`(url, html) -> ParsedPage`; the site registry (complaints_crawler.sites) says which it is.
"""

from __future__ import annotations

from complaints_crawler.sites import PageParser, site


def page_parser(name: str) -> PageParser:
    return site(name).page_parser()
