"""The store world's fresh food: shoppers reach for the freshest date, staff take expired lots off, labels tempt."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from simulators.demo import reference
from simulators.pos.labels import labels_in, read_label
from simulators.score.fresh import element_string
from simulators.world import World, WorldParams, load_catalog
from simulators.world.fresh import FreshParams, FreshShop, Label, Lot, fresh_products

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 1, 5)


def shop_of(names: tuple[str, ...], seed: int = 3, **params: object) -> tuple[World, FreshShop]:
    start = datetime.combine(MONDAY, time(0, 0), PARIS)
    world = World(seed=seed, params=WorldParams(products=1), movers=False, start=start)
    products = [p for p in load_catalog() if any(p.name.startswith(n) for n in names)]
    shop = FreshShop(world, products, FreshParams(**params), seed=seed)  # type: ignore[arg-type]
    return world, shop


def two_lots(shop: FreshShop, gtin: str, old: date, new: date, units: int = 40) -> tuple[Lot, Lot]:
    """Replace the opening stock with an old and a new lot, ``units`` each, and no orders."""
    shop.world.advance(0)  # the opening stock is delivered on the world's first step
    assert any(e.kind == "delivered" for e in shop.events)
    received = shop.world.now - timedelta(days=2)
    shop.lots[gtin] = [Lot(gtin, "LOLD", old, units, received), Lot(gtin, "LNEW", new, units, received)]
    shop.on_order.clear()
    return shop.lots[gtin][0], shop.lots[gtin][1]


def test_the_demo_catalog_has_dated_fresh_products_with_costs(tmp_path: Path) -> None:
    fresh = fresh_products(load_catalog())
    families = {p.category for p in fresh}
    assert {"Boulangerie", "Fruits et légumes", "Crèmerie et frais"} <= families and len(fresh) >= 30
    world, shop = shop_of(("Baguette", "Jambon de Paris", "Yaourt nature"))
    path = reference.write_catalog(world, tmp_path / "catalog.csv", extra=shop.products, dates=True)
    rows = {r["name"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}
    assert rows["Jambon de Paris x2 Madrange"]["date_kind"] == "use_by"
    assert rows["Baguette tradition"]["date_kind"] == "best_before"
    assert all(0 < float(r["cost_eur"]) < float(r["price_eur"]) for r in rows.values())


def test_shoppers_take_the_freshest_date_and_leave_the_old_lot_behind() -> None:
    world, shop = shop_of(("Yaourt nature",), freshest_share=1.0)
    gtin = shop.products[0].gtin14
    old, new = two_lots(shop, gtin, MONDAY + timedelta(days=3), MONDAY + timedelta(days=12))
    world.advance(21 * 3600)  # Monday until 21:00
    sold = [e for e in shop.events if e.kind == "sold"]
    assert sold, "nobody bought yoghurts on a Monday"
    assert {e.lots[0][1] for e in sold} == {"LNEW"}
    assert old.units == 40 and new.units == 40 - len(sold)


def test_some_shoppers_take_the_front_unit_when_not_all_reach_behind() -> None:
    world, shop = shop_of(("Baguette",), freshest_share=0.5)
    gtin = shop.products[0].gtin14
    two_lots(shop, gtin, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2), units=200)
    world.advance(21 * 3600)
    lots = [e.lots[0][1] for e in shop.events if e.kind == "sold"]
    assert lots.count("LOLD") > 0 and lots.count("LNEW") > 0


def test_best_before_lots_leave_at_the_morning_check_use_by_ones_the_evening_of_their_date() -> None:
    world, shop = shop_of(("Yaourt nature", "Jambon de Paris"))
    yoghurt, ham = (p.gtin14 for p in sorted(shop.products, key=lambda p: p.name, reverse=True))
    assert shop.date_kind[yoghurt] == "best_before" and shop.date_kind[ham] == "use_by"
    two_lots(shop, yoghurt, MONDAY, MONDAY + timedelta(days=10), units=500)  # best before Monday
    two_lots(shop, ham, MONDAY, MONDAY + timedelta(days=5), units=500)  # use by Monday
    world.advance(19 * 3600)  # Monday 19:00: both still on the shelf
    assert not [e for e in shop.events if e.kind == "expired"]
    world.advance(2 * 3600)  # 21:00: the ham's date ended at closing
    expired = [e for e in shop.events if e.kind == "expired"]
    assert [(e.lots[0][0], e.lots[0][1]) for e in expired] == [(ham, "LOLD")]
    assert expired[0].time == datetime.combine(MONDAY, time(20, 0), PARIS)
    world.advance(10 * 3600)  # Tuesday 07:00 has passed: the morning check takes the yoghurts of Monday off
    expired = [e for e in shop.events if e.kind == "expired"]
    assert [(e.lots[0][0], e.lots[0][1]) for e in expired][1:] == [(yoghurt, "LOLD")]
    assert expired[1].time == datetime.combine(MONDAY + timedelta(days=1), time(7, 0), PARIS)
    assert shop.truth.wasted_units == expired[0].lots[0][3] + expired[1].lots[0][3]
    assert shop.truth.wasted_cents == sum(e.lots[0][3] * shop.truth.cost[e.lots[0][0]] for e in expired)


def test_a_reduced_label_sells_the_old_lot_and_what_is_left_is_donated_when_the_fallback_says_so() -> None:
    world, shop = shop_of(("Croissants",), freshest_share=1.0)
    gtin = shop.products[0].gtin14
    old, _ = two_lots(shop, gtin, MONDAY, MONDAY + timedelta(days=2), units=30)
    price = round(shop.price[gtin] * 0.6)
    text = f"{element_string(gtin, MONDAY, 'LOLD')}(3922){price // 100}{price % 100:02d}"
    label = Label(price, datetime.combine(MONDAY, time(8, 0), PARIS), datetime.combine(MONDAY, time(23, 59), PARIS),
                  "donate", text)
    assert shop.label(gtin, "LOLD", MONDAY, label) == 30
    world.advance(21 * 3600)
    reduced = [e for e in shop.events if e.kind == "sold" and e.label]
    assert reduced and all(e.price_cents == price and e.lots[0][1] == "LOLD" for e in reduced)
    assert shop.truth.recovered_cents == price * len(reduced)
    world.advance(11 * 3600)  # Tuesday's morning check
    donated = [e for e in shop.events if e.kind == "donated"]
    assert old.units == 0 and shop.truth.wasted_units == 0
    assert sum(e.lots[0][3] for e in donated) == 30 - len(reduced) == shop.truth.donated_units


def test_the_till_reads_a_labels_price_lot_and_date_from_its_element_string() -> None:
    page = "<div class='code'>(01)03017760000000(17)260105(10)LOLD(3922)0129</div>"
    [text] = labels_in(page)
    scan = read_label(text)
    assert (scan.gtin, scan.lot, scan.expiry, scan.price_cents) == ("03017760000000", "LOLD", MONDAY, 129)


def test_the_same_seed_gives_the_same_history_and_days() -> None:
    runs = []
    for _ in range(2):
        world, shop = shop_of(("Baguette", "Yaourt nature", "Tomates"), seed=11)
        history = shop.history()
        world.advance(3 * 86400)
        runs.append((history, [(e.time, e.kind, e.lots) for e in shop.events]))
    assert runs[0] == runs[1]
    promo_days = {day for day, gtin, units, price in runs[0][0] if price < shop.price[gtin]}
    assert promo_days, "the history has no promotion to learn elasticity from"
