"""One SKU's figures from every source, each with its source, age and confidence: the typed view.

:func:`sku_view` decides the figures (docs/fusion.md, "Per SKU"); the
dataclasses carry them to the alert rules, the live stream and the API, and
:meth:`SkuView.as_json` gives the JSON the API has always returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hub.inventory.book import BookEntry, book_confidence
from hub.inventory.items import ItemBook
from hub.inventory.records import ScaleReading, SlotReading
from hub.inventory.reference import Reference
from hub.inventory.sales import Credits
from hub.inventory.settings import FusionSettings
from hub.inventory.shelf import ShelfReadings
from hub.inventory.states import ITEM_STATES, SOURCE_CONFIDENCE, ItemState

BACKROOM, FLOOR = ItemState.BACKROOM, ItemState.FLOOR


@dataclass(slots=True)
class RoomFigure:
    """The backroom's units (RFID alone)."""

    units: int | None
    source: str
    age_s: float | None
    confidence: float


@dataclass(slots=True)
class FloorFigure:
    """The sales floor's units: RFID's tags less those sold by barcode not yet gone; the shelf's for untagged SKUs."""

    units: int | None
    rfid_units: int | None
    sold_untagged_pending: int
    source: str
    age_s: float | None
    confidence: float


@dataclass(slots=True)
class ShelfFigure:
    """What the shelf shows: the scale's units, else the camera's facings."""

    units: int | None
    source: str | None
    age_s: float | None
    camera_facings: int | None
    camera_age_s: float | None
    scale_units: int | None
    scale_age_s: float | None
    confidence: float
    empty_slots: list[str]
    occluded: bool


@dataclass(slots=True)
class BookFigure:
    """The product's book stock (hub/inventory/book.py): units, and the count or delivery it runs from."""

    units: int
    since: float
    basis: str  # "count" when it runs from a count, else the reason of its first record ("received", ...)
    age_s: float
    confidence: float

    def as_json(self) -> dict[str, Any]:
        return {"units": self.units, "since": self.since, "basis": self.basis, "age_s": self.age_s,
                "confidence": self.confidence}


@dataclass(slots=True)
class SlotView:
    """One slot of the SKU: the planogram's row, its camera's latest count (``state`` set) and its scale's."""

    slot: str
    capacity: int | None
    camera: str | None
    state: str | None = None  # None: no camera count yet
    facings: int | None = None
    time: float | None = None
    scale: str | None = None  # None: no scale weighs it
    scale_units: int | None = None
    scale_time: float | None = None
    scale_held: bool = False  # the scale's held count is older news than the camera's clear count

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"slot": self.slot, "capacity": self.capacity, "camera": self.camera}
        if self.state is not None:
            out.update(state=self.state, facings=self.facings, time=self.time)
        if self.scale is not None:
            out.update(scale=self.scale, scale_units=self.scale_units, scale_time=self.scale_time)
            if self.scale_held:
                out["scale_held"] = True
        return out


@dataclass(slots=True)
class SkuView:
    gtin: str
    name: str | None
    on_hand: int | None  # backroom + floor; None when no source has reported
    backroom: RoomFigure
    floor: FloorFigure
    shelf: ShelfFigure
    items: dict[ItemState, int]  # tagged items per state
    slots: list[SlotView] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # disagreements between sources
    confidence: float = 0.0
    book: BookFigure | None = None  # the book stock, for every product that has a count or delivery recorded
    on_hand_source: str | None = None  # "rfid", "shelf", "book", "shelf+book", or None with on_hand

    @property
    def is_book_figure(self) -> bool:
        """On hand comes (at least in part) from the book, not from a sensor's count."""
        return self.on_hand_source in ("book", "shelf+book")

    def as_json(self) -> dict[str, Any]:
        """The figures as the API and the kiosk have always returned them (plain types, same keys)."""
        b, f, s = self.backroom, self.floor, self.shelf
        return {
            "gtin": self.gtin,
            "name": self.name,
            "on_hand": self.on_hand,
            "backroom": {"units": b.units, "source": b.source, "age_s": b.age_s, "confidence": b.confidence},
            "floor": {"units": f.units, "rfid_units": f.rfid_units, "sold_untagged_pending": f.sold_untagged_pending,
                      "source": f.source, "age_s": f.age_s, "confidence": f.confidence},
            "shelf": {"units": s.units, "source": s.source, "age_s": s.age_s, "camera_facings": s.camera_facings,
                      "camera_age_s": s.camera_age_s, "scale_units": s.scale_units, "scale_age_s": s.scale_age_s,
                      "confidence": s.confidence, "empty_slots": list(s.empty_slots), "occluded": s.occluded},
            "items": {state.value: count for state, count in self.items.items()},
            "slots": [slot.as_json() for slot in self.slots],
            "flags": list(self.flags),
            "confidence": self.confidence,
            "on_hand_source": self.on_hand_source,
            "book": self.book.as_json() if self.book is not None else None,
        }

    def stock(self) -> tuple[int | None, int | None, int | None, int | None]:
        """(on hand, backroom, floor, shelf): the figures the stock history and the live stream follow."""
        return self.on_hand, self.backroom.units, self.floor.units, self.shelf.units


