"""Ingest cannot die silently: if the link's receiving loop ends, health says stalled and the hub exits non-zero."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from comptoir.mosquitto import free_port
from hub.config import ApiSettings, HubConfig
from hub.service import HubService, IngestStopped
from tests.conftest import BrokerHandle
from tests.hub.support import STORE, reference_database


async def test_a_hub_whose_consumer_stops_says_stalled_and_exits_non_zero(
    broker: BrokerHandle, tmp_path: Path
) -> None:
    reference_database(tmp_path).close()
    port = free_port()
    config = HubConfig(store=STORE, hub_id="hub-supervised", db=tmp_path / "hub.sqlite", broker=broker.settings(),
                       api=ApiSettings(port=port))
    service = HubService(config)
    running = asyncio.create_task(service.run())
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        for _ in range(300):
            try:
                if (await client.get("/api/health")).json()["mqtt_connected"]:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the hub did not come up")
        assert (await client.get("/api/health")).status_code == 200
    # stands for any fault that ends the receiving loop (the loop itself catches every Exception)
    task = service.link._consume_task
    assert task is not None
    task.cancel()
    with pytest.raises(IngestStopped, match="ingest stopped"):
        await asyncio.wait_for(running, 30)  # out of asyncio.run in `comptoir hub`: exit status 1
    state = service.ingest.watch.health()
    assert state.status == "stalled" and "message consumer stopped" in (state.reason or "")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://hub") as client:
        health = await client.get("/api/health")
    assert health.status_code == 503 and health.json()["status"] == "stalled"
