"""The grounding check: every number in an answer is one of the hub's own values.

The allowed numbers are computed here from the hub's database and its fusion
(the same source the dashboard reads), independently of the assistant: the
catalog row of each product the answer names (price, aisle, shelf, pack
size, weight, the digits in its name and brand), the shelf count and the
time of day it was counted (in the shop's time zone), and the FAQ file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from hub.assistant.faq import load_faq
from hub.inventory.fusion import Fusion

NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def numbers(text: str) -> list[float]:
    return [float(n.replace(",", ".")) for n in NUMBER.findall(text)]


def hub_values(db: sqlite_utils.Database, fusion: Fusion, gtin: str, now: float, zone: str) -> dict[str, object]:
    row = db.execute(
        "SELECT name, brand, category, price_cents, unit_weight_g, aisle, shelf, pack_size FROM products "
        "WHERE gtin = ?",
        [gtin],
    ).fetchone()
    assert row, f"{gtin} is not in the hub's catalog"
    name, brand, category, price_cents, weight, aisle, shelf, pack = row
    view = fusion.sku(gtin, now).as_json()
    floor = view["floor"]["units"]
    ages = [a for a in (view["floor"]["age_s"], view["shelf"]["age_s"]) if a is not None]
    counted = now - min(ages) if ages and floor is not None else None
    return {
        "name": name,
        "brand": brand,
        "category": category,
        "price": price_cents / 100,
        "weight": weight,
        "aisle": aisle,
        "shelf": shelf,
        "pack": pack,
        "on_shelf": floor,
        "counted": counted,
        "zone": zone,
    }


def allowed_numbers(values: list[dict[str, object]], faq_texts: list[str]) -> set[float]:
    allowed: set[float] = set()
    for v in values:
        allowed.add(round(float(v["price"]), 2))  # type: ignore[arg-type]
        for key in ("name", "brand", "category", "aisle", "shelf"):
            allowed.update(numbers(str(v[key])))
        allowed.add(float(v["pack"]))  # type: ignore[arg-type]
        allowed.add(float(v["weight"]))  # type: ignore[arg-type]
        if v["on_shelf"] is not None:
            allowed.add(float(v["on_shelf"]))  # type: ignore[arg-type]
        if v["counted"] is not None:
            moment = datetime.fromtimestamp(float(v["counted"]), UTC).astimezone(ZoneInfo(str(v["zone"])))  # type: ignore[arg-type]
            allowed.update({float(moment.hour), float(moment.minute)})
    for text in faq_texts:
        allowed.update(numbers(text))
    return allowed


def faq_texts() -> list[str]:
    return [t for e in load_faq().values() for t in (e.fr, e.en)]


def assert_grounded(
    answer: str, products: list[dict[str, object]], db: sqlite_utils.Database, fusion: Fusion, now: float, zone: str
) -> None:
    """Each number in ``answer`` is a hub value; each product field equals the hub's value."""
    values = []
    for p in products:
        v = hub_values(db, fusion, str(p["gtin"]), now, zone)
        values.append(v)
        assert p["name"] == v["name"] and p["aisle"] == v["aisle"] and p["shelf"] == v["shelf"], p
        assert abs(float(p["price"]) - float(v["price"])) < 1e-9, (p, v)  # type: ignore[arg-type]
        assert p["on_shelf"] == v["on_shelf"], (p, v)
        if v["counted"] is None:
            assert p["updated_at"] is None
        else:
            stamp = datetime.fromisoformat(str(p["updated_at"]).replace("Z", "+00:00")).timestamp()
            assert abs(stamp - float(v["counted"])) < 1e-3, (p, v)  # type: ignore[arg-type]
    allowed = allowed_numbers(values, faq_texts())
    stray = [n for n in numbers(answer) if n not in allowed]
    assert not stray, f"numbers {stray} in {answer!r} are not the hub's values {sorted(allowed)}"
