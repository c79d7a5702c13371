"""Recommendations: better than popularity on the store world's receipts, on-shelf only, consent-gated, erasable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hub.privacy import consent, customers
from hub.recommend.baskets import Basket
from hub.recommend.evaluate import EvalSettings, evaluate
from tests.kiosk.conftest import KioskRig
from tests.kiosk.shop import NOW, Scenario
from tests.kiosk.world_baskets import Receipt, write_csv


def baskets_of(receipts: list[Receipt], customers_too: bool = True) -> list[Basket]:
    return [Basket(r.basket_id, r.items, r.customer_id if customers_too else None, r.ts) for r in receipts]


def test_beats_popularity_on_the_world_receipts(receipts: list[Receipt]) -> None:
    anonymous = evaluate(baskets_of(receipts, customers_too=False))
    assert anonymous["baskets"] >= 100
    assert anonymous["recommender"]["hr@10"] > 1.5 * anonymous["popularity"]["hr@10"], anonymous
    assert anonymous["recommender"]["ndcg@10"] > anonymous["popularity"]["ndcg@10"], anonymous
    personal = evaluate(baskets_of(receipts))  # each loyalty customer's last basket held out
    assert personal["baskets"] >= 20
    assert personal["recommender"]["hr@10"] > personal["popularity"]["hr@10"], personal


def test_random_shoppers_give_nothing_to_learn_and_it_falls_back_to_popularity() -> None:
    import random

    rng = random.Random(4)
    items = [f"p{i}" for i in range(60)]
    baskets = [Basket(f"b{n}", rng.sample(items, 3)) for n in range(600)]
    result = evaluate(baskets, EvalSettings(min_support=3))
    assert result["recommender"]["hr@10"] >= result["popularity"]["hr@10"] - 0.08, result


def test_evaluate_command(tmp_path: Path, receipts: list[Receipt]) -> None:
    path = tmp_path / "baskets.csv"
    write_csv(receipts, path)
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", "recommend", "evaluate", "--baskets", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"recommender", "popularity", "baskets"}
    assert set(result["recommender"]) == {"hr@10", "ndcg@10"} and result["baskets"] > 0
    text = subprocess.run(
        [sys.executable, "-m", "comptoir", "recommend", "evaluate", "--baskets", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "HR@10" in text.stdout and "popularity" in text.stdout


def test_evaluate_names_what_is_wrong_with_a_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("basket,product\n1,2\n")
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", "recommend", "evaluate", "--baskets", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "missing column 'basket_id'" in done.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "comptoir", "recommend", "evaluate", "--baskets", str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode != 0 and "none.csv" in missing.stderr


def test_suggestions_are_on_the_shelf_now_with_a_reason(rig: KioskRig) -> None:
    spaghetti = rig.db.execute("SELECT gtin FROM products WHERE name LIKE 'Spaghetti Panzani%'").fetchone()[0]
    items, personalised = rig.assistant.recommender.for_product(spaghetti, NOW.timestamp(), k=5)
    assert items and not personalised
    assert all(s.facts.on_shelf and s.facts.on_shelf > 0 for s in items)
    assert items[0].kind == "together" and items[0].together and items[0].together >= 2
    assert spaghetti not in {s.facts.gtin for s in items}


def test_an_empty_shelf_is_never_suggested(shop_copy: tuple[Path, Scenario]) -> None:
    rig = KioskRig(shop_copy[0])
    spaghetti = rig.db.execute("SELECT gtin FROM products WHERE name LIKE 'Spaghetti Panzani%'").fetchone()[0]
    first = rig.assistant.recommender.for_product(spaghetti, NOW.timestamp(), k=5)[0][0].facts.gtin
    with rig.db.conn:
        rig.db.conn.execute("UPDATE items SET state = 'sold', zone = NULL WHERE gtin = ? AND state = 'floor'", [first])
    rig.fusion.load()
    again = [s.facts.gtin for s in rig.assistant.recommender.for_product(spaghetti, NOW.timestamp(), k=5)[0]]
    assert first not in again and again


def _loyal_customer(rig: KioskRig) -> str:
    row = rig.db.execute(
        "SELECT customer_id, COUNT(*) c FROM loyalty_receipts GROUP BY customer_id ORDER BY c DESC, customer_id LIMIT 1"
    ).fetchone()
    return row[0]


def test_buy_again_only_with_consent_and_stops_at_once(shop_copy: tuple[Path, Scenario]) -> None:
    rig = KioskRig(shop_copy[0])
    customer = _loyal_customer(rig)
    now = NOW.timestamp()
    items, personalised = rig.assistant.recommender.for_product(None, now, customer=customer, k=5)
    assert not personalised and all(s.kind != "buy_again" for s in items)
    consent.record(rig.db, customer, consent.PERSONALISATION, True, now, "marie")
    items, personalised = rig.assistant.recommender.for_product(None, now, customer=customer, k=5)
    bought = {g for g, _, _ in customers.purchases(rig.db, customer)}
    assert personalised and any(s.kind == "buy_again" and s.facts.gtin in bought for s in items)
    consent.record(rig.db, customer, consent.PERSONALISATION, False, now + 1, "marie")
    items, personalised = rig.assistant.recommender.for_product(None, now + 2, customer=customer, k=5)
    assert not personalised and all(s.kind != "buy_again" for s in items)
    assert [e.action for e in consent.history(rig.db, customer)] == ["given", "withdrawn"]


def test_export_then_erasure_removes_the_customer_everywhere(shop_copy: tuple[Path, Scenario]) -> None:
    rig = KioskRig(shop_copy[0])
    customer = _loyal_customer(rig)
    now = NOW.timestamp()
    consent.record(rig.db, customer, consent.PERSONALISATION, True, now, "marie")
    data = customers.export(rig.db, customer)
    assert data["receipts"] and data["receipts"][0]["lines"] and data["consents"][0]["action"] == "given"
    sales_before = rig.db.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
    removed = customers.erase(rig.db, customer, now, "marie")
    assert removed == len(data["receipts"]) + len(data["consents"])
    tables = customers.customer_tables(rig.db)
    assert {"consent_ledger", "loyalty_receipts"} <= set(tables)
    for table in tables:
        assert rig.db.execute(f"SELECT COUNT(*) FROM {table} WHERE customer_id = ?", [customer]).fetchone()[0] == 0
    dump = "\n".join(rig.db.iterdump())
    assert customer not in dump
    assert rig.db.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == sales_before  # anonymous sales stay
    assert customers.export(rig.db, customer) == {"customer_id": customer, "consents": [], "receipts": []}
    assert not rig.assistant.recommender.for_product(None, now, customer=customer)[1]
