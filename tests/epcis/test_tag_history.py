"""Each tag's movements, written by ingest in the batch's transaction, and what the EPCIS export makes of them.

Real SQLite, real ingest and fusion; messages go straight to ingest (the
broker is not what is under test here; tests/epcis/test_simulated_day.py
runs the whole shop).
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from comptoir.clock import ManualClock
from comptoir.contract import GatePassage, PosReceipt, ZoneEvent, gtin14
from hub.app import create_app
from hub.config import HubConfig
from hub.epcis.document import NotConfigured, epcis_document
from hub.epcis.export import export, movements
from hub.epcis.partners import add_partner
from hub.epcis.query import BIZ_STEP, EPC, EVENT_TYPE, PRODUCT, EventQuery, QueryError, listed, select, split
from hub.epcis.settings import EpcisSettings
from hub.epcis.vocabulary import BIZ_STEPS, MOVE_WORDS, ZONE_WORDS
from hub.events import EventBus
from hub.ingest import Ingest
from hub.inventory.settings import FusionSettings
from hub.inventory.tag_history import TagHistorySettings, TagMove, prune, record_tag_event, tag_events
from hub.timeutil import ts
from tests.epcis.schema import SCHEMA, schema_errors
from tests.hub.support import NUTELLA, OIL, Devices, LocalHub, epc, reference_database

GLN = "3012345000017"  # check digit 7
EPCIS = EpcisSettings(gln=GLN, company_prefix_digits=7)


def moves(ingest: Ingest, tag: str) -> list[tuple[str, str | None]]:
    return [(e.kind.value, e.zone) for e in reversed(tag_events(ingest.db.conn, tag))]


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Ingest, ManualClock, Devices]:
    clock = ManualClock()
    ingest = Ingest(reference_database(tmp_path), clock, FusionSettings(exit_grace_s=0.0), store="test")
    return ingest, clock, Devices()


def step(ingest: Ingest, clock: ManualClock, *messages: object) -> None:
    ingest.handle_batch(list(messages))  # type: ignore[arg-type]
    clock.advance(10)


def test_a_tags_journey_is_kept_move_by_move_and_a_replayed_batch_counts_once(shop) -> None:
    ingest, clock, d = shop
    sold, stolen = epc(1), epc(2)
    for tag, gtin, serial in ((sold, NUTELLA, "1001"), (stolen, OIL, "1002")):
        step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=tag, gtin=gtin,
                                   serial=serial, location="backroom", antenna=1))
        step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="moved", epc=tag, gtin=gtin,
                                   serial=serial, location="floor-a2", from_location="backroom", antenna=2))
    receipt = d.make(PosReceipt, "till-1", time=clock.now(), lane="lane-1", receipt_id="R1", total_cents=389,
                     lines=[{"gtin": NUTELLA, "quantity": 1, "unit_price_cents": 389, "epcs": [sold]}])
    step(ingest, clock, receipt)
    step(ingest, clock, receipt)  # the broker hands a batch again after a crash: the message id makes it count once
    step(ingest, clock, d.make(GatePassage, "gate-1", time=clock.now(), gate="gate-1", direction="out", epc=sold,
                               gtin=NUTELLA))  # carried out after paying: no new move
    step(ingest, clock, d.make(GatePassage, "gate-1", time=clock.now(), gate="gate-1", direction="out", epc=stolen,
                               gtin=OIL))
    ingest.tick()  # the exit grace (0 s here) is over: the unpaid exit stands
    step(ingest, clock, d.make(GatePassage, "gate-1", time=clock.now(), gate="gate-1", direction="in", epc=stolen,
                               gtin=OIL))
    refund = d.make(PosReceipt, "till-1", time=clock.now(), lane="lane-1", receipt_id="R2", total_cents=-389,
                    lines=[{"gtin": NUTELLA, "quantity": -1, "unit_price_cents": 389, "epcs": [sold]}])
    step(ingest, clock, refund)

    assert moves(ingest, sold) == [("zone", "backroom"), ("zone", "floor-a2"), ("sold", "floor-a2"),
                                   ("returned", "gate-1")]
    assert moves(ingest, stolen) == [("zone", "backroom"), ("zone", "floor-a2"), ("left", "gate-1"),
                                     ("returned", "gate-1")]
    first = tag_events(ingest.db.conn, sold)[-1]
    assert first.zone_kind == "backroom" and first.device == "reader-1" and first.gtin == gtin14(NUTELLA)
    assert ingest.tag_history.recorded == 8

    # a restarted hub starts from the stored items: seeing the sold item's tag again is no new move
    again = Ingest(ingest.db, clock, FusionSettings(exit_grace_s=0.0), store="test")
    again.handle_batch([d.make(GatePassage, "gate-1", time=clock.now(), gate="gate-1", direction="in", epc=stolen,
                               gtin=OIL)])
    assert len(tag_events(ingest.db.conn, stolen)) == 4


def test_the_export_of_the_journey_validates_against_gs1s_schema_with_cbv_words(shop) -> None:
    ingest, clock, d = shop
    start = ts(clock.now())
    tag = epc(7)
    step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=tag, gtin=NUTELLA,
                               serial="77", location="floor-a2", antenna=2))
    with ingest.db.conn:
        record_tag_event(ingest.db.conn, epc(8), "commissioned", ts(clock.now()), now=ts(clock.now()),
                         gtin=gtin14(OIL))  # issue 20's label printer: an EPC without a serial the hub knows
    step(ingest, clock, d.make(PosReceipt, "till-1", time=clock.now(), lane="lane-1", receipt_id="R9",
                               total_cents=389,
                               lines=[{"gtin": NUTELLA, "quantity": 1, "unit_price_cents": 389, "epcs": [tag]}]))
    document = export(ingest.db.conn, EPCIS, "test", start, ts(clock.now()), ts(clock.now()))
    assert schema_errors(document) == []
    events = document["epcisBody"]["eventList"]
    assert [(e["action"], e["bizStep"], e["disposition"]) for e in events] == [
        ("OBSERVE", "stocking", "sellable_accessible"), ("ADD", "commissioning", "active"),
        ("OBSERVE", "retail_selling", "retail_sold")]
    assert events[0]["epcList"] == [f"https://id.gs1.org/01/{gtin14(NUTELLA)}/21/77"]
    assert events[1]["epcList"] == [f"urn:epc:raw:96.x{epc(8)}"]
    assert events[0]["readPoint"] == {"id": "urn:epc:id:sgln:3012345.00001.floor-a2"}
    assert events[0]["bizLocation"] == {"id": "urn:epc:id:sgln:3012345.00001.0"}
    assert "bizLocation" not in events[2], "a sold item is no longer at the shop"
    # per product: only the oil's commissioning
    oil = export(ingest.db.conn, EPCIS, "test", start, ts(clock.now()), ts(clock.now()), [OIL])
    assert [e["bizStep"] for e in oil["epcisBody"]["eventList"]] == ["commissioning"]
    # the same movement exported twice keeps its event id (a partner drops the repeat)
    assert export(ingest.db.conn, EPCIS, "test", start, ts(clock.now()), ts(clock.now())) == {
        **document, "creationDate": document["creationDate"]}
    with pytest.raises(NotConfigured, match=r"epcis\.gln"):
        export(ingest.db.conn, EpcisSettings(), "test", start, ts(clock.now()), ts(clock.now()))


def test_the_query_selects_by_biz_step_epc_and_time_and_refuses_what_it_cannot_read(shop) -> None:
    ingest, clock, d = shop
    for n, zone in ((1, "backroom"), (2, "floor-a2"), (3, "floor-a3")):
        step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(n),
                                   gtin=NUTELLA, serial=str(n), location=zone, antenna=n))
    conn = ingest.db.conn
    assert [m.epc for m in select(conn, EventQuery(biz_steps=["stocking"]))] == [epc(2), epc(3)]
    assert [m.epc for m in select(conn, EventQuery(biz_steps=["https://ref.gs1.org/cbv/BizStep-storing"]))] == [
        epc(1)]
    assert select(conn, EventQuery(biz_steps=["shipping"])) == []
    dl = f"https://id.gs1.org/01/{gtin14(NUTELLA)}/21/3"
    assert [m.epc for m in select(conn, EventQuery(epcs=[dl, f"urn:epc:raw:96.x{epc(1)}"]))] == [epc(1), epc(3)]
    second = select(conn, EventQuery())[1]
    assert [m.epc for m in select(conn, EventQuery(ge_time=second.time, lt_time=second.time + 1))] == [epc(2)]
    with pytest.raises(QueryError, match="MATCH_epc"):
        select(conn, EventQuery(epcs=["not-an-epc"]))
    with pytest.raises(QueryError, match="MATCH_epcClass"):
        select(conn, EventQuery(products=["12345"]))


STOCKING = ("stocking", "urn:epcglobal:cbv:bizstep:stocking", "https://ref.gs1.org/cbv/BizStep-stocking")


def test_a_biz_step_is_a_cbv_word_or_a_uri_and_anything_else_is_refused_naming_the_parameter(shop) -> None:
    ingest, clock, d = shop
    for n, zone in ((1, "backroom"), (2, "floor-a2")):
        step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(n),
                                   gtin=NUTELLA, serial=str(n), location=zone, antenna=n))
    conn = ingest.db.conn
    for value in STOCKING:  # the CBV word, its URN (EPCIS 1.x) and GS1's web URI (EPCIS 2.0)
        assert [m.epc for m in select(conn, EventQuery(biz_steps=[value]))] == [epc(2)], value
    # a step of another vocabulary is a URI, so a fair question: none of the hub's events has it
    assert select(conn, EventQuery(biz_steps=["https://example.com/steps/sorting", "urn:example:sorting"])) == []
    # a number (what a fuzzer sends for a list of strings), a typo, a CBV URI naming no CBV step, space, nothing
    for value in ("4.026e+153", "12", "stockin", "urn:epcglobal:cbv:bizstep:stockin", " stocking", ""):
        with pytest.raises(QueryError, match=r"^EQ_bizStep: "):
            select(conn, EventQuery(biz_steps=[value]))
    assert {w.biz_step for w in (*MOVE_WORDS.values(), *ZONE_WORDS.values())} <= set(BIZ_STEPS)
    gs1 = json.loads(SCHEMA.read_text())["definitions"]["bizStep"]["anyOf"]
    assert sorted(BIZ_STEPS) == sorted(next(b["enum"] for b in gs1 if "enum" in b))  # GS1's list, no more, no less
    # event types: EPCIS's five (the hub makes ObjectEvents only), anything else refused
    assert len(select(conn, EventQuery(event_types=["ObjectEvent", "AggregationEvent"]))) == 2
    assert select(conn, EventQuery(event_types=["AggregationEvent"])) == []
    with pytest.raises(QueryError, match=r"^eventType: '4\.0'"):
        select(conn, EventQuery(event_types=["4.0"]))
    # every value is read even when the event types leave nothing to select
    with pytest.raises(QueryError, match=r"^MATCH_epc: '8'"):
        select(conn, EventQuery(event_types=["AggregationEvent"], epcs=["8"]))
    assert split("EQ_bizStep", ["stocking|storing", "receiving"]) == ["stocking", "storing", "receiving"]
    for text in ("stocking|", "|stocking", "stocking||storing"):
        with pytest.raises(QueryError, match=r"^EQ_bizStep: .* holds an empty value"):
            split("EQ_bizStep", [text])


def test_the_api_declares_each_parameters_shape_and_refuses_a_value_outside_it_naming_the_parameter(
        shop, tmp_path: Path) -> None:
    ingest, clock, d = shop
    for n, zone in ((1, "backroom"), (2, "floor-a2")):
        step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(n),
                                   gtin=NUTELLA, serial=str(n), location=zone, antenna=n))
    config = HubConfig(store="test", db=tmp_path / "hub.sqlite", epcis={"gln": GLN})
    app = create_app(LocalHub(config, ingest.db, ingest, EventBus(), clock))
    token = add_partner(ingest.db, "acme", ts(clock.now()))

    async def ask(params: list[tuple[str, str]]) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test",
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            return await client.get("/epcis/events", params=params)

    def get(*params: tuple[str, str]) -> httpx.Response:
        return asyncio.run(ask(list(params)))

    for value in STOCKING:
        answer = get(("EQ_bizStep", value))
        assert answer.status_code == 200, answer.text
        events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert [(e["bizStep"], e["epcList"]) for e in events] == [
            ("stocking", [f"https://id.gs1.org/01/{gtin14(NUTELLA)}/21/2"])], value
    assert get(("EQ_bizStep", "storing|stocking"), ("eventType", "ObjectEvent")).status_code == 200
    # schemathesis's number for a list of strings: on the wire the text 4.026e+153, which is no business step
    refused = get(("EQ_bizStep", "4.026e+153"))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(
        "QueryParameterException: EQ_bizStep: '4.026e+153' is neither a CBV business step")
    for name, value in (("eventType", "4.0"), ("MATCH_epc", "12"), ("MATCH_epcClass", "4.0"),
                        ("EQ_bizStep", "stocking|"), ("nextPageToken", "9" * 20), ("nextPageToken", "²")):
        # with an event type the hub never makes: the value is still read
        also = [("eventType", "AggregationEvent")] if name != "eventType" else []
        refused = get((name, value), *also)
        assert refused.status_code == 422, (name, value, refused.text)
        assert refused.json()["detail"].startswith(f"QueryParameterException: {name}: "), refused.text
    # the document says the same shapes: a client generated from it knows a CBV step, an EPC, a GTIN
    schemas = {p["name"]: p["schema"]["anyOf"][0] for p in app.openapi()["paths"]["/epcis/events"]["get"][
        "parameters"]}
    for name, value in (("MATCH_epc", EPC), ("MATCH_epcClass", PRODUCT), ("EQ_bizStep", BIZ_STEP),
                        ("eventType", EVENT_TYPE)):
        assert schemas[name] == {"type": "array", "items": {"type": "string", "pattern": listed(value)}}
    steps = schemas["EQ_bizStep"]["items"]["pattern"]
    assert all(re.search(steps, v) for v in (*STOCKING, "storing|stocking", "urn:example:sorting"))
    assert not any(re.search(steps, v) for v in ("4.026e+153", "12", "stockin", "stocking|", ""))


def test_the_prune_deletes_movements_past_the_retention_only(shop) -> None:
    ingest, clock, d = shop
    step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(1), gtin=NUTELLA,
                               location="backroom", antenna=1))
    clock.advance(timedelta(days=3).total_seconds())
    step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="moved", epc=epc(1), gtin=NUTELLA,
                               location="floor-a2", from_location="backroom", antenna=2))
    with ingest.db.conn:
        assert prune(ingest.db.conn, ts(clock.now()), retention_days=2) == 1
    assert moves(ingest, epc(1)) == [("zone", "floor-a2")]
    # ingest's hourly prune uses tag_history.retention_days
    short = Ingest(ingest.db, clock, FusionSettings(), store="test",
                   tag_history=TagHistorySettings(retention_days=0.0001))
    clock.advance(60)
    short.tick()
    assert moves(ingest, epc(1)) == []


def test_record_tag_event_refuses_an_unknown_kind(shop) -> None:
    ingest, _, _ = shop
    with pytest.raises(ValueError, match="shipped"):
        record_tag_event(ingest.db.conn, epc(1), "shipped", 0.0, now=0.0)
    assert TagMove("received") is TagMove.RECEIVED


def test_movements_refuses_a_window_past_the_limit(shop) -> None:
    ingest, clock, d = shop
    for n in range(3):
        step(ingest, clock, d.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(n),
                                   gtin=NUTELLA, location="backroom", antenna=1))
    with pytest.raises(ValueError, match="shorter window"):
        movements(ingest.db.conn, 0, ts(clock.now()) + 1, limit=2)
    assert len(epcis_document(movements(ingest.db.conn, 0, ts(clock.now()) + 1), EPCIS, "t", 0)["epcisBody"][
        "eventList"]) == 3
