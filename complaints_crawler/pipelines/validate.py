"""First stage: only valid items go on (`Business`, `Complaint`, `SeenComplaint`); anything else is quarantined
with the error, the item itself kept in the quarantine row."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from complaints_crawler.items import Business, Complaint, SeenComplaint
from complaints_crawler.pipelines.base import Stage
from complaints_crawler.quarantine import QuarantineKind

Item = Business | Complaint | SeenComplaint


class ValidatePipeline(Stage):
    stats_prefix = "validate"

    def handle(self, item: Any) -> Item:
        try:
            valid = to_item(item)
        except (ValidationError, TypeError) as error:
            self.count("invalid")
            url = item.get("url") if isinstance(item, dict) else getattr(item, "url", None)
            self.reject(
                QuarantineKind.INVALID_ITEM,
                f"invalid item: {_one_line(error)}",
                url=url if isinstance(url, str) else None,
                details={"item": _jsonable(item)},
            )
        self.count(type(valid).__name__.lower())
        return valid


def to_item(item: Any) -> Item:
    """The item as a model. Models are re-validated: assignment validation can be bypassed by model_construct."""
    if isinstance(item, Business | Complaint | SeenComplaint):
        return type(item).model_validate(item.model_dump())
    if isinstance(item, BaseModel):
        item = item.model_dump()
    if not isinstance(item, dict):
        raise TypeError(f"expected a Business or Complaint, got {type(item).__name__}")
    return (Complaint if "business" in item else Business).model_validate(item)


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
