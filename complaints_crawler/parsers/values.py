"""Values printed on a page (counts, links), read without raising: an odd value is None, never an exception."""

from __future__ import annotations

from urllib.parse import urljoin

from complaints_crawler.items import INT32_MAX

_MAX_DIGITS = len(str(INT32_MAX))


def parse_count(text: str) -> int | None:
    """ "6,148" -> 6148; None for text without digits or a number larger than the archive's counts hold
    (a misread number: it must not cost the card its item)."""
    digits = text.replace(",", "").strip()
    if not digits or len(digits) > _MAX_DIGITS or not digits.isdecimal():
        return None
    count = int(digits)
    return count if count <= INT32_MAX else None


def join_url(base: str, link: str) -> str | None:
    """`link` resolved against `base`; None when it cannot be a URL ("http://[oops")."""
    try:
        return urljoin(base, link)
    except ValueError:
        return None
