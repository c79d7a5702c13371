"""Weighing-shelf payloads."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Count, Gtin, Label


class ScaleWeight(Message):
    """A filtered weight from a shelf scale and, when the item is known, units."""

    SCHEMA: ClassVar[str] = "comptoir.scale.weight"
    FAMILY: ClassVar[str] = "scale"
    CHANNEL: ClassVar[str] = "weight"

    schema_name: Literal["comptoir.scale.weight"] = Field("comptoir.scale.weight", alias="schema")
    version: Literal[1] = 1
    status: Literal["ok", "not_ready", "overload"] = "ok"
    grams: float | None = Field(None, ge=-1e6, le=1e6, description="net weight in grams; null unless status is 'ok'")
    stable: bool = Field(description="the reading has settled (no hand on the shelf)")
    slot: Label | None = None
    gtin: Gtin | None = None
    unit_grams: float | None = Field(None, gt=0, le=1e6)
    units: Count | None = Field(None, description="grams / unit_grams, rounded, when unit_grams is known")

    @model_validator(mode="after")
    def _grams_match_status(self) -> ScaleWeight:
        if (self.status == "ok") != (self.grams is not None):
            raise ValueError("grams must be set exactly when status is 'ok'")
        return self
