"""Hostile EPCIS queries: arbitrary parameter values from a partner's script, against the hub's real web app.

Hypothesis draws values for every parameter of ``GET /epcis/events`` (text of
any character, numbers, URIs that almost parse, dates that do not, repeated
and ``|``-separated lists) and sends them with a partner's token through the
app itself (httpx's ASGI transport, real SQLite with recorded movements).
Each request gets a 200 whose document GS1's schema accepts, or a 422 that
names what is wrong; never a 500; and the same partner's plain query
still answers every movement after. Sized by COMPTOIR_HOSTILE_SCALE.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.clock import ManualClock
from comptoir.contract import ZoneEvent
from hub.app import create_app
from hub.config import HubConfig
from hub.epcis.partners import add_partner
from hub.events import EventBus
from hub.ingest import Ingest
from hub.inventory.settings import FusionSettings
from hub.timeutil import ts
from tests.epcis.schema import schema_errors
from tests.hostile.scale import hostile_scale
from tests.hub.support import NUTELLA, Devices, LocalHub, epc, reference_database

PARAMETERS = ("GE_eventTime", "LT_eventTime", "MATCH_epc", "MATCH_epcClass", "EQ_bizStep", "eventType", "perPage",
              "nextPageToken")
ALMOST = st.sampled_from([
    "https://id.gs1.org/01/03760000000017/21/", "https://id.gs1.org/01/0376000000001/21/1", "urn:epc:raw:96.x",
    "urn:epc:raw:96.xZZ", "https://id.gs1.org/01/abc", "2026-13-45T25:61:00Z", "2026-01-05T08:00:00+99:00",
    "-1", "0", "1e309", "9" * 40, "stocking|retail_selling|", "https://ref.gs1.org/cbv/BizStep-", "\x00", "%00",
    "ObjectEvent|AggregationEvent", "", " ", "|||",
])
VALUES = st.one_of(ALMOST, st.text(max_size=60), st.integers().map(str), st.from_regex(r"[0-9A-Fa-f]{1,70}"))
QUERIES = st.lists(st.tuples(st.sampled_from(PARAMETERS), VALUES), min_size=1, max_size=6)


def test_hostile_epcis_queries_get_a_reason_never_a_crash(tmp_path: Path) -> None:
    db = reference_database(tmp_path)
    clock = ManualClock()
    ingest = Ingest(db, clock, FusionSettings(), store="test")
    devices = Devices()
    for n, zone in enumerate(("backroom", "floor-a2", "floor-a3", "exit")):
        ingest.handle_batch([devices.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(n),
                                          gtin=NUTELLA, serial=str(n), location=zone, antenna=n + 1)])
        clock.advance(10)
    config = HubConfig(store="test", db=tmp_path / "hub.sqlite", epcis={"gln": "3012345000017"})
    app = create_app(LocalHub(config, db, ingest, EventBus(), clock))
    token = add_partner(db, "fuzzer", ts(clock.now()))
    outcomes: Counter[int] = Counter()

    async def ask(params: list[tuple[str, str]]) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test",
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            return await client.get("/epcis/events", params=params)

    @settings(max_examples=150 * hostile_scale(), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(QUERIES)
    def hostile(params: list[tuple[str, str]]) -> None:
        response = asyncio.run(ask(params))
        outcomes[response.status_code] += 1
        assert response.status_code in (200, 422), f"{params!r} -> {response.status_code} {response.text[:300]}"
        if response.status_code == 200:
            assert schema_errors(response.json()) == [], params
        else:
            detail = response.json()["detail"]
            assert detail, params
            if isinstance(detail, str):  # the hub's own reading (FastAPI's lists each field instead)
                assert detail.startswith("QueryParameterException: "), detail

    hostile()
    after = asyncio.run(ask([("perPage", "100")]))
    events = after.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    recorded = db.execute("SELECT COUNT(*) FROM tag_events").fetchone()[0]
    assert recorded >= 3 and len(events) == recorded and schema_errors(after.json()) == []
    tried = sum(outcomes.values())
    rejected = outcomes[422]
    print(f"HOSTILE part=epcis_query tried={tried} rejected={rejected} accepted={outcomes[200]} alive=yes lost=0 "
          f"http422={outcomes[422]}")
    assert tried >= 150 * hostile_scale() and outcomes[200] and rejected
