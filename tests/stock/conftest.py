"""Fixtures of the stock tests: the real FastAPI app over real SQLite and real ingest, in process.

Messages go straight to ingest (no broker): these tests are about what staff
do with stock, which happens over HTTP; the hub process and the browser are
exercised in test_stock_pages.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from comptoir.clock import ManualClock
from hub.app import create_app
from hub.auth import create_user
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from hub.timeutil import ts
from tests.hub.support import LocalHub, reference_database


@pytest.fixture
def local(tmp_path: Path) -> LocalHub:
    db = reference_database(tmp_path)
    clock = ManualClock()
    create_user(db, "marie", "croissant-42", "staff", ts(clock.now()))
    create_user(db, "paul", "croissant-43", "manager", ts(clock.now()))
    bus = EventBus()
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=bus)
    return LocalHub(HubConfig(store="test", db=tmp_path / "hub.sqlite"), db, ingest, bus, clock)


async def _client(local: LocalHub, user: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(local)), base_url="http://hub",
                               headers={"Origin": "http://hub"})
    response = await client.post("/api/session", json={"username": user, "password": password})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
async def staff(local: LocalHub) -> AsyncIterator[httpx.AsyncClient]:
    client = await _client(local, "marie", "croissant-42")
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def manager(local: LocalHub) -> AsyncIterator[httpx.AsyncClient]:
    client = await _client(local, "paul", "croissant-43")
    try:
        yield client
    finally:
        await client.aclose()