def confidence(settings: FusionSettings, source: str, age_s: float | None) -> float:
    """A source's confidence at an age: full while fresh, halving between ``fresh_s`` and ``stale_s``, and after."""
    if age_s is None:
        return 0.0
    base = SOURCE_CONFIDENCE[source]
    fresh, stale = settings.fresh_s, settings.stale_s
    if age_s <= fresh:
        return base
    return round(base * math.pow(0.5, (age_s - fresh) / max(stale - fresh, 1.0)), 3)


def _counted_since(reading: SlotReading | None, scale: ScaleReading) -> bool:
    """A clear camera count of the slot (a view neither occluded now nor blocked) made after the scale settled."""
    if reading is None or reading.state == "occluded" or reading.blocked or reading.facings is None:
        return False
    return reading.time > (scale.settled if scale.settled is not None else scale.time)


@dataclass(slots=True)
class _Shelf:
    """What the slots of one SKU add up to, before the figures are decided."""

    slots: list[SlotView] = field(default_factory=list)
    camera_facings: int | None = None
    camera_t: float | None = None
    camera_conf: list[float] = field(default_factory=list)
    occluded: bool = False
    blocked: bool = False
    empty_slots: list[str] = field(default_factory=list)
    scale_units: int | None = None
    scale_t: float | None = None
    camera_over_held_scale: bool = False


def _shelf(gtin: str, reference: Reference, shelf: ShelfReadings) -> _Shelf:
    out = _Shelf()
    slot_names = set(reference.slots_by_gtin.get(gtin, []))
    slot_names.update(shelf.read_slots_by_gtin.get(gtin, ()))
    for slot in sorted(slot_names):
        plan = reference.slots.get(slot, {})
        reading = shelf.slot_readings.get(slot)
        entry = SlotView(slot, plan.get("capacity"), plan.get("camera"))
        if reading is not None:
            entry.state, entry.facings, entry.time = reading.state, reading.facings, reading.time
            entry.camera, entry.capacity = reading.camera, reading.capacity
            if reading.state == "occluded":
                out.occluded = True
            else:
                out.blocked = out.blocked or reading.blocked
                out.camera_facings = (out.camera_facings or 0) + (reading.facings or 0)
                out.camera_conf.append(reading.confidence)
                if (reading.facings or 0) == 0:
                    out.empty_slots.append(slot)
            out.camera_t = max(out.camera_t or 0.0, reading.time)
        scale_id = plan.get("scale")
        devices = set(shelf.scales_by_slot.get(slot, ()))
        if scale_id in shelf.scale_readings:
            devices.add(scale_id)
        for dev in sorted(devices):
            sr = shelf.scale_readings[dev]
            entry.scale, entry.scale_units, entry.scale_time = dev, sr.units, sr.time
            if not sr.stable and sr.units is not None and _counted_since(reading, sr):
                # the scale has been unsettled since before the camera's latest clear count of this slot:
                # its held count is older news than what the camera sees now
                entry.scale_held = True
                out.camera_over_held_scale = True
                continue
            if sr.units is not None:
                out.scale_units = (out.scale_units or 0) + sr.units
                out.scale_t = max(out.scale_t or 0.0, sr.time)
                if sr.units == 0 and slot not in out.empty_slots:
                    out.empty_slots.append(slot)
        out.slots.append(entry)
    return out


