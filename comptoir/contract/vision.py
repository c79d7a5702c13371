"""Shelf camera payloads: facings per planogram slot."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Count, Fraction, Gtin, Label


class SlotCount(BaseModel):
    """What a camera sees in one slot of the planogram."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slot: Label
    gtin: Gtin | None = None
    state: Literal["ok", "empty", "occluded"] = Field(
        description="'occluded' means the view is blocked: the count is unknown, not zero"
    )
    facings: Count | None = Field(None, description="products visible at the front; null when occluded")
    capacity: Count = Field(description="facings the slot holds when full")
    empty_fraction: Fraction | None = None
    confidence: Fraction

    @model_validator(mode="after")
    def _occluded_has_no_count(self) -> SlotCount:
        if (self.state == "occluded") != (self.facings is None):
            raise ValueError("facings must be null exactly when the slot is occluded")
        return self


class ShelfCounts(Message):
    """Facings per slot for one camera view."""

    SCHEMA: ClassVar[str] = "comptoir.vision.shelf_counts"
    FAMILY: ClassVar[str] = "vision"
    CHANNEL: ClassVar[str] = "shelf"

    schema_name: Literal["comptoir.vision.shelf_counts"] = Field("comptoir.vision.shelf_counts", alias="schema")
    version: Literal[1] = 1
    slots: list[SlotCount] = Field(max_length=2000)
