"""Response models of the dashboard's own endpoints (/api/dashboard/*)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SlotState(BaseModel):
    slot: str
    gtin: str | None
    name: str | None
    state: str = Field(description="ok, low, empty, occluded or no_data")
    units: int | None = Field(description="facings seen by the camera, or units weighed by the scale")
    capacity: int | None
    source: str | None = Field(description="camera or scale")
    age_s: float | None = Field(description="seconds since the figure's event, by the hub's clock")
    position: str = Field("", description="the slot's place on its shelf (the last part of its id)")
    watched_by: str | None = Field(None, description="the camera or scale the hub has heard from that reports it; "
                                   "null: no device the hub knows watches it")
    alert: int | None = Field(None, description="the newest open alert about this slot")


class ShelfRow(BaseModel):
    shelf: str
    slots: list[SlotState]


class BayView(BaseModel):
    bay: str
    camera: str | None = Field(description="the bay's camera, only once the hub has heard from it")
    shelves: list[ShelfRow]


class AisleView(BaseModel):
    aisle: str
    bays: list[BayView]


class StoreMap(BaseModel):
    aisles: list[AisleView]
    counts: dict[str, int] = Field(description="slots per state")
    as_of: str


class DashboardAlert(BaseModel):
    id: int
    kind: str
    state: str
    severity: str
    text: str
    message: str = Field(description="the alert's text in the reader's language (cookie, then Accept-Language)")
    gtin: str | None
    product: str | None
    epc: str | None
    slot: str | None
    device: str | None
    quantity: int | None
    raised_at: str | None
    updated_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    resolved_at: str | None
    resolved_by: str | None = Field(description="the staff member who resolved it; null when the hub's rules did")
    title: str = Field(description="what it is about in a few words, the product by name; no figure that moves")
    place: str | None = Field(description="where to go: kiosk, exit, aisle and slot, or device")
    next_step: str | None = Field(description="what to do next, in one line")
    kind_label: str = Field(description="the kind in words (filters)")
    raised_time: str = Field(description="when it was raised, time of day in the shop's time zone (with the day if "
                             "not today)")
    acknowledged_time: str | None = Field(description="when it was taken in hand, as ``raised_time``")
    resolved_time: str | None = Field(description="when it was resolved, as ``raised_time``")
    age_s: float = Field(description="seconds since it was raised, by the hub's clock")
    map_href: str | None = Field(description="the slot on the store map, for an alert about a slot")
    group: str = Field(description="kind and place: alerts with the same group are repeats")
    rank: int = Field(description="work order: 0 a customer waiting, 1 an unpaid exit, 2 safety, 3-4 stock, "
                      "5-6 devices")
    repeats: int = Field(description="alerts folded into this one (1 unless repeats are grouped)")
    repeat_ids: list[int]


class AlertCounts(BaseModel):
    open: int
    acknowledged: int
    resolved: int


class AlertPage(BaseModel):
    now: str = Field(description="the hub's clock: ages are counted from it, never from the reader's device")
    view: str
    total: int = Field(description="items matching, after folding repeats")
    offset: int
    limit: int
    counts: AlertCounts = Field(description="alerts in each list, unfiltered")
    items: list[DashboardAlert]


class History(BaseModel):
    gtin: str
    since: str
    stock: list[list[float | None]] = Field(description="[unix time, on hand, backroom, floor, shelf] at each change")
    sales: list[list[float]] = Field(description="[bucket start (unix time), units sold] per bucket")
    bucket_s: int


class DeviceRow(BaseModel):
    device: str
    kind: str | None
    software: str | None
    state: str
    state_since: str | None
    last_seen: str | None
    reason: str | None = Field(None, description="why it is offline, as its retained status says")
    age_s: float | None = Field(description="seconds since the hub last heard from it")
    rate_per_min: float | None = Field(description="messages per minute over the recent window")
    outbox: int | None = Field(description="messages waiting in the device's outbox (known for the hub itself)")
    lost: int = Field(description="messages lost upstream (sequence gaps)")
    dropped: int = Field(description="messages dropped from a full outbox, as the device reports")
    messages: int
    kind_text: str | None = Field(None, description="the kind in the reader's language")
    rate_text: str | None = Field(None, description="rate_per_min written in the reader's language")


class ProductRow(BaseModel):
    gtin: str
    name: str | None
    brand: str | None
    category: str | None
    price_cents: int
    price_text: str = Field(description="the price as the reader's language writes it (Babel)")
    on_hand: int | None
    backroom: int | None
    shelf: int | None


class ProductPage(BaseModel):
    total: int = Field(description="products matching the search, on every page")
    offset: int
    limit: int
    sort: str
    items: list[ProductRow]