def sku_view(gtin: str, now: float, settings: FusionSettings, reference: Reference, book: ItemBook,
             shelf: ShelfReadings, credits: Credits, book_entry: BookEntry | None = None) -> SkuView:
    """Every figure the hub has for one SKU, each with its source, age and confidence.

    A SKU no reader tags is counted by its book when it has one: on its own when no shelf sensor sees it,
    else as the backroom (the book's units beyond those the shelf shows).
    """
    counts = book.counts.get(gtin) or dict.fromkeys(ITEM_STATES, 0)
    rfid_t = book.changed.get(gtin)
    rfid_age = now - rfid_t if rfid_t is not None else None
    pending = credits.waiting(gtin, now)
    rfid_floor = max(0, counts[FLOOR] - pending)
    sh = _shelf(gtin, reference, shelf)
    camera_age = now - sh.camera_t if sh.camera_t is not None else None
    scale_age = now - sh.scale_t if sh.scale_t is not None else None
    if sh.scale_units is not None and not (sh.camera_over_held_scale and sh.camera_facings is not None):
        shelf_units, shelf_source, shelf_age = sh.scale_units, "scale", scale_age
    elif sh.camera_facings is not None:
        shelf_units, shelf_source, shelf_age = sh.camera_facings, "camera", camera_age
    else:
        shelf_units, shelf_source, shelf_age = None, None, None
    rfid_seen = rfid_t is not None
    # a tagged SKU is counted item by item by RFID; a camera or scale says what is on the shelf, not how many
    # exist (it over-counts a double detection and misses baskets and back rows): it counts an untagged SKU only
    floor_units = rfid_floor if rfid_seen else shelf_units
    observed = rfid_seen or shelf_units is not None
    on_hand = (counts[BACKROOM] + (floor_units or 0)) if observed else None
    backroom_units = counts[BACKROOM] if rfid_seen else None
    on_hand_source = "rfid" if rfid_seen else "shelf" if observed else None
    book_fig = None
    if book_entry is not None:
        age = max(now - book_entry.since, 0.0)
        book_fig = BookFigure(book_entry.units, book_entry.since, book_entry.basis, age,
                              book_confidence(settings.book_half_life_days, age))
    if book_fig is not None and not rfid_seen:
        booked = max(book_fig.units, 0)
        if shelf_units is None:
            on_hand, on_hand_source = booked, "book"
        else:
            backroom_units = max(booked - shelf_units, 0)
            on_hand, on_hand_source = shelf_units + backroom_units, "shelf+book"
    flags = []
    if sh.camera_facings == 0 and not sh.occluded and rfid_floor > 0:
        flags.append("misplaced_or_hidden")
    if sh.camera_facings and rfid_seen and counts[FLOOR] == 0:
        flags.append("untagged_or_unreadable")
    if sh.occluded or sh.blocked:
        flags.append("shelf_view_blocked")
    rfid_conf = confidence(settings, "rfid", rfid_age)
    shelf_conf = confidence(settings, shelf_source, shelf_age) if shelf_source else 0.0
    if shelf_source == "camera" and sh.camera_conf:
        shelf_conf = round(shelf_conf * min(sh.camera_conf), 3)
    confs = [c for c, present in ((rfid_conf, rfid_seen), (shelf_conf, shelf_source is not None),
                                  (book_fig.confidence if book_fig else 0.0, on_hand_source in ("book", "shelf+book")))
             if present]
    overall = min(confs) if confs else 0.0
    if flags and overall:
        overall = round(overall * 0.7, 3)
    product = reference.products.get(gtin)
    return SkuView(
        gtin=gtin,
        name=product.name if product else None,
        on_hand=on_hand,
        backroom=(RoomFigure(backroom_units, "rfid", rfid_age, rfid_conf) if rfid_seen or book_fig is None
                  else RoomFigure(backroom_units, "book", book_fig.age_s, book_fig.confidence)),
        floor=FloorFigure(floor_units, counts[FLOOR] if rfid_seen else None, pending,
                          "rfid+shelf" if shelf_source else "rfid", rfid_age, rfid_conf),
        shelf=ShelfFigure(shelf_units, shelf_source, shelf_age, sh.camera_facings, camera_age, sh.scale_units,
                          scale_age, shelf_conf, sh.empty_slots, sh.occluded),
        items={s: counts[s] for s in ITEM_STATES},
        slots=sh.slots,
        flags=flags,
        confidence=overall,
        book=book_fig,
        on_hand_source=on_hand_source,
    )
