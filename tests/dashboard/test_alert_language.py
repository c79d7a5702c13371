"""An alert is kept as a message code and parameters and said in the reader's language; an older one keeps its text.

In process (real SQLite, real ingest and fusion, the real FastAPI app), with
the fixtures of test_dashboard_data.
"""

from __future__ import annotations

import json

import httpx

from comptoir.contract import ZoneEvent
from tests.dashboard.test_dashboard_data import LocalHub, client, dev, local, shelf, sign_in
from tests.hub.support import NUTELLA, epc

__all__ = ["client", "local"]  # fixtures


async def test_an_alert_is_said_in_the_readers_language_from_its_code(local: LocalHub,
                                                                      client: httpx.AsyncClient) -> None:
    arrivals = [dev.make(ZoneEvent, "reader-1", time=local.clock.now(), event="arrived", epc=epc(i), gtin=NUTELLA,
                         location="backroom") for i in range(3)]
    local.ingest.handle_batch([*arrivals, shelf(local, "cam-a2", "A2-B1-S3-04", 0, 6)])
    await sign_in(client)

    client.cookies.set("comptoir_lang", "fr")
    french = next(a for a in (await client.get("/api/dashboard/alerts")).json()
                  if a["kind"] == "shelf_empty_backroom_stock")
    assert french["message"] == "Rayon A2-B1-S3-04 vide : apporter 3 de la réserve (Pâte à tartiner 400 g)"
    assert french["text"] == "Shelf A2-B1-S3-04 is empty: bring 3 from the backroom (Pâte à tartiner 400 g)"
    client.cookies.set("comptoir_lang", "en")
    english = next(a for a in (await client.get("/api/dashboard/alerts")).json() if a["id"] == french["id"])
    assert english["message"] == english["text"]

    code, params = local.db.execute("SELECT code, params FROM alerts WHERE id = ?", [french["id"]]).fetchone()
    assert code == "alert.shelf_empty"  # what is kept: the code and its figures, not a sentence
    assert json.loads(params) == {"slot": "A2-B1-S3-04", "quantity": 3, "name": "Pâte à tartiner 400 g"}


async def test_an_alert_from_before_the_catalog_keeps_its_english(local: LocalHub, client: httpx.AsyncClient) -> None:
    now = local.clock.now().timestamp()
    local.db.execute("INSERT INTO alerts (key, kind, state, severity, text, device, raised_at, updated_at) "
                     "VALUES ('device_offline:old', 'device_offline', 'open', 'critical', "
                     "'Device old (scale) is offline: shutdown', 'old', ?, ?)", [now, now])
    local.db.conn.commit()
    await sign_in(client)
    client.cookies.set("comptoir_lang", "fr")
    old = next(a for a in (await client.get("/api/dashboard/alerts")).json() if a["device"] == "old")
    assert old["message"] == old["text"] == "Device old (scale) is offline: shutdown"
