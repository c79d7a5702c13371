"""The store map: every planogram slot with the state staff should see at a glance.

A slot is ``empty`` (nothing to sell), ``low`` (at or below ``LOW_SHARE`` of
its capacity), ``ok``, ``occluded`` (the camera's view is blocked, so the
count is unknown, not zero) or ``no_data`` (no camera or scale has reported
it). A weighing shelf counts units directly, so its reading wins over the
camera's facings for the same slot.

A ``no_data`` slot is not a broken camera: ``watched_by`` names the camera or
scale the hub has heard from that should report it (waiting for its first
count), and is null when no device the hub knows watches it (the planogram may
name cameras the shop has not installed). A bay is labelled with its camera
only when the hub has heard from that camera.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from hub.inventory.fusion import Fusion

SLOT_STATES = ("ok", "low", "empty", "occluded", "no_data")
#: A slot holding this share of its capacity or less is shown as low.
LOW_SHARE = 1 / 3
_SLOT_ID = re.compile(r"^(?P<aisle>[^-]+)-(?P<bay>[^-]+)-(?P<shelf>[^-]+)-(?P<position>.+)$")


def slot_state(units: int | None, capacity: int | None, occluded: bool = False) -> str:
    """State of one slot from the units (facings or weighed units) seen in it."""
    if units is None:
        return "occluded" if occluded else "no_data"
    if units <= 0:
        return "empty"
    if capacity and units <= capacity * LOW_SHARE:
        return "low"
    return "ok"


def slot_view(fusion: Fusion, slot: str, now: float, devices: Collection[str] = (),
              alerts: Mapping[str, int] | None = None) -> dict[str, Any]:
    """One slot's state, with the source and age of the figure it comes from, the device that watches it
    (among ``devices``, those the hub has heard from) and its newest open alert (``alerts``: slot -> id)."""
    plan = fusion.slots.get(slot, {})
    gtin = plan.get("gtin")
    capacity = plan.get("capacity")
    units: int | None = None
    source: str | None = None
    time: float | None = None
    occluded = False
    reading = fusion.slot_readings.get(slot)
    if reading is not None:
        gtin = gtin or reading.gtin
        capacity = reading.capacity or capacity
        time = reading.time
        source = "camera"
        if reading.state == "occluded":
            occluded = True
        else:
            units = 0 if reading.state == "empty" else reading.facings
    scale_id = plan.get("scale")
    for device, weighed in fusion.scale_readings.items():
        if (weighed.slot == slot or device == scale_id) and weighed.units is not None:
            units, source, time, occluded = weighed.units, "scale", weighed.time, False
    product = fusion.products.get(gtin or "")
    watchers = [d for d in (reading.camera if reading else None, scale_id, plan.get("camera")) if d]
    return {
        "slot": slot,
        "gtin": gtin,
        "name": product.name if product else None,
        "state": slot_state(units, capacity, occluded),
        "units": units,
        "capacity": capacity,
        "source": source,
        "age_s": round(now - time, 1) if time is not None else None,
        "watched_by": next((d for d in watchers if d in devices), None),
        "alert": (alerts or {}).get(slot),
    }


def _place(slot: str) -> tuple[str, str, str, str]:
    match = _SLOT_ID.match(slot)
    if match is None:
        return "?", "?", "?", slot
    return match["aisle"], match["bay"], match["shelf"], match["position"]


def _natural(text: str) -> tuple[Any, ...]:
    """Sort A2 before A10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def store_map(fusion: Fusion, now: float, devices: Collection[str] = (),
              alerts: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Aisles -> bays -> shelves -> slots, in planogram order (slot ids read aisle-bay-shelf-position).

    ``devices``: the devices the hub has heard from; a bay names its camera only if it is one of them."""
    aisles: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    names = set(fusion.slots) | set(fusion.slot_readings)
    for slot in sorted(names, key=_natural):
        aisle, bay, shelf, position = _place(slot)
        view = slot_view(fusion, slot, now, devices, alerts)
        view["position"] = position
        aisles.setdefault(aisle, {}).setdefault(bay, {}).setdefault(shelf, []).append(view)
    cameras = {s: plan.get("camera") for s, plan in fusion.slots.items() if plan.get("camera") in devices}
    cameras.update({s: r.camera for s, r in fusion.slot_readings.items()})
    return [
        {
            "aisle": aisle,
            "bays": [
                {
                    "bay": bay,
                    "camera": next((cameras.get(v["slot"]) for s in shelves.values() for v in s
                                    if cameras.get(v["slot"])), None),
                    "shelves": [{"shelf": shelf, "slots": shelves[shelf]} for shelf in sorted(shelves, key=_natural)],
                }
                for bay, shelves in sorted(bays.items(), key=lambda b: _natural(b[0]))
            ],
        }
        for aisle, bays in sorted(aisles.items(), key=lambda a: _natural(a[0]))
    ]
