"""Values printed on a page (counts, links), read without raising: an odd value is None, never an exception."""

from __future__ import annotations

from urllib.parse import urljoin

# The archive stores counts as 64-bit integers; a longer number printed on a page is not a count.
MAX_COUNT_DIGITS = 18


def parse_count(text: str) -> int | None:
    """"6,148" -> 6148; None for text without digits or a number too long to be a count."""
    digits = text.replace(",", "").strip()
    if not digits or len(digits) > MAX_COUNT_DIGITS or not digits.isdecimal():
        return None
    return int(digits)


def join_url(base: str, link: str) -> str | None:
    """`link` resolved against `base`; None when it cannot be a URL ("http://[oops")."""
    try:
        return urljoin(base, link)
    except ValueError:
        return None
