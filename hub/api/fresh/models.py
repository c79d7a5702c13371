"""Requests and answers of the fresh slice."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.api.stock.models import GtinIn
from hub.http.params import whole_number
from hub.inventory.adjustments import MAX_NOTE

WasteReason = Literal["expired", "damaged", "donated"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class WasteIn(_In):
    gtin: GtinIn | None = Field(None, description="the product (or give code)")
    code: Annotated[str | None, Field(max_length=200, description=(
        "a scanned GS1 code instead of gtin: its GTIN, and its lot and date name the lot"))] = None
    lot_id: whole_number(1, 2**62) | None = None  # type: ignore[valid-type]
    quantity: whole_number(1, 100_000)  # type: ignore[valid-type]
    reason: WasteReason
    note: Annotated[str, Field(max_length=MAX_NOTE)] = ""
    epcs: list[Annotated[str, Field(pattern=r"^[0-9A-Fa-f]{4,124}$")]] = Field(default_factory=list, max_length=1000)


class WasteOut(BaseModel):
    id: int
    time: str
    gtin: str
    name: str | None
    category: str | None
    lot_id: int | None
    lot: str | None
    expiry: str | None
    quantity: int
    reason: WasteReason
    unit_cost_cents: int | None = Field(description="the catalog's unit cost; null: unknown, valued at shelf price")
    value_cents: int = Field(description="quantity x unit cost, or x shelf price when the cost is unknown")
    at_cost: bool = Field(description="false: the value is at shelf price (no cost in the catalog)")
    price_cents: int = Field(description="the shelf price per unit at the time")
    user: str
    note: str
    adjustment_id: int | None


class LotOut(BaseModel):
    id: int
    gtin: str
    name: str | None
    category: str | None
    lot: str
    expiry: str
    date_kind: Literal["use_by", "best_before"]
    units: int
    days_left: int = Field(description="days to its date in the shop's time zone; negative: passed")
    warn_days: int
    place: Literal["shelf", "backroom"] | None = Field(description="where its tagged items are; null: not known")
    received: str
    use_by_passed: bool
    expiring: bool


class NewerLotOut(BaseModel):
    lot: str
    expiry: str
    sold: int


class FefoLotOut(LotOut):
    newer: NewerLotOut = Field(description="the later-dated lot that sold while this one waited")


class ExpiringOut(BaseModel):
    expiring: list[LotOut]
    use_by_passed: list[LotOut]
    fefo: list[FefoLotOut]


class LotCountIn(_In):
    units: whole_number(0, 1_000_000)  # type: ignore[valid-type]
