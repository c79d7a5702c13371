"""The dashboard's data, pages and labels, in process: real SQLite, real ingest and fusion, the real FastAPI app.

The browser tests (test_dashboard_browser.py) drive the same code through a
hub process and mosquitto; these check the rules behind what they show.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from comptoir.clock import ManualClock
from comptoir.contract import PosReceipt, ScaleWeight, ShelfCounts, ZoneEvent
from hub.app import create_app
from hub.auth import create_user
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.i18n import LANGUAGES
from hub.i18n import messages as catalog
from hub.ingest import Ingest
from hub.timeutil import ts
from hub.web.render import SCRIPT_KEYS
from hub.web.slots import slot_state
from tests.hub.support import FLOUR, NUTELLA, OIL, Devices, LocalHub, epc, reference_database

TEMPLATES = Path(__file__).resolve().parents[2] / "hub" / "web" / "templates"


@pytest.fixture
def local(tmp_path: Path) -> LocalHub:
    db = reference_database(tmp_path)
    clock = ManualClock()
    create_user(db, "marie", "croissant-42", "staff", ts(clock.now()))
    bus = EventBus()
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=bus)
    return LocalHub(HubConfig(store="test", db=tmp_path / "hub.sqlite"), db, ingest, bus, clock)


@pytest.fixture
async def client(local: LocalHub) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(local)
    # a browser on the hub's pages sends its Origin with every state-changing request (the origin rule)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub",
                                 headers={"Origin": "http://hub"}) as anonymous:
        yield anonymous


async def sign_in(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/session", json={"username": "marie", "password": "croissant-42"})
    assert response.status_code == 200, response.text


dev = Devices()


def shelf(local: LocalHub, camera: str, slot: str, facings: int | None, capacity: int) -> ShelfCounts:
    state = "occluded" if facings is None else "empty" if facings == 0 else "ok"
    return dev.make(
        ShelfCounts,
        camera,
        time=local.clock.now(),
        slots=[{"slot": slot, "state": state, "facings": facings, "capacity": capacity, "confidence": 0.9}],
    )


def test_slot_states_follow_units_and_capacity() -> None:
    assert slot_state(None, 6) == "no_data"
    assert slot_state(None, 6, occluded=True) == "occluded"
    assert slot_state(0, 6) == "empty"
    assert slot_state(2, 6) == "low"  # a third of the slot or less
    assert slot_state(3, 6) == "ok"
    assert slot_state(5, None) == "ok"  # no capacity known: only empty or not


async def test_the_map_shows_camera_scale_and_missing_slots(local: LocalHub, client: httpx.AsyncClient) -> None:
    await sign_in(client)
    local.ingest.handle_batch(
        [
            shelf(local, "cam-a2", "A2-B1-S3-04", 0, 6),
            shelf(local, "cam-a3", "A3-B1-S1-01", None, 4),
            dev.make(
                ScaleWeight,
                "scale-7",
                time=local.clock.now(),
                grams=1010.0,
                stable=True,
                slot="A3-B1-S2-02",
                gtin=FLOUR,
            ),
        ]
    )
    local.clock.advance(30)
    data = (await client.get("/api/dashboard/map")).json()
    assert [a["aisle"] for a in data["aisles"]] == ["A2", "A3"]
    slots = {s["slot"]: s for a in data["aisles"] for b in a["bays"] for sh in b["shelves"] for s in sh["slots"]}
    assert slots["A2-B1-S3-04"]["state"] == "empty" and slots["A2-B1-S3-04"]["source"] == "camera"
    assert slots["A2-B1-S3-04"]["age_s"] == 30.0 and slots["A2-B1-S3-04"]["name"] == "Pâte à tartiner 400 g"
    assert slots["A3-B1-S1-01"]["state"] == "occluded"
    flour = slots["A3-B1-S2-02"]
    assert (flour["state"], flour["units"], flour["source"]) == ("low", 1, "scale")  # 1 of 8 on the weighing shelf
    assert data["counts"] == {"ok": 0, "low": 1, "empty": 1, "occluded": 1, "no_data": 0}
    # a weighing shelf counts through a blocked camera view
    local.ingest.handle_batch([shelf(local, "cam-a3", "A3-B1-S2-02", None, 8)])
    data = (await client.get("/api/dashboard/map")).json()
    slots = {s["slot"]: s for a in data["aisles"] for b in a["bays"] for sh in b["shelves"] for s in sh["slots"]}
    assert slots["A3-B1-S2-02"]["state"] == "low"


async def test_staff_resolve_an_alert_and_the_inbox_says_who(local: LocalHub, client: httpx.AsyncClient) -> None:
    arrivals = [
        dev.make(
            ZoneEvent,
            "reader-1",
            time=local.clock.now(),
            event="arrived",
            epc=epc(i),
            gtin=NUTELLA,
            location="backroom",
        )
        for i in range(3)
    ]
    local.ingest.handle_batch([*arrivals, shelf(local, "cam-a2", "A2-B1-S3-04", 0, 6)])
    assert (await client.get("/api/dashboard/alerts")).status_code == 401
    assert (await client.post("/api/alerts/1/resolve")).status_code == 401
    await sign_in(client)
    open_list = (await client.get("/api/dashboard/alerts", params={"view": "open"})).json()
    alert = next(a for a in open_list if a["kind"] == "shelf_empty_backroom_stock")
    assert alert["product"] == "Pâte à tartiner 400 g" and alert["slot"] == "A2-B1-S3-04" and alert["quantity"] == 3

    acknowledged = (await client.post(f"/api/alerts/{alert['id']}/acknowledge")).json()
    assert acknowledged["acknowledged_by"] == "marie"
    views = {
        v: [a["id"] for a in (await client.get("/api/dashboard/alerts", params={"view": v})).json()]
        for v in ("open", "acknowledged", "resolved")
    }
    assert alert["id"] not in views["open"] and alert["id"] in views["acknowledged"]

    local.clock.advance(60)
    done = (await client.post(f"/api/alerts/{alert['id']}/resolve")).json()
    assert done["state"] == "resolved" and done["resolved_by"] == "marie"
    assert done["resolved_at"] == done["updated_at"] and done["resolved_at"] > done["raised_at"]
    again = (await client.post(f"/api/alerts/{alert['id']}/resolve")).json()
    assert again["resolved_at"] == done["resolved_at"]  # resolving twice changes nothing
    assert (await client.post("/api/alerts/999999/resolve")).status_code == 404
    # the shelf is still empty: the next report raises it again, as a new alert, for the rules to follow
    local.ingest.handle_batch([shelf(local, "cam-a2", "A2-B1-S3-04", 0, 6)])
    reopened = [
        a for a in (await client.get("/api/dashboard/alerts")).json() if a["kind"] == "shelf_empty_backroom_stock"
    ]
    assert len(reopened) == 1 and reopened[0]["id"] != alert["id"] and reopened[0]["resolved_by"] is None
    # a condition that ends by itself is resolved by the hub, not by a person
    local.ingest.handle_batch([shelf(local, "cam-a2", "A2-B1-S3-04", 5, 6)])
    resolved = (await client.get("/api/dashboard/alerts", params={"view": "resolved"})).json()
    by_hub = next(a for a in resolved if a["id"] == reopened[0]["id"])
    assert by_hub["resolved_by"] is None and by_hub["resolved_at"] is not None


async def test_history_keeps_stock_changes_and_sales_per_hour(local: LocalHub, client: httpx.AsyncClient) -> None:
    def feed(*messages: object) -> None:
        local.ingest.handle_batch(list(messages))  # ingest writes the history in the batch's transaction

    def arrive(tag: str) -> ZoneEvent:
        return dev.make(
            ZoneEvent, "reader-1", time=local.clock.now(), event="arrived", epc=tag, gtin=OIL, location="backroom"
        )

    tags = [epc(100 + i) for i in range(4)]
    feed(*[arrive(t) for t in tags[:3]])
    local.clock.advance(10)
    feed(arrive(tags[3]))  # within a minute of the last row: that row is updated, not repeated
    local.clock.advance(1800)
    feed(shelf(local, "cam-a3", "A3-B1-S1-01", 2, 4))
    local.clock.advance(120)
    feed(shelf(local, "cam-a3", "A3-B1-S1-01", 2, 4))  # same figures: no new row
    local.clock.advance(1800)
    feed(
        dev.make(
            PosReceipt,
            "lane-1",
            time=local.clock.now(),
            lane="lane-1",
            receipt_id="R-1",
            total_cents=849,
            lines=[{"gtin": OIL, "quantity": 1, "unit_price_cents": 849, "epcs": [tags[0]]}],
        )
    )
    await sign_in(client)
    history = (await client.get(f"/api/dashboard/products/{OIL}/history")).json()
    # on hand is the tags' count: the camera's 2 facings are the shelf's figure, not 2 more units (docs/fusion.md)
    assert [row[1:] for row in history["stock"]] == [[4, 4, 0, None], [4, 4, 0, 2], [3, 3, 0, 2]]
    start = ts(local.clock.now()) - 3730
    assert [row[0] - start for row in history["stock"]] == [0, 1810, 3730]
    assert history["bucket_s"] == 3600
    assert [units for _, units in history["sales"]] == [1.0]
    assert (await client.get("/api/dashboard/products/123/history")).status_code == 422


def test_device_rate_is_messages_per_minute_over_the_window(local: LocalHub) -> None:
    from hub.web.recorder import DashboardRecorder

    recorder = DashboardRecorder(local, rate_window_s=300)
    start = ts(local.clock.now())
    assert recorder.rate_per_minute("reader-1", start) is None
    recorder.sample("reader-1", start, 100)
    assert recorder.rate_per_minute("reader-1", start) is None  # one sample: no rate yet
    recorder.sample("reader-1", start + 60, 160)
    assert recorder.rate_per_minute("reader-1", start + 60) == 60.0
    recorder.sample("reader-1", start + 120, 160)
    assert recorder.rate_per_minute("reader-1", start + 120) == 30.0
    for minute in range(3, 12):
        recorder.sample("reader-1", start + minute * 60, 160)
    assert recorder.rate_per_minute("reader-1", start + 11 * 60) == 0.0  # silent for the whole window
    assert len(recorder.samples["reader-1"]) <= 7  # old samples are let go


async def test_pages_need_a_session_and_never_redirect_away(local: LocalHub, client: httpx.AsyncClient) -> None:
    for path in ("/map", "/alerts", "/products", f"/products/{NUTELLA}", "/devices"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/signin?next={path}", path
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        response = await client.get("/lang/en", params={"next": target})
        assert response.headers["location"] == "/map", target
    assert (await client.get("/lang/de")).status_code == 404
    client.cookies.clear()  # forget the language chosen above
    signin = await client.get("/signin")
    assert "default-src 'self'" in signin.headers["content-security-policy"]
    assert '<html lang="fr">' in signin.text
    english = await client.get("/signin", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Staff sign-in" in english.text
    switched = await client.get("/lang/fr", params={"next": "/signin"}, headers={"Accept-Language": "en"})
    assert switched.cookies["comptoir_lang"] == "fr"
    await sign_in(client)
    page = await client.get("/map", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Plan du magasin" in page.text  # the cookie wins over the browser
    assert (await client.get("/signin?next=/devices")).headers["location"] == "/devices"
    assert (await client.get("/products/12345")).status_code == 422


def test_both_languages_have_every_label() -> None:
    french, english = catalog("fr"), catalog("en")
    assert LANGUAGES == ("fr", "en") and set(french) == set(english)
    used = set(SCRIPT_KEYS)
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", template.read_text()))
    missing = sorted(k for k in used if k not in english and not k.endswith("_"))
    assert not missing, f"labels used but not translated: {missing}"
    assert all(french[k] and english[k] for k in french)
    assert json.dumps(french, ensure_ascii=False).count("{") == json.dumps(english).count("{")  # same placeholders


def test_every_alert_kind_has_a_label_in_both_languages() -> None:
    """A new alert kind must never reach staff as a raw key like ``kind_kiosk_help``."""
    import typing

    from comptoir.contract.hub import AlertKind

    for lang in ("en", "fr"):
        labels = catalog(lang)
        missing = [k for k in typing.get_args(AlertKind) if f"kind_{k}" not in labels]
        assert not missing, f"{lang}'s catalog lacks labels for {missing}"


async def test_sign_in_checks_the_password_off_the_event_loop(client: httpx.AsyncClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 costs tens of milliseconds of CPU: on the event loop it would hold up ingest and every request."""
    from hub.api.accounts import session as staff_api

    threads: list[int] = []
    real = staff_api.verify_password

    def recording(stored: str | None, password: str) -> bool:  # the real check, noting the thread it runs on
        threads.append(threading.get_ident())
        return real(stored, password)

    monkeypatch.setattr(staff_api, "verify_password", recording)
    await sign_in(client)
    assert threads and all(t != threading.get_ident() for t in threads)  # the test shares the app's event loop
    wrong = await client.post("/api/session", json={"username": "marie", "password": "not-the-one"})
    assert wrong.status_code == 401 and len(threads) == 2


@pytest.mark.parametrize(("visibility", "anonymous", "signed_in"), [("public", 200, 200), ("staff", 401, 200),
                                                                     ("off", 404, 404)])
async def test_who_reads_the_api_document_is_a_setting(local: LocalHub, visibility: str, anonymous: int,
                                                       signed_in: int) -> None:
    config = local.config.model_copy(update={"api": local.config.api.model_copy(update={"openapi": visibility})})
    app = create_app(LocalHub(config, local.db, local.ingest, local.bus, local.clock))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub",
                                 headers={"Origin": "http://hub"}) as client:
        assert (await client.get("/openapi.json")).status_code == anonymous
        assert (await client.get("/docs")).status_code == anonymous
        await sign_in(client)
        assert (await client.get("/openapi.json")).status_code == signed_in
