"""The hub's /metrics, scraped from a real ``comptoir hub`` process fed over mosquitto.

N events in batched messages -> the events counter says N, the stored
messages counter the number of messages, one tag movement per new tag; a
payload the contract refuses shows under its reason; the batch latency
histogram counted the batches. Parsed with prometheus_client's parser.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import psutil
import pytest

from comptoir.contract import ZoneEvents
from comptoir.mosquitto import free_port
from tests.conftest import BrokerHandle
from tests.hub.support import NUTELLA, STORE, Devices, HubProcess, Publisher, epc, json_of, now, wait_for
from tests.metrics.support import add_to_yaml, scrape, total, value

MESSAGES = 6
PER_MESSAGE = 25


@pytest.fixture(scope="module")
def metered_hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, int]]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare()
    port = free_port()
    add_to_yaml(process.config_path, metrics={"port": port})
    process.start()
    try:
        yield process, port
    finally:
        process.stop()


def test_the_hubs_metrics_count_what_it_ingested(metered_hub: tuple[HubProcess, int], broker: BrokerHandle) -> None:
    hub, port = metered_hub
    before = scrape(port)  # the hub's own retained status may already have come back: counted as it moves
    assert value(before, "comptoir_hub_ingest_status", status="ok") == 1
    devices, start = Devices(), now()
    messages = [devices.make(ZoneEvents, "reader-1", time=start, events=[
        {"time": start + timedelta(milliseconds=i), "event": "arrived", "epc": epc(m * PER_MESSAGE + i),
         "gtin": NUTELLA, "location": "floor-a2", "antenna": 2} for i in range(PER_MESSAGE)]) for m in range(MESSAGES)]
    publisher = Publisher(broker.host, broker.port, client_id="metrics-publisher")
    try:
        publisher.send(*messages)
        publisher.raw(f"comptoir/v1/{STORE}/rfid/reader-1/event_batch", b"{not json")
    finally:
        publisher.close()
    with httpx.Client(base_url=hub.url) as client:
        stored = value(before, "comptoir_hub_messages_total", outcome="stored")
        wait_for(lambda: json_of(client.get("/api/health"))["stored"] >= stored + MESSAGES, 20, "the batches stored")
    def dead_letter_counted() -> dict | None:
        samples = scrape(port)
        return samples if total(samples, "comptoir_hub_dead_letters_total") else None

    after = wait_for(dead_letter_counted, 10, "the dead letter counted")
    events = MESSAGES * PER_MESSAGE

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - before.get((name, tuple(sorted(labels.items()))), 0.0)

    assert moved("comptoir_hub_events_received_total") == events
    assert moved("comptoir_hub_messages_total", outcome="stored") == MESSAGES
    assert moved("comptoir_hub_tag_moves_total") == events  # each a new tag placed on the floor
    assert moved("comptoir_hub_dead_letters_total", reason="payload") == 1
    assert value(after, "comptoir_hub_batch_seconds_count") == value(after, "comptoir_hub_batches_total")
    assert moved("comptoir_hub_batches_total") >= 1
    assert value(after, "comptoir_hub_batch_seconds_sum") > 0
    assert value(after, "comptoir_hub_queue_messages") == 0
    assert value(after, "comptoir_hub_database_bytes") > 0
    assert value(after, "comptoir_outbox_messages", device="hub") >= 0
    assert value(after, "comptoir_link_connected", device="hub") == 1


def test_the_endpoint_listens_on_loopback_only_by_default(metered_hub: tuple[HubProcess, int]) -> None:
    hub, port = metered_hub
    assert hub.proc is not None
    listening = [c.laddr for c in psutil.Process(hub.proc.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port]
    assert [a.ip for a in listening] == ["127.0.0.1"]
