"""Request and response models of the API (they make the OpenAPI page at /docs)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict


def _whole(value: Any) -> Any:
    """JSON has one number type: 105.0 is the whole number 105 (JSON Schema agrees); "105" and true are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole_number(low: int, high: int) -> Any:
    """An integer in a request body, ``low`` to ``high``: 3 or 3.0, never "3", true or 3.5.

    The bounds sit inside, before the conversion, so that the OpenAPI document shows them.
    """
    return Annotated[int, Strict(), Field(ge=low, le=high), BeforeValidator(_whole)]


class Issue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error answer: ``detail`` says what is wrong (for a request that fails validation, ``error`` says it
    in one line and ``detail`` lists each field)."""

    detail: str | list[Issue]
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "stalled", "storage_failing"] = Field(
        description="ingest's state: ok; storage_failing (the database refuses writes: messages are held back, "
        "unacknowledged, and retried); stalled (ingest has stopped or a batch is stuck). Anything but ok is a 503"
    )
    reason: str | None = Field(None, description="why ingest is not ok, for the operator")
    last_batch: str | None = Field(None, description="when ingest last finished a batch (ISO 8601), null before any")
    queued: int = Field(0, description="messages received from the broker and not yet stored or rejected")
    held_back: int = Field(0, description="of those, messages held back while the store fails")
    mqtt_connected: bool
    schema_version: int
    received: int = Field(description="messages received since the hub started (valid or not)")
    stored: int = Field(description="messages stored since start (each message id once)")
    duplicates: int = Field(description="redelivered messages ignored since start")
    dead_letters: int = Field(description="rejected payloads since start")


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    username: str
    role: str
    expires: str
    token: str | None = Field(None, description="also set as an HttpOnly cookie; send as 'Authorization: Bearer'")


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


class AlertOut(BaseModel):
    id: int
    alert_id: str
    kind: str
    state: str
    severity: str
    text: str
    gtin: str | None
    epc: str | None
    slot: str | None
    device: str | None
    quantity: int | None
    raised_at: str | None
    updated_at: str | None
    resolved_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None


class DeviceOut(BaseModel):
    device: str
    kind: str | None
    software: str | None
    state: str
    state_since: str | None
    reason: str | None = Field(description="why it is offline, as its retained status says; null while online")
    last_seen: str | None
    connection: int | None
    last_seq: int | None
    lost: int
    dropped: int
    messages: int


class DeadLetter(BaseModel):
    id: int
    topic: str
    reason: str
    field: str | None
    received: str
    size: int
    excerpt: str


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
