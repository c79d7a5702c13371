"""Helpers for the dashboard tests: a hub with the store world's planogram, a browser, screenshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comptoir.contract import ShelfCounts, ZoneEvent
from hub.auth import create_user
from hub.catalog import import_planogram, import_products, import_zones
from hub.store import open_database
from simulators.world import World
from simulators.world.catalog import default_catalog_path
from tests.hub.support import Devices, HubProcess, epc

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "dashboard"
USER, PASSWORD = "marie", "croissant-42"
#: a 10-inch tablet in landscape
TABLET = {"width": 1280, "height": 800}

WORLD = World(seed=7)
ZONES = """alias,kind,reader,antenna
backroom,backroom,reader-1,1
floor-a1,floor,reader-1,2
floor-a2,floor,reader-1,3
floor-a3,floor,reader-1,4
floor-a4,floor,reader-1,5
floor-a5,floor,reader-1,6
floor-a6,floor,reader-1,7
exit,exit,gate-1,
dock,dock,reader-2,1
"""


def planogram_csv() -> str:
    rows = ["slot,gtin,camera,capacity,scale"]
    for slot in WORLD.planogram.slots.values():
        rows.append(f"{slot.slot_id},{slot.gtin},{slot.camera},{slot.capacity},{slot.scale or ''}")
    return "\n".join(rows) + "\n"


@dataclass
class DashboardHub(HubProcess):
    """The hub as a real process, loaded with the demo shop's catalog, planogram and zones."""

    devices: Devices = field(default_factory=Devices)

    def prepare(self, users: dict[str, str] | None = None) -> None:
        self.write_config()
        (self.workdir / "planogram.csv").write_text(planogram_csv())
        (self.workdir / "zones.csv").write_text(ZONES)
        db = open_database(self.db_path)
        try:
            import_products(db, default_catalog_path())
            import_planogram(db, self.workdir / "planogram.csv")
            import_zones(db, self.workdir / "zones.csv")
            for user, password in (users or {USER: PASSWORD}).items():
                create_user(db, user, password, "staff", 0.0)
        finally:
            db.close()


def bay_counts(dev: Devices, bay_id: str, facings: dict[str, int | None] | None = None) -> ShelfCounts:
    """What a bay's camera reports: every slot full unless ``facings`` says otherwise (None: occluded)."""
    bay = WORLD.planogram.bays[bay_id]
    slots: list[dict[str, Any]] = []
    for slot in bay.slots:
        seen = (facings or {}).get(slot.slot_id, slot.capacity)
        if seen is None:
            slots.append(
                {
                    "slot": slot.slot_id,
                    "state": "occluded",
                    "facings": None,
                    "capacity": slot.capacity,
                    "confidence": 0.5,
                }
            )
        else:
            slots.append(
                {
                    "slot": slot.slot_id,
                    "state": "empty" if seen == 0 else "ok",
                    "facings": seen,
                    "capacity": slot.capacity,
                    "confidence": 0.9,
                }
            )
    return dev.make(ShelfCounts, bay.camera, slots=slots)


def backroom_stock(dev: Devices, gtin: str, count: int, first: int) -> list[ZoneEvent]:
    return [
        dev.make(
            ZoneEvent,
            "reader-1",
            event="arrived",
            epc=epc(first + i),
            gtin=gtin,
            location="backroom",
            scheme="sgtin-96",
        )
        for i in range(count)
    ]
