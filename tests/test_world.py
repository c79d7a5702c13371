"""The store world: catalog, planogram, tagged items, movers and ground truth."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import timedelta

import epcpy
import pytest

from comptoir.catalog_csv import OPTIONAL_COLUMNS
from comptoir.contract import gtin14
from simulators.world import COLUMNS, CatalogError, Status, World, WorldParams, load_catalog
from simulators.world.catalog import default_catalog_path


def test_catalog_is_a_few_hundred_valid_french_products() -> None:
    with default_catalog_path().open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert tuple(header[:len(COLUMNS)]) == COLUMNS and set(header[len(COLUMNS):]) <= set(OPTIONAL_COLUMNS)
    products = load_catalog()
    assert 200 <= len(products) <= 600
    assert len({p.gtin for p in products}) == len(products)
    for p in products:
        assert len(p.gtin) == 13 and gtin14(p.gtin) == p.gtin14
        assert p.price_eur > 0 and p.price_eur.as_tuple().exponent == -2
    categories = Counter(p.category for p in products)
    assert len(categories) >= 10
    assert any("Huile d'olive" in p.name for p in products)
    assert {p.package for p in products} == {"box", "bottle", "can", "bag", "jar"}


def test_a_bad_catalog_line_names_line_and_column(tmp_path) -> None:
    bad = tmp_path / "catalog.csv"
    bad.write_text(",".join(COLUMNS) + "\n3017620422003,Pâte,Marque,Épicerie,2.5x,400,A1,1,6,Fournisseur,3\n")
    with pytest.raises(CatalogError, match=r"catalog.csv:2: price_eur"):
        load_catalog(bad)
    bad.write_text(",".join(COLUMNS) + "\n3017620422004,Pâte,Marque,Épicerie,2.50,400,A1,1,6,Fournisseur,3\n")
    with pytest.raises(CatalogError, match=r"catalog.csv:2: gtin: .*check digit"):
        load_catalog(bad)


def test_items_carry_sgtin96_epcs_of_their_product() -> None:
    world = World(seed=1, params=WorldParams(products=20), movers=False)
    assert len(world.items) > 100
    for item in list(world.items.values())[:50]:
        tag = epcpy.hex_to_tag_encodable(item.epc)
        assert type(tag).__name__ == "SGTIN" and len(item.epc) == 24
        assert tag.gtin() == item.gtin
        assert tag.epc_uri.endswith(f".{item.serial}")


def test_planogram_slots_cameras_and_scales() -> None:
    world = World(seed=1, movers=False)
    slots = world.planogram.slots
    assert len(slots) == len(world.products)
    slot = next(iter(slots.values()))
    aisle, bay, shelf, pos = slot.slot_id.split("-")
    assert aisle.startswith("A") and bay.startswith("B") and shelf.startswith("S") and len(pos) == 2
    assert all(bay.camera for bay in world.planogram.bays.values())
    scales = world.planogram.scales
    assert scales, "fruit and vegetables sit on weighing shelves"
    scale_id, scale_slot = next(iter(scales.items()))
    assert world.units_on_scale(scale_id) == world.facings(scale_slot.slot_id) > 0


def test_same_seed_same_shop() -> None:
    a = World(seed=5, params=WorldParams(products=40))
    b = World(seed=5, params=WorldParams(products=40))
    a.advance(3 * 3600)
    b.advance(3 * 3600)
    assert a.ground_truth() == b.ground_truth()
    c = World(seed=6, params=WorldParams(products=40))
    c.advance(3 * 3600)
    assert c.ground_truth() != a.ground_truth()


def test_movers_pick_pay_steal_restock_and_deliver() -> None:
    world = World(seed=2, params=WorldParams(products=60, theft_rate=0.2, delivery_every_s=2 * 3600))
    kinds: Counter[str] = Counter()
    world.subscribe(lambda change: kinds.update([change.kind]))
    start = world.now
    world.advance(6 * 3600)
    assert world.now == start + timedelta(hours=6)
    statuses = Counter(item.where.status for item in world.items.values())
    assert statuses[Status.SOLD] > 20 and statuses[Status.STOLEN] >= 1
    for kind in ("picked", "paid", "left", "placed", "delivered", "stored"):
        assert kinds[kind] > 0, kind
    # every unit that left went through the exit gate, and nothing else is outside
    for item in world.items.values():
        assert (item.where.zone is None) == (not item.where.status.in_shop)
    # zone index agrees with the items
    for zone in world.zones:
        assert all(i.where.zone == zone for i in world.items_in_zone(zone))
    # shelves never hold more than their capacity, nor another product
    for slot in world.planogram.slots.values():
        on = world.slot_items(slot.slot_id)
        assert len(on) <= slot.capacity
        assert all(i.gtin == slot.gtin for i in on)
