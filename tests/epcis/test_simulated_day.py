"""A short simulated day, exported as EPCIS 2.0: real mosquitto, the LLRP reader simulator, the edge agent and the hub.

The shop's world runs at 60x on the reader simulator; the edge agent (a
real ``comptoir edge`` process) tracks zones and the exit gate; the hub (a
real ``comptoir hub`` process) records each tag's movements. Then a partner,
with its own token, pages through ``GET /epcis/events``: every page validates
against GS1's EPCIS 2.0 JSON Schema, and the events are the movements the
hub recorded, one for one; the file export says the same. Along the way the
edge process's /metrics is scraped: the reader's reads and events moved.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from comptoir.mosquitto import free_port
from tests.conftest import BrokerHandle
from tests.epcis.schema import schema_errors
from tests.hub.support import STORE, HubProcess, comptoir, wait_for
from tests.hub.test_hub_lost_reader import end, listening, spawn
from tests.metrics.support import add_to_yaml, scrape, value
from tests.rfid_support import ALIASES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

GLN = "3012345000017"
MOVES = 60  # movements to wait for: a few minutes of the simulated shop


def recorded(db: Path, sql: str = "SELECT COUNT(*) FROM tag_events", *params: object) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchone()[0]


@pytest.fixture(scope="module")
def day(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, int]]:
    """The hub after a short day: the reader simulator and the edge agent ran, then stopped; the hub still runs."""
    tmp = Path(tmp_path_factory.mktemp("day"))
    hub = HubProcess(tmp / "hub", broker.url)
    hub.prepare()
    hub_metrics, edge_metrics, reader_port = free_port(), free_port(), free_port()
    add_to_yaml(hub.config_path, metrics={"port": hub_metrics}, epcis={"gln": GLN})
    done = comptoir("hub", "--config", str(hub.config_path), "create-user", "paul", "--role", "staff",
                    "--password-stdin", stdin="baguette-42\n")
    assert done.returncode == 0, done.stderr
    hub.start()
    config = tmp / "edge.yaml"
    config.write_text(json.dumps({
        "store": STORE, "state_dir": str(tmp / "state"), "metrics": {"port": edge_metrics},
        "broker": {"url": broker.url, "reconnect_min_s": 0.1, "reconnect_max_s": 0.5},
        "readers": [{"id": "reader-1", "host": "127.0.0.1", "port": reader_port, "antennas": ALIASES,
                     "gates": [{"id": "gate-1", "inside": 10, "outside": 11}], "report_timeout_ms": 500,
                     "publish_every_s": 0.5, "tracker": {"departed_after_s": 20}}],
    }))
    sim = spawn("sim", "reader", "--port", str(reader_port), "--products", "20", "--speed", "60",
                log=tmp / "sim.log")
    edge = None
    try:
        wait_for(lambda: listening(reader_port), 20, "the reader simulator listening")
        edge = spawn("edge", "--config", str(config), log=tmp / "edge.log")
        wait_for(lambda: recorded(hub.db_path) >= MOVES, 120, f"{MOVES} tag movements at the hub")
        reader = scrape(edge_metrics)
        end(sim)  # the day ends: no more reads
        stopped = scrape(edge_metrics)
        end(edge)  # the agent drains its outbox to the broker as it stops
        edge = None
        assert value(reader, "comptoir_rfid_reads_total", device="reader-1") > 0
        assert value(reader, "comptoir_rfid_reader_up", device="reader-1") == 1
        assert value(reader, "comptoir_rfid_reader_connects_total", device="reader-1") == 1
        assert value(stopped, "comptoir_rfid_zone_events_total", device="reader-1") >= MOVES / 2
        assert value(stopped, "comptoir_rfid_reads_total", device="reader-1") >= value(
            reader, "comptoir_rfid_reads_total", device="reader-1")
        assert value(stopped, "comptoir_outbox_messages", device="reader-1") >= 0
        # the hub has stored all the agent sent: its count no longer moves
        settled = wait_for(lambda: _still(hub.db_path), 30, "the hub's movements settled")
        yield hub, hub_metrics
        assert recorded(hub.db_path) == settled
    finally:
        if edge is not None:
            end(edge)
        end(sim)
        hub.stop()


def _still(db: Path) -> int | None:
    first = recorded(db)
    time.sleep(1.5)
    return first if recorded(db) == first else None


def partner_token(hub: HubProcess, name: str = "acme") -> str:
    done = comptoir("hub", "--config", str(hub.config_path), "partners", "add", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def all_pages(client: httpx.Client, url: str) -> tuple[list[dict], int]:
    """Every event, following the Link headers; each page checked against the schema. (events, pages)"""
    events, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/ld+json")
        document = response.json()
        assert schema_errors(document) == [], f"page {pages}"
        events += document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        pages += 1
        link = response.headers.get("link")
        url = link.split(">")[0].lstrip("<") if link else ""
    return events, pages


def test_a_partner_reads_every_movement_of_the_day_as_valid_epcis(day: tuple[HubProcess, int]) -> None:
    hub, metrics_port = day
    moves = recorded(hub.db_path)
    token = partner_token(hub)
    with httpx.Client(base_url=hub.url, timeout=20, headers={"Authorization": f"Bearer {token}"}) as partner:
        events, pages = all_pages(partner, "/epcis/events?perPage=25")
        assert len(events) == moves and pages >= 2, f"{len(events)} events in {pages} pages, {moves} movements"
        assert len({e["eventID"] for e in events}) == moves
        kinds = dict(sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True).execute(
            "SELECT kind, COUNT(*) FROM tag_events GROUP BY kind").fetchall())
        print(f"EPCIS: {moves} movements {kinds} -> {len(events)} ObjectEvents in {pages} pages, all valid")
        stocking = recorded(hub.db_path, "SELECT COUNT(*) FROM tag_events WHERE kind='zone' AND zone_kind='floor'")
        assert stocking > 0
        some, _ = all_pages(partner, "/epcis/events?EQ_bizStep=stocking")
        assert len(some) == stocking and {e["bizStep"] for e in some} == {"stocking"}
        one = events[0]["epcList"][0]
        mine, _ = all_pages(partner, f"/epcis/events?MATCH_epc={httpx.QueryParams({'e': one})['e']}")
        assert mine and all(e["epcList"] == [one] for e in mine)
        bad = partner.get("/epcis/events?MATCH_epc=nonsense")
        assert bad.status_code == 422
        assert bad.json()["detail"].startswith("QueryParameterException: MATCH_epc: 'nonsense' is neither")
        # the partner's token opens EPCIS and nothing else
        assert partner.get("/api/devices").status_code == 401
        assert partner.get("/api/inventory").status_code == 401
    assert value(scrape(metrics_port), "comptoir_hub_tag_moves_total") == moves


def test_only_partners_and_managers_read_epcis(day: tuple[HubProcess, int]) -> None:
    hub, _ = day
    assert httpx.get(f"{hub.url}/epcis/events", timeout=10).status_code == 401
    staff, manager = hub.client("paul", "baguette-42"), hub.client()
    try:
        refused = staff.get("/epcis/events")
        assert refused.status_code == 403 and "partner token or the manager role" in refused.text
        assert manager.get("/epcis/events?perPage=1").status_code == 200
    finally:
        staff.close()
        manager.close()
    token = partner_token(hub, "revoked-one")
    done = comptoir("hub", "--config", str(hub.config_path), "partners", "revoke", "revoked-one")
    assert done.returncode == 0, done.stderr
    assert httpx.get(f"{hub.url}/epcis/events", headers={"Authorization": f"Bearer {token}"},
                     timeout=10).status_code == 401


def test_the_file_export_of_the_day_matches_the_movements(day: tuple[HubProcess, int], tmp_path: Path) -> None:
    hub, _ = day
    out = tmp_path / "day.jsonld"
    done = comptoir("hub", "--config", str(hub.config_path), "epcis-export", "--from", "2000-01-01T00:00:00Z",
                    "--to", "2100-01-01T00:00:00Z", "--output", str(out))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    assert schema_errors(document) == []
    assert len(document["epcisBody"]["eventList"]) == recorded(hub.db_path)
    assert f"events written to {out}" in done.stderr


def test_an_items_page_shows_its_movements_and_the_product_page_links_there(day: tuple[HubProcess, int]) -> None:
    hub, _ = day
    with sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True) as conn:
        epc, gtin, count = conn.execute(
            "SELECT epc, gtin, COUNT(*) AS n FROM tag_events GROUP BY epc ORDER BY n DESC, epc LIMIT 1").fetchone()
        zones = [z for (z,) in conn.execute("SELECT zone FROM tag_events WHERE epc = ? ORDER BY time DESC, id DESC",
                                            (epc,))]
    assert httpx.get(f"{hub.url}/items/{epc}", timeout=10).status_code == 303  # signed out: to the sign-in page
    manager = hub.client()
    try:
        manager.cookies.set("comptoir_lang", "en")
        page = manager.get(f"/items/{epc}")
        assert page.status_code == 200, page.text
        rows = re.findall(r'<tr data-kind="(\w+)"><td[^>]*>[^<]+</td>\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*>([^<]*)</td>',
                          page.text)
        assert len(rows) == count and [z for _, _, z in rows] == zones
        assert {label for kind, label, _ in rows if kind == "zone"} <= {"Seen in a zone"}
        listing = manager.get(f"/items?gtin={gtin}")
        assert listing.status_code == 200 and f'href="/items/{epc}"' in listing.text
        product = manager.get(f"/products/{gtin}")
        assert f'href="/items?gtin={gtin}"' in product.text
        manager.cookies.set("comptoir_lang", "fr")
        unknown = manager.get("/items/ABCDEF0123")
        assert unknown.status_code == 200
        assert "Aucune étiquette ABCDEF0123 n'est connue du hub." in html.unescape(unknown.text)
        assert manager.get("/items/not-hex").status_code == 422
    finally:
        manager.close()
