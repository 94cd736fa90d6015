"""The items every spider yields and every pipeline consumes (pydantic v2).

Spiders only collect; these models are the contract: dates are dates, kinds and verdicts are enums,
required text is non-blank, unknown fields are rejected, and assignment is validated, so an item that
exists is a valid item.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr


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


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


# Text is kept verbatim (no stripping): masks and paragraphs are part of what was published.
NonBlank = Annotated[str, AfterValidator(_not_blank)]
Count = Annotated[int, Field(ge=0)]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class BusinessRef(_Item):
    """Who a complaint is about: enough to find or create the `businesses` row."""

    source: Source
    external_id: NonBlank
    name: NonBlank
    url: str | None = None


class Business(_Item):
    source: Source
    external_id: NonBlank
    name: NonBlank
    url: str | None = None
    category: str | None = None
    accredited: bool | None = None
    rating: str | None = None
    location: str | None = None
    complaints_total: Count | None = None
    complaints_closed_3y: Count | None = None
    complaints_closed_12m: Count | None = None
    resolved_count: Count | None = None
    unresolved_count: Count | None = None
    scraped_at: datetime = Field(default_factory=utc_now)

    def ref(self) -> BusinessRef:
        return BusinessRef(source=self.source, external_id=self.external_id, name=self.name, url=self.url)


class Response(_Item):
    """One entry of a thread after the initial complaint, in page order (position 1, 2, …)."""

    position: Annotated[int, Field(ge=1)]
    kind: ResponseKind
    author: str | None = None
    posted_on: date | None = None
    text: NonBlank
    verdict: Verdict | None = None


class Complaint(_Item):
    source: Source
    external_id: NonBlank
    url: str | None = None
    business: BusinessRef
    title: str | None = None
    filed_on: date | None = None
    complaint_type: str | None = None
    status: str | None = None
    author: str | None = None
    author_location: str | None = None
    address: str | None = None  # the forum sites' "Address: …" line
    text: NonBlank
    responses: list[Response] = Field(default_factory=list)
    photos_count: Count = 0
    comments_count: Count = 0
    helpful_count: Count = 0
    scraped_at: datetime = Field(default_factory=utc_now)

    # What the pipelines derive on the way (normalized texts, hashes); never part of the published item.
    _derived: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.source.value, self.external_id)
