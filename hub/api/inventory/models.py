"""Products, fused inventory figures and items as the API answers them; a product as a customer may see it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.http.params import whole_number


class ProductOut(BaseModel):
    gtin: str
    name: str
    brand: str
    category: str
    price_eur: float
    unit_weight_g: float
    aisle: str
    shelf: str
    pack_size: int
    supplier: str
    lead_time_days: int
    reorder_point: int | None = Field(description="set by staff; null means computed from sales (see inventory)")


class ReorderPointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    reorder_point: whole_number(0, 1_000_000) | None = Field(description="null returns to the computed point")


class Figure(BaseModel):
    units: int | None = Field(description="null when no source has reported")
    source: str | None
    age_s: float | None = Field(description="seconds since the source's latest event, by the hub's clock")
    confidence: float


class FloorFigure(Figure):
    rfid_units: int | None = Field(description="tags on the sales floor")
    sold_untagged_pending: int = Field(description="units sold by barcode whose tag has not left yet")


class ShelfFigure(Figure):
    camera_facings: int | None
    camera_age_s: float | None
    scale_units: int | None
    scale_age_s: float | None
    empty_slots: list[str]
    occluded: bool


class SlotOut(BaseModel):
    slot: str
    capacity: int | None = None
    camera: str | None = None
    state: str | None = None
    facings: int | None = None
    time: float | None = None
    scale: str | None = None
    scale_units: int | None = None
    scale_time: float | None = None


class BookOut(BaseModel):
    units: int = Field(description="last count + received - sold +/- adjustments (may go below 0: a count is due)")
    since: float = Field(description="UNIX time of the count (or first delivery) the book runs from")
    basis: str = Field(description="count, or the reason of the first record when never counted")
    age_s: float
    confidence: float = Field(description="halves every fusion.book_half_life_days since `since`")


class Inventory(BaseModel):
    gtin: str
    name: str | None
    on_hand: int | None = Field(description="backroom + max(RFID floor, shelf); null when nothing has reported")
    backroom: Figure
    floor: FloorFigure
    shelf: ShelfFigure
    items: dict[str, int] = Field(description="tagged items of this SKU per state")
    slots: list[SlotOut]
    flags: list[str] = Field(description="disagreements between sources, see docs/fusion.md")
    confidence: float
    reorder_point: int | None = None
    reorder_reason: str | None = None
    on_hand_source: Literal["rfid", "shelf", "book", "shelf+book"] | None = Field(
        None, description="where on_hand comes from: a sensor's count, or the book stock (docs/operations.md)")
    book: BookOut | None = Field(None, description="the book stock; null before any count or delivery")


class InventoryDetail(Inventory):
    zones: dict[str, dict[str, int]] = Field(description="zone -> item state -> tagged items")
    snapshots: dict[str, dict[str, int]] = Field(description="reader -> zone -> count in the latest RFID snapshot")


class ZoneCount(BaseModel):
    zone: str
    kind: str | None
    states: dict[str, int]


class ItemOut(BaseModel):
    epc: str
    gtin: str | None
    name: str | None
    serial: str | None
    state: str
    zone: str | None
    since: str
    last_seen: str
    paid: bool


class KioskProduct(BaseModel):
    """What a customer may see: no counts of items, no tags, no devices, no staff data."""

    gtin: str
    name: str
    brand: str
    category: str
    price_eur: float
    aisle: str
    shelf: str
    availability: Literal["in_stock", "low", "out_of_stock", "unknown"]
    as_of: str | None = Field(description="time of the newest figure the availability comes from")
