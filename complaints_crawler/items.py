"""The items every spider yields and every pipeline consumes (pydantic v2).

Spiders only collect; these models are the contract: dates are dates, kinds and verdicts are enums,
required text is non-blank, unknown fields are rejected, and assignment is validated, so an item that
exists is a valid item. They also hold what the archive's columns hold: no text carries a NUL byte or a
lone surrogate (neither can be stored; NULs are dropped, surrogates become U+FFFD), no string is longer than
its column, no integer beyond the column's range, and a thread's positions are distinct, so a valid item
is never refused by the archive.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

log = logging.getLogger(__name__)

INT32_MAX = 2**31 - 1  # the archive's integer columns
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Source(StrEnum):
    BBB = "bbb"
    CONSUMERCOMPLAINTS = "consumercomplaints"
    COMPLAINTSBOARD = "complaintsboard"


class ResponseKind(StrEnum):
    BUSINESS_RESPONSE = "business_response"
    CUSTOMER_ANSWER = "customer_answer"
    AUTHOR_UPDATE = "author_update"
    REPLY = "reply"
    COMMENT = "comment"
    STATUS_CHANGE = "status_change"


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def storable(value: Any) -> Any:
    """A string without what no archive column can hold: NUL bytes are dropped, lone surrogates (from a JSON
    escape such as "\\ud800") become U+FFFD. Anything else is left for the type check."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _total_or_none(value: Any) -> Any:
    # A site total beyond what the column holds is a misread number, not a reason to lose the business.
    if isinstance(value, int) and not isinstance(value, bool) and value > INT32_MAX:
        log.warning("a site total of %d is beyond what the archive stores; kept as NULL", value)
        return None
    return value


# Text is kept verbatim (no stripping): masks and paragraphs are part of what was published.
Text = Annotated[str, BeforeValidator(storable)]
NonBlank = Annotated[str, BeforeValidator(storable), AfterValidator(_not_blank)]
ExternalId = Annotated[str, Field(max_length=128), BeforeValidator(storable), AfterValidator(_not_blank)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
SiteTotal = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_total_or_none)]


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class BusinessRef(_Item):
    """Who a complaint is about: enough to find or create the `businesses` row."""

    source: Source
    external_id: ExternalId
    name: NonBlank
    url: Text | None = None


class Business(_Item):
    source: Source
    external_id: ExternalId
    name: NonBlank
    url: Text | None = None
    category: Text | None = None
    accredited: bool | None = None
    rating: Annotated[str, Field(max_length=16), BeforeValidator(storable)] | None = None
    location: Text | None = None
    complaints_total: SiteTotal = None
    complaints_closed_3y: SiteTotal = None
    complaints_closed_12m: SiteTotal = None
    resolved_count: SiteTotal = None
    unresolved_count: SiteTotal = None
    scraped_at: datetime = Field(default_factory=utc_now)

    def ref(self) -> BusinessRef:
        return BusinessRef(source=self.source, external_id=self.external_id, name=self.name, url=self.url)


class Response(_Item):
    """One entry of a thread after the initial complaint, in page order (position 1, 2, …)."""

    position: Annotated[int, Field(ge=1, le=INT32_MAX)]
    kind: ResponseKind
    author: Text | None = None
    posted_on: date | None = None
    text: NonBlank
    verdict: Verdict | None = None


class Complaint(_Item):
    source: Source
    external_id: ExternalId
    url: Text | None = None
    business: BusinessRef
    title: Text | None = None
    filed_on: date | None = None
    complaint_type: Text | None = None
    status: Annotated[str, Field(max_length=64), BeforeValidator(storable)] | None = None
    author: Text | None = None
    author_location: Text | None = None
    address: Text | None = None  # the forum sites' "Address: …" line
    text: NonBlank
    responses: list[Response] = Field(default_factory=list)
    photos_count: Count = 0
    comments_count: Count = 0
    helpful_count: Count = 0
    scraped_at: datetime = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _positions_are_distinct(self) -> Complaint:
        positions = [r.position for r in self.responses]
        if len(set(positions)) != len(positions):
            raise ValueError(f"thread positions repeat: {positions}")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return (self.source.value, self.external_id)


class SeenComplaint(_Item):
    """A complaint an incremental run saw unchanged on a listing page and did not fetch again: the archive only
    notes that it was seen (last_seen_at) and counts it unchanged."""

    source: Source
    external_id: ExternalId

    @property
    def key(self) -> tuple[str, str]:
        return (self.source.value, self.external_id)
