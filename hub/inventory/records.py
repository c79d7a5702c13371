"""What the inventory remembers, as typed records: items, readers' claims, shelf readings, products, credits.

Each record mirrors one row of its table (hub/inventory/store.py reads and
writes them); :class:`BatchChanges` is what one batch changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from hub.inventory.states import ItemState


class Claim(NamedTuple):
    """A reader's claim that a tag is in one of its zones.

    A named tuple rather than a dataclass: claims are made for every zone
    event, compared whole, and stored as four columns.
    """

    rssi: float | None  # dBm; None is the weakest claim
    time: float
    reader: str
    antenna: int | None


@dataclass(slots=True)
class Item:
    """One tagged item (one EPC)."""

    gtin: str | None
    serial: str | None
    state: ItemState
    zone: str | None
    since: float  # when ``state`` began
    last_seen: float
    paid: bool = False
    # the reader's claim behind ``zone``; None when no reader claims the item now (a gate, the last departure);
    # stored with the item, so a restarted hub arbitrates as before (docs/fusion.md, "Several readers see the same tag")
    claim: Claim | None = None


@dataclass(slots=True)
class SlotReading:
    """A camera's latest count of one shelf slot."""

    gtin: str | None
    state: str
    facings: int | None
    capacity: int
    confidence: float
    time: float
    camera: str
    blocked: bool = False  # the latest view was occluded: the count is the last one seen, aged


@dataclass(slots=True)
class ScaleReading:
    """A shelf scale's latest weight, and the units it means."""

    slot: str | None
    gtin: str | None
    status: str
    grams: float | None
    units: int | None
    stable: bool
    time: float
    settled: float | None = None  # when ``units`` was last weighed on a settled scale (None: as ``time``)


@dataclass(slots=True)
class Product:
    """The catalog's facts the inventory rules use."""

    gtin: str
    name: str
    price_cents: int
    unit_weight_g: float
    aisle: str
    shelf: str
    lead_time_days: int
    reorder_point: int | None  # set by staff; None: computed (hub/inventory/reorder.py)


@dataclass(slots=True)
class Credit:
    """Units sold by GTIN (no tag read at the till) waiting to be matched to tags leaving the shop."""

    id: int | None  # the ``paid_credits`` row; None until written
    remaining: int
    time: float


@dataclass(frozen=True, slots=True)
class UnpaidExit:
    """An unpaid item seen leaving: held for the exit grace before its alert (hub/ingest.py)."""

    epc: str
    gtin: str | None
    time: float
    zone: str | None  # the exit zone, when no gate passage was seen


@dataclass(frozen=True, slots=True)
class Receipt:
    lane: str
    receipt_id: str
    msg_id: str
    time: float
    total_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class SaleLine:
    lane: str
    receipt_id: str
    time: float
    gtin: str
    quantity: int  # negative: a return
    unit_price_cents: int
    tagged: int  # how many of the units had their tag read at the till
    lot: str | None = None  # the lot the till read (a 2D code), when it read one
    expiry: date | None = None  # the date the till read with it
    epcs: tuple[str, ...] = ()  # the tags read at the till (a tagged item's lot follows its EPC)


@dataclass(frozen=True, slots=True)
class ZoneCount:
    """One line of a reader's periodic snapshot: how many of a GTIN it sees in a zone."""

    reader: str
    zone: str
    gtin: str
    count: int
    time: float


@dataclass
class BatchChanges:
    """What one batch changed: for writing, for alerts, for the live stream and the stock history."""

    items: dict[str, Item] = field(default_factory=dict)
    gtins: set[str] = field(default_factory=set)
    slots: set[str] = field(default_factory=set)
    scales: set[str] = field(default_factory=set)
    snapshots: list[ZoneCount] = field(default_factory=list)
    unpaid_exits: list[UnpaidExit] = field(default_factory=list)
    back_in: set[str] = field(default_factory=set)  # epcs back in the shop or paid: their exit alert ends
    receipts: list[Receipt] = field(default_factory=list)
    sales: list[SaleLine] = field(default_factory=list)
    credits_changed: set[str] = field(default_factory=set)
    claims: set[str] = field(default_factory=set)  # epcs whose other zones' claims changed
