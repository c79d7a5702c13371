"""Ingest cannot die silently: if the link's receiving loop ends, health says stalled and the hub exits non-zero."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from comptoir.contract import Message, ZoneEvent
from comptoir.mosquitto import free_port
from hub.config import ApiSettings, HubConfig
from hub.service import HubService, IngestStopped
from tests.conftest import BrokerHandle
from tests.hub.support import STORE, Devices, Publisher, epc, reference_database


class _Fault(BaseException):
    """Stands for a bug in the link itself."""


def _escaping_fault(message: Message) -> None:
    raise _Fault("a bug in the link")


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
    # a fault that escapes the loop's isolation (it catches every Exception), on the next message
    service.link.subscribe(f"comptoir/v1/{STORE}/#", _escaping_fault)
    publisher = Publisher(broker.host, broker.port, client_id="supervision")
    publisher.send(Devices().make(ZoneEvent, "reader-1", event="arrived", epc=epc(1), location="floor-a2"))
    publisher.close()
    with pytest.raises(IngestStopped, match="ingest stopped"):
        await asyncio.wait_for(running, 30)  # out of asyncio.run in `comptoir hub`: exit status 1
    state = service.ingest.watch.health()
    assert state.status == "stalled" and "_Fault: a bug in the link" in (state.reason or "")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://hub") as client:
        health = await client.get("/api/health")
    assert health.status_code == 503 and health.json()["status"] == "stalled"
