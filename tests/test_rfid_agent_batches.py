"""The RFID agent's zone-event batches: bounded in events and in bytes, every event kept, each message valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.contract import MAX_PAYLOAD_BYTES, ZoneEvents, decode
from comptoir.link import BrokerSettings, MqttLink
from edge.config import ReaderConfig
from edge.rfid.agent import RfidAgent
from edge.rfid.tracker import TrackerParams
from simulators.world import sgtin96

T0_US = 1_767_600_000_000_000


def _published(tmp_path: Path, alias: str, batch: int, tags: int) -> list[ZoneEvents]:
    # the real link, not started: what it would send waits in its outbox, where we read it
    link = MqttLink(BrokerSettings(), store="demo", device="reader-1", kind="rfid-reader", outbox=tmp_path / "o.sqlite")
    config = ReaderConfig(id="reader-1", host="127.0.0.1", antennas={1: alias}, publish_batch=batch,
                          tracker=TrackerParams(arrival_settle_s=0))
    agent = RfidAgent(config, link)
    agent.process_tags([
        {"EPC-96": sgtin96("03424388004912", n).lower().encode(), "AntennaID": 1, "PeakRSSI": -50,
         "LastSeenTimestampUTC": T0_US + n}
        for n in range(tags)
    ])
    agent.tick()
    rows = link.outbox.peek()
    assert all(len(row.payload) < MAX_PAYLOAD_BYTES for row in rows)
    messages = [decode(row.topic, row.payload) for row in rows]  # exactly what the hub's link will check
    link.outbox.close()
    return [m for m in messages if isinstance(m, ZoneEvents)]


@pytest.mark.parametrize(("alias", "batch", "most"), [("backroom", 200, 200), ("backroom", 500, 500),
                                                       ("é" * 200, 500, 500)])
def test_every_event_goes_out_in_bounded_valid_batches(tmp_path: Path, alias: str, batch: int, most: int) -> None:
    batches = _published(tmp_path, alias, batch, 1200)
    events = [e for b in batches for e in b.events]
    assert len(events) == 1200 and len({e.epc for e in events}) == 1200
    assert all(e.event == "arrived" and e.location == alias for e in events)
    assert max(len(b.events) for b in batches) <= most
    assert [b.seq for b in batches] == list(range(1, len(batches) + 1))  # one sequence number per message
    assert all(b.time == max(e.time for e in b.events) for b in batches)
    if len(alias) < 50:
        assert len(batches) == -(-1200 // batch)  # short events: the count bound decides
    else:
        assert len(batches) > -(-1200 // batch)  # long aliases: the byte bound splits sooner
