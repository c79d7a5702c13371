"""The reorder slice's request bodies and answers (suggestions, runs, forecasts, orders, promotions), and the
functions that turn the domain's rows into them."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.http.params import GTIN_PATTERN, whole_number
from hub.timeutil import iso


class SuggestionOut(BaseModel):
    id: int
    gtin: str
    name: str | None
    supplier: str
    state: Literal["proposed", "approved", "rejected", "ordered", "superseded"]
    suggested_quantity: int
    quantity: int
    pack_size: int
    order_by: str
    reason: str
    on_hand: int | None
    on_order: int
    reserved: int
    created: str
    decided_by: str | None
    decided_at: str | None
    note: str | None
    po_id: int | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: whole_number(1, 1_000_000) | None = Field(None, description="units; whole packs")
    note: str | None = Field(None, max_length=500)


class EditIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: whole_number(1, 1_000_000) = Field(description="units; whole packs")
    note: str | None = Field(None, max_length=500)


class RunOut(BaseModel):
    run_id: int
    skus: int
    suggestions: int
    seconds: float


class ForecastOut(BaseModel):
    gtin: str
    demand_class: str
    adi: float | None
    cv2: float | None
    model: str | None
    mase: float | None
    mean_daily: float
    protection_days: int
    demand_quantile: float
    service_level: float
    note: str


class ReservationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: whole_number(0, 1_000_000) = Field(description="units set aside")
    note: str = Field("", max_length=200)


class PoLine(BaseModel):
    gtin: str
    name: str | None
    quantity: int
    received: int
    pack_size: int | None


class PurchaseOrderOut(BaseModel):
    id: int
    supplier: str
    state: Literal["open", "received"]
    created: str
    created_by: str
    closed_at: str | None
    closed_by: str | None
    closed_via: str | None
    lines: list[PoLine]


class ReceiveLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    gtin: str = Field(pattern=GTIN_PATTERN)
    quantity: whole_number(0, 1_000_000) = Field(description="units received so far for this product")


class ReceiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    lines: list[ReceiveLine] = Field(default_factory=list, max_length=1000)
    from_dock: bool = Field(False, description="count the tags read at the dock since the order")
    close: bool = Field(False, description="close the order even if lines are short")


class PromotionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    gtin: str = Field(pattern=GTIN_PATTERN)
    first_day: date = Field(strict=False, description="first day of the promotion (the store's calendar)")
    last_day: date = Field(strict=False, description="last day, included")
    note: str = Field("", max_length=200, description="what the promotion is: '2 for 1', the flyer's name...")


class PromotionOut(BaseModel):
    id: int
    gtin: str
    name: str | None
    first_day: date
    last_day: date
    note: str
    created_by: str | None
    created: str


def suggestion_out(row: dict[str, Any]) -> SuggestionOut:
    return SuggestionOut(**{**row, "created": iso(row["created"]) or "", "decided_at": iso(row["decided_at"])})


def purchase_order_out(po: dict[str, Any]) -> PurchaseOrderOut:
    return PurchaseOrderOut(**{**po, "created": iso(po["created"]) or "", "closed_at": iso(po["closed_at"]),
                               "lines": [PoLine(**line) for line in po["lines"]]})


def promotion_out(row: dict[str, Any]) -> PromotionOut:
    return PromotionOut(**{**row, "created": iso(row["created"]) or ""})
