"""Requests and answers of the stock slice."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from comptoir.contract import gtin14
from hub.http.params import whole_number
from hub.inventory.adjustments import MAX_NOTE, REASONS

Reason = Literal[tuple(REASONS)]  # type: ignore[valid-type]
def _gtin_or_none_such(code: str) -> str:
    """The GTIN-14 of a code; one whose check digit is wrong names no product (a 404 naming the field, as a
    GTIN in a path), so it is kept padded: no catalog product has it."""
    try:
        return gtin14(code)
    except ValueError:
        return code.zfill(14)


#: A GTIN-8, -12, -13 or -14 (digits), held as its GTIN-14.
GtinIn = Annotated[str, Field(pattern=r"^([0-9]{8}|[0-9]{12,14})$"), AfterValidator(_gtin_or_none_such)]
Units = whole_number(0, 1_000_000)
Note = Annotated[str, Field(max_length=MAX_NOTE)]


class _In(BaseModel):
    """A request body: no unknown field, no "3" for 3 nor 1 for true (JSON's own types, as the document says)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class AdjustmentIn(_In):
    gtin: GtinIn
    reason: Reason = Field(description="received, count (quantity is the units counted), found, customer_return "
                                       "(add); damage, theft_found, return_to_supplier, own_use, expired (take off)")
    quantity: Units = Field(description="units moved (never negative: the reason says which way), or counted")
    note: Note = ""


class AdjustmentsIn(_In):
    lines: list[AdjustmentIn] = Field(min_length=1, max_length=500, description="applied all together, or none")


class AdjustmentOut(BaseModel):
    id: int
    time: str
    user: str
    role: str
    gtin: str
    name: str | None
    reason: str
    before: int
    after: int
    delta: int
    value_cents: int | None = Field(description="delta at shelf price")
    note: str
    ref_kind: str | None = Field(description="delivery or count, when the adjustment is part of one")
    ref_id: int | None


class LotLineIn(_In):
    lot: Annotated[str, Field(max_length=20, description="the lot code printed (GS1 AI 10); empty if none")] = ""
    expiry: date = Field(strict=False, description="the use-by or best-before date, YYYY-MM-DD")
    quantity: Units


class DeliveryLineIn(_In):
    gtin: GtinIn
    quantity: Units = Field(description="units of this product counted in this delivery")
    lots: list[LotLineIn] | None = Field(None, max_length=50, description="the line's units by lot and date "
                                         "(they add up to quantity)")


class DeliveryIn(_In):
    po_id: whole_number(1, 2**62)  # type: ignore[valid-type]
    lines: list[DeliveryLineIn] = Field(default_factory=list, max_length=2000)
    scans: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=2000, description="codes a barcode scanner typed, one unit each; any text "
        "(a scanner may send garbage): each is read as a GTIN, or a GS1 element string (its lot and date; AI 30/37 "
        "sets the units), or refused naming it (422)")
    from_dock: bool = Field(False, description="add the order's tags read at the dock since it was placed")
    close: bool = Field(False, description="close the order even if lines are short")
    note: Note = ""


class OrderLineIn(_In):
    gtin: GtinIn
    quantity: whole_number(1, 1_000_000)  # type: ignore[valid-type]


class OrderIn(_In):
    supplier: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
    lines: list[OrderLineIn] = Field(min_length=1, max_length=2000)


class OrderOut(BaseModel):
    po_id: int


class LotReceivedOut(BaseModel):
    id: int
    lot: str
    expiry: str
    date_kind: str
    quantity: int
    tags: int = Field(0, description="of which tags read at the dock, linked to this lot")


class DeliveryLineOut(BaseModel):
    gtin: str
    name: str | None
    quantity: int = 0
    ordered: int
    received_total: int
    status: Literal["complete", "short", "over", "wrong"]
    lots: list[LotReceivedOut] = Field(default_factory=list, description="the lots these units came in")
    undated: int = Field(0, description="units of a dated product received without a date (to date on /fresh)")


class DeliveryOut(BaseModel):
    id: int
    po_id: int
    time: str
    user: str
    via: str
    note: str
    order_state: str
    lines: list[DeliveryLineOut]
    missing: list[DeliveryLineOut] = Field(description="order lines still short that this delivery did not bring")


class CountIn(_In):
    scope: Literal["all", "category", "zone", "shelf"] = Field(
        description="the whole shop; a category; a zone (an aisle of the catalog); a shelf (a planogram slot)")
    scope_value: Annotated[str, Field(max_length=100)] = ""


class CountEntryIn(_In):
    slot: Annotated[str | None, Field(max_length=100)] = None
    gtin: GtinIn | None = None
    counted: Units


class CountEntriesIn(_In):
    entries: list[CountEntryIn] = Field(min_length=1, max_length=2000)


class SweepIn(_In):
    source: Literal["fixed", "handheld"] = Field(
        description="the fixed readers' current picture, or a handheld reader's report (epcs)")
    epcs: list[Annotated[str, Field(pattern=r"^[0-9A-Fa-f]{4,124}$")]] | None = Field(
        None, max_length=1500, description="the tags a handheld read, each once; a longer sweep is posted in parts "
        "with append")
    append: bool = Field(False, description="add this part to the handheld's earlier parts instead of replacing them")


class CountEntryOut(BaseModel):
    slot: str
    counted: int
    method: str


class CountLineOut(BaseModel):
    gtin: str
    name: str | None
    tagged: bool
    slots: list[str]
    expected: int | None
    counted: int | None
    variance: int | None
    value_cents: int | None
    price_cents: int
    entries: list[CountEntryOut]


class CountOut(BaseModel):
    id: int
    scope: str
    scope_value: str
    state: Literal["open", "accepted", "cancelled"]
    created: str
    created_by: str
    closed: str | None
    closed_by: str | None
    lines: list[CountLineOut]
    variance_units: int
    variance_value_cents: int
    counted_products: int
    products: int
    sweep: dict[str, str | int] | None = None
