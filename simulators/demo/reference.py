"""The files a shop installer writes: catalog, planogram and zones CSVs, hub.yaml and each edge box's edge.yaml."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from comptoir.catalog_csv import OPTIONAL_COLUMNS
from simulators.world import COLUMNS, Product, World
from simulators.world.catalog import cost_eur, fresh_rule

ZONE_KINDS = {"backroom": "backroom", "dock": "dock", "exit": "exit", "checkout": "floor"}


def write_catalog(world: World, path: Path, extra: Sequence[Product] = (), dates: bool = False) -> Path:
    """The catalog CSV of the world's products and ``extra`` ones; ``dates``: with the ``date_kind`` and
    ``cost_eur`` columns (issue 21: which products carry a date, what each unit costs)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        products = [*world.products, *world.untagged.products]  # the untagged ones are sold too
        products += [p for p in extra if p not in products]
        labels = [c for c in OPTIONAL_COLUMNS if any(c in p.labels for p in products)]
        fresh = ["date_kind", "cost_eur"] if dates else []
        out.writerow([*COLUMNS, *labels, *fresh])  # the label columns too, so the demo hub's kiosk can state them
        for product in products:
            rule = fresh_rule(product)
            out.writerow([*(getattr(product, column) for column in COLUMNS),
                          *(product.labels.get(c, "") for c in labels),
                          *(((rule[0] if rule else ""), cost_eur(product)) if dates else ())])
    return path


def write_planogram(world: World, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["slot", "gtin", "camera", "capacity", "scale"])
        for slot in world.planogram.slots.values():
            out.writerow([slot.slot_id, slot.gtin, slot.camera, slot.capacity, slot.scale or ""])
    return path


def write_zones(world: World, readers: dict[str, dict[int, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["alias", "kind", "reader", "antenna"])
        for name in world.zones:
            out.writerow([name, ZONE_KINDS.get(name, "floor"), "", ""])
    return path


def write_yaml(data: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def hub_yaml(store: str, broker_url: str, db: Path, port: int) -> dict[str, Any]:
    return {
        "store": store,
        "db": str(db),
        "broker": {"url": broker_url},
        "api": {"host": "127.0.0.1", "port": port},
        # the demo's time runs up to 60x faster, so each fsync of synchronous=FULL (a shop's default, see
        # docs/operations.md) would weigh 60 times its share of the shop's time; a demo has no power cut to survive
        "storage": {"synchronous": "NORMAL"},
    }


def reader_entry(reader_id: str, port: int, antennas: dict[int, str], gate: str | None,
                 tracker: dict[str, Any], report_ms: int = 1000) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": reader_id,
        "host": "127.0.0.1",
        "port": port,
        "antennas": dict(antennas),
        "tracker": tracker,
        "report_every_n_tags": 1000,
        "report_timeout_ms": report_ms,
    }
    if gate is not None:
        inside, outside = sorted(antennas)
        entry["gates"] = [{"id": gate, "inside": inside, "outside": outside,
                           "params": {"quiet_s": 10.0, "max_visit_s": 60.0}}]
        entry["silence_s"] = 120.0
        # the gate judges a walk on its reads' own time; only when no report comes for this long (simulated) does
        # the agent's clock close a visit. At 60x, 30 s is half a real second: a stall of a loaded machine between
        # two reports of one walk must not cut the walk in two
        entry["report_grace_s"] = 30.0
    return entry


def edge_yaml(store: str, broker_url: str, state_dir: Path, readers: list[dict[str, Any]],
              cameras: list[dict[str, Any]] | None = None,
              scales: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "store": store,
        "broker": {"url": broker_url},
        "state_dir": str(state_dir),
        "readers": readers,
        "cameras": cameras or [],
    }
    if scales:
        data["scales"] = scales
    return data
