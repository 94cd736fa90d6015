"""First stage: only valid `Business` / `Complaint` items go on; anything else is quarantined with the error."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from complaints_crawler.items import Business, Complaint
from complaints_crawler.quarantine import QuarantineKind, quarantine


class ValidatePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Business | Complaint:
        try:
            valid = to_item(item)
        except (ValidationError, TypeError) as error:
            self.stats.inc_value("validate/invalid")
            url = item.get("url") if isinstance(item, dict) else None
            quarantine(self.crawler, QuarantineKind.INVALID_ITEM, _one_line(error), url=url,
                       details={"item": _jsonable(item)})
            raise DropItem(f"invalid item: {_one_line(error)}") from error
        self.stats.inc_value(f"validate/{type(valid).__name__.lower()}")
        return valid


def to_item(item: Any) -> Business | Complaint:
    """The item as a model. Models are re-validated: assignment validation can be bypassed by model_construct."""
    if isinstance(item, BaseModel):
        item = item.model_dump()
    if not isinstance(item, dict):
        raise TypeError(f"expected a Business or Complaint, got {type(item).__name__}")
    model = Complaint if "business" in item else Business
    return model.model_validate(item)


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in error.errors())
    return str(error)


def _jsonable(item: Any) -> Any:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json")
    if isinstance(item, dict):
        return {str(k): _jsonable(v) for k, v in item.items()}
    if isinstance(item, (list, tuple)):
        return [_jsonable(v) for v in item]
    return item if isinstance(item, (str, int, float, bool, type(None))) else str(item)
