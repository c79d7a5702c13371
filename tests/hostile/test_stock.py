"""Hostile input to the stock API: scanner garbage, counts for slots that do not exist, negative and absurd
quantities, unknown GTINs, mixed good and bad lines. Each request is accepted whole or refused whole with a
4xx naming the field; a refused one changes nothing (deliveries, adjustments, order totals, count entries),
and the app keeps answering. In process (the real app over real SQLite); sized by COMPTOIR_HOSTILE_SCALE.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.clock import ManualClock
from comptoir.contract import gtin14
from hub.app import create_app
from hub.auth import create_user
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from hub.timeutil import ts
from tests.hostile.scale import hostile_scale
from tests.hub.support import FLOUR, NUTELLA, OIL, LocalHub, make_gtin, reference_database

GOOD = [FLOUR, NUTELLA, OIL]
SLOTS = ["A2-B1-S3-04", "A3-B1-S1-01", "A3-B1-S2-02"]
garbage_text = st.one_of(st.text(max_size=30), st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
                         st.sampled_from(["", " ", "\r\n", "]E0", "(01)", "0" * 14, "3760000000039", make_gtin(999),
                                          "1e5", "-1", "١٢٣٤٥٦٧٨", "37600000000３1"]))
quantity = st.one_of(st.integers(-5, 30), st.sampled_from([10**7, -(10**9), 2**63]), st.floats(allow_nan=True),
                     st.text(max_size=4), st.none(), st.booleans())
gtin = st.one_of(st.sampled_from(GOOD), garbage_text)


def request_strategy(po_id: int, count_id: int) -> st.SearchStrategy[tuple[str, object]]:
    line = st.fixed_dictionaries({"gtin": gtin, "quantity": quantity})
    return st.one_of(
        st.tuples(st.just("/api/stock/deliveries"), st.fixed_dictionaries(
            {"po_id": st.one_of(st.just(po_id), st.integers(-3, 10**6)),
             "lines": st.lists(line, max_size=4), "scans": st.lists(st.one_of(st.sampled_from(GOOD), garbage_text),
                                                                     max_size=5)})),
        st.tuples(st.just(f"/api/stock/counts/{count_id}/entries"), st.fixed_dictionaries({"entries": st.lists(
            st.one_of(st.fixed_dictionaries({"slot": st.one_of(st.sampled_from(SLOTS), garbage_text),
                                             "counted": quantity}),
                      st.fixed_dictionaries({"gtin": gtin, "counted": quantity})), max_size=4)})),
        st.tuples(st.just("/api/stock/adjustments"), st.fixed_dictionaries({"lines": st.lists(st.fixed_dictionaries(
            {"gtin": gtin, "reason": st.one_of(st.sampled_from(["damage", "count", "found", "own_use"]),
                                               garbage_text), "quantity": quantity}), max_size=4)})),
        st.tuples(st.just(f"/api/stock/counts/{count_id}/sweep"), st.fixed_dictionaries(
            {"source": st.sampled_from(["handheld", "fixed", "x"]), "epcs": st.lists(garbage_text, max_size=4)})),
    )


def state(local: LocalHub, count_id: int) -> tuple:
    db = local.db
    return (db.execute("SELECT COUNT(*), COALESCE(SUM(delta), 0) FROM stock_adjustments").fetchone(),
            db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0],
            tuple(db.execute("SELECT gtin, received FROM purchase_order_lines ORDER BY gtin").fetchall()),
            tuple(db.execute("SELECT gtin, slot, counted FROM count_entries WHERE count_id = ? ORDER BY 1, 2",
                             (count_id,)).fetchall()))


def test_hostile_stock_requests_are_whole_or_refused(tmp_path: Path) -> None:
    db = reference_database(tmp_path)
    clock = ManualClock()
    create_user(db, "paul", "croissant-43", "manager", ts(clock.now()))
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=EventBus())
    local = LocalHub(HubConfig(store="test", db=tmp_path / "hub.sqlite"), db, ingest, EventBus(), clock)
    with db.conn:
        po_id = db.conn.execute("INSERT INTO purchase_orders (supplier, state, created, created_by) "
                                "VALUES ('F', 'open', 0, 'paul')").lastrowid
        db.conn.executemany("INSERT INTO purchase_order_lines (po_id, gtin, quantity) VALUES (?, ?, 10000)",
                            [(po_id, gtin14(g)) for g in GOOD])
    tally = {"tried": 0, "rejected": 0, "accepted": 0, "server_errors": 0, "half_applied": 0}

    async def run(examples: list[tuple[str, object]]) -> None:
        app = create_app(local)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub",
                                     headers={"Origin": "http://hub"}) as client:
            assert (await client.post("/api/session", json={"username": "paul", "password": "croissant-43"})
                    ).is_success
            count_id = (await client.post("/api/stock/counts", json={"scope": "all"})).json()["id"]
            for path, body in examples:
                path = path.replace("{count}", str(count_id))
                before = state(local, count_id)
                response = await client.post(path, json=body)
                tally["tried"] += 1
                if response.status_code >= 500:
                    tally["server_errors"] += 1
                elif response.is_success:
                    tally["accepted"] += 1
                else:
                    tally["rejected"] += 1
                    text = str(response.json().get("error") or response.json().get("detail"))
                    assert text and ":" in text, f"{path} {body!r}: {response.status_code} {text!r} names no field"
                    if state(local, count_id) != before:
                        tally["half_applied"] += 1
            assert (await client.get("/api/stock/adjustments")).is_success  # still answering

    examples: list[tuple[str, object]] = []

    @settings(max_examples=100 * hostile_scale(), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request_strategy(po_id, 0))
    def collect(example: tuple[str, object]) -> None:
        path, body = example
        examples.append((path.replace("/counts/0/", "/counts/{count}/"), body))

    collect()
    random.Random(1).shuffle(examples)
    asyncio.run(run(examples))
    print(f"HOSTILE part=stock tried={tally['tried']} rejected={tally['rejected']} accepted={tally['accepted']} "
          f"alive=yes lost=0 server_errors={tally['server_errors']} half_applied={tally['half_applied']}")
    assert tally["server_errors"] == 0 and tally["half_applied"] == 0
    assert tally["rejected"] > tally["tried"] // 3 and tally["accepted"] > 0
