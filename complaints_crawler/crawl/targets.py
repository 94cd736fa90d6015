"""The targets file of `complaints crawl` and `complaints enqueue`: which companies to keep current, per site.

    [[target]]
    site = "bbb"
    company = "microsoft"
    location = "Redmond, WA"        # optional, and so are max_pages, since, start_page

    [[target]]
    site = "consumercomplaints"
    company = "xiaomi-india-b106391"

A file that names an unknown site, misses a company, has an unknown key or a bad value is refused whole,
before any request, with the line of the mistake.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from complaints_crawler.sites import SiteName

_TABLE = re.compile(r"^\s*\[\[\s*target\s*\]\]\s*(?:#.*)?$")


class TargetsFileError(ValueError):
    """A targets file that cannot be run; the message starts with FILE:LINE."""


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    site: SiteName
    company: str = Field(min_length=1)
    location: str | None = None
    max_pages: int | None = Field(default=None, ge=1)
    since: date | None = None
    start_page: int | None = Field(default=None, ge=1)
    line: int = Field(default=0, exclude=True)  # where the target starts in its file

    def arguments(self, *, full: bool = False) -> dict[str, str]:
        """The spider arguments (`-a name=value`) of this target."""
        values: dict[str, Any] = self.model_dump(exclude={"site", "line"}, exclude_none=True)
        if full:
            values["full"] = "true"
        return {name: str(value) for name, value in values.items()}

    @property
    def label(self) -> str:
        return f"{self.site}:{self.company}" + (f" ({self.location})" if self.location else "")


def read_targets(path: Path) -> list[Target]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise TargetsFileError(f"{path}: cannot read the targets file: {why}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"at line (\d+)", str(error))
        raise TargetsFileError(f"{path}:{where[1] if where else '?'}: not TOML: {error}") from None
    lines = text.splitlines()
    starts = [number for number, line in enumerate(lines, 1) if _TABLE.match(line)]
    unknown = sorted(set(document) - {"target"})
    if unknown:
        raise TargetsFileError(
            f"{path}:{_key_line(lines, unknown[0], 1, len(lines))}: unknown key {unknown[0]!r} "
            "(a targets file holds [[target]] tables only)"
        )
    entries = document.get("target", [])
    if not isinstance(entries, list) or not entries:
        raise TargetsFileError(f"{path}:1: no [[target]] table")
    targets = []
    for index, entry in enumerate(entries):
        start = starts[index] if index < len(starts) else 1
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(lines)
        try:
            targets.append(Target.model_validate({**entry, "line": start}))
        except ValidationError as error:
            first = error.errors()[0]
            key = str(first["loc"][0]) if first["loc"] else "target"
            problem = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
            line = _key_line(lines, key, start, end) if key in entry else start
            raise TargetsFileError(f"{path}:{line}: target {index + 1}, {key}: {problem}") from None
    return targets


def _key_line(lines: list[str], key: str, start: int, end: int) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(start, end + 1):
        if pattern.match(lines[number - 1]):
            return number
    return start
