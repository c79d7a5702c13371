"""The markdowns API on the real app over a real database: list with the why in the caller's language, review,
approve or reject (any staff member), labels for approved markdowns only, errors that name what is wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from comptoir.clock import ManualClock
from hub.app import create_app
from hub.auth import create_user
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from tests.fresh.markdown_support import CREAM, NOW, YOGHURT, add_lot, dated_database
from tests.fresh.test_markdowns import forecast
from tests.hub.support import LocalHub


@pytest.fixture
def local(tmp_path: Path) -> LocalHub:
    db = dated_database(tmp_path)
    clock = ManualClock(datetime.fromtimestamp(NOW, UTC))
    create_user(db, "marie", "croissant-42", "staff", NOW)
    bus = EventBus()
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=bus)
    config = HubConfig(store="test", db=tmp_path / "hub.sqlite", timezone="Europe/Paris")
    forecast(db, YOGHURT, 2.4)
    forecast(db, CREAM, 1.0)
    add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    add_lot(db, CREAM, "C7", date(2026, 3, 4), 10, "best_before")
    return LocalHub(config, db, ingest, bus, clock)


@pytest.fixture
async def staff(local: LocalHub) -> AsyncIterator[httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(local)), base_url="http://hub",
                               headers={"Origin": "http://hub"})
    response = await client.post("/api/session", json={"username": "marie", "password": "croissant-42"})
    assert response.status_code == 200, response.text
    try:
        yield client
    finally:
        await client.aclose()


async def test_review_then_approve_and_print_labels(staff: httpx.AsyncClient, local: LocalHub) -> None:
    assert (await staff.get("/api/markdowns?state=suggested")).json() == []
    review = await staff.post("/api/markdowns/review")
    assert review.status_code == 200 and review.json()["suggested"] == 2 and review.json()["lots"] == 2
    listed = (await staff.get("/api/markdowns?state=suggested", headers={"Accept-Language": "en"})).json()
    yoghurt = next(m for m in listed if m["gtin"] == YOGHURT)
    assert (yoghurt["lot"], yoghurt["expiry"], yoghurt["discount_pct"], yoghurt["price_cents"]) == \
        ("L42", "2026-03-03", 40, 180)
    assert yoghurt["start"] == "2026-03-02T09:00:00Z" and yoghurt["end"] == "2026-03-03T19:00:00Z"
    assert yoghurt["why"].startswith("12 left, about 4 sell at full price before 3 March; at 40 % off")
    french = (await staff.get("/api/markdowns?state=suggested", headers={"Accept-Language": "fr"})).json()
    assert next(m for m in french if m["gtin"] == YOGHURT)["why"].startswith("12 restants, environ 4 se vendent")

    # labels only for approved markdowns
    refused = await staff.get(f"/api/markdowns/labels.html?ids={yoghurt['id']}")
    assert refused.status_code == 409 and "not approved" in refused.text
    approved = await staff.post(f"/api/markdowns/{yoghurt['id']}/approve")
    assert approved.status_code == 200
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("approved", "marie")
    again = await staff.post(f"/api/markdowns/{yoghurt['id']}/approve")
    assert again.status_code == 409 and "approved" in again.text
    sheet = await staff.get(f"/api/markdowns/labels.html?ids={yoghurt['id']}", headers={"Accept-Language": "fr"})
    assert sheet.status_code == 200 and "1,80\xa0€" in sheet.text and "(3922)180" in sheet.text
    zpl = await staff.get(f"/api/markdowns/labels.zpl?ids={yoghurt['id']}")
    assert zpl.status_code == 200 and zpl.text.startswith("^XA")
    printed = (await staff.get("/api/markdowns?state=approved")).json()
    assert [m["id"] for m in printed] == [yoghurt["id"]] and printed[0]["printed"] == "2026-03-02T09:00:00Z"

    cream = next(m for m in listed if m["gtin"] == CREAM)
    rejected = await staff.post(f"/api/markdowns/{cream['id']}/reject")
    assert rejected.json()["state"] == "rejected"
    assert (await staff.get("/api/markdowns?state=suggested")).json() == []


async def test_bad_requests_are_named(staff: httpx.AsyncClient) -> None:
    assert (await staff.post("/api/markdowns/999/approve")).status_code == 404
    bad_state = await staff.get("/api/markdowns?state=sugested")
    assert bad_state.status_code == 422 and "query.state" in bad_state.json()["error"]
    assert "suggested|approved|rejected|superseded|ended" in bad_state.json()["error"]
    assert (await staff.get("/api/markdowns/labels.html?ids=1;2")).status_code == 422
    missing = await staff.get("/api/markdowns/labels.zpl?ids=999")
    assert missing.status_code == 404 and "999" in missing.text


async def test_signed_out_is_refused(local: LocalHub) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(local)), base_url="http://hub") as c:
        assert (await c.get("/api/markdowns")).status_code == 401
        page = await c.get("/markdowns")
        assert page.status_code == 303 and page.headers["location"] == "/signin?next=/markdowns"
