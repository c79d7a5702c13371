"""Hostile part ``llrp``: a reader gone wrong, and the edge agent keeps every valid read after it.

The reader simulator (real TCP) writes bad frames between its own well-formed
reports: every kind of simulators.llrp.hostile once (truncated or lying
length fields, unknown types and versions, bad TLV and TV parameters inside
RO_ACCESS_REPORTs), reports carrying reads no reader should make (EPCs the
contract cannot carry, a time years ahead), a connection cut mid-frame, then
random bytes and mangled reports. After each, a new tag appears in the
reader's field: its arrival must reach a real mosquitto through the agent
(sllurp, tracker, outbox). Every fault the agent turns down is said in a log
line with its reason.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime
from pathlib import Path

import pytest

from comptoir.clock import SimulatedClock
from simulators.llrp import protocol as llrp
from simulators.llrp.hostile import bad_frames, cut_mid_frame, inject
from simulators.llrp.protocol import ContentSelector, TagObservation
from simulators.llrp.radio import micros
from simulators.llrp.server import ReaderSimulator
from tests.conftest import BrokerHandle
from tests.hostile.scale import hostile_scale
from tests.rfid_support import START, listen, until
from tests.test_rfid_agent import start_agent, stop_agent

pytestmark = pytest.mark.timeout(300)

PORT = 1
SELECTOR = ContentSelector(antenna_id=True, peak_rssi=True, first_seen=True, last_seen=True, seen_count=True)
TEN_YEARS_US = 10 * 365 * 86_400 * 1_000_000


class Markers:
    """The reader's field: tags added one by one, each read every round on one antenna."""

    def __init__(self) -> None:
        self.ports = [PORT]
        self.epcs: list[bytes] = []

    def observe(self, ports: list[int], start: datetime, end: datetime) -> list[TagObservation]:
        seen = micros(end) - 1
        return [TagObservation(epc, PORT, -45, seen, seen) for epc in self.epcs]


def _report(epc: bytes, clock: SimulatedClock, ahead_us: int = 0) -> bytes:
    seen = micros(clock.now()) + ahead_us
    return llrp.frame(llrp.RO_ACCESS_REPORT, 0x7FFF0100,
                      llrp.ro_access_report([TagObservation(epc, PORT, -45, seen, seen)], SELECTOR, 1))


def _faults(clock: SimulatedClock, rng: random.Random, scale: int) -> list[tuple[str, bytes, str]]:
    """(name, bytes, how they are sent): 'write' on the stream, or 'cut' (half of them, then the connection)."""
    faults = [(f.name, f.data, "write") for f in bad_frames(rng, 13)]
    for i in range(scale):
        faults += [
            ("EPC of 512 bits", _report(bytes([0xE2, i % 256]) * 32, clock), "write"),
            ("EPC of 8 bits", _report(bytes([i % 256]), clock), "write"),
            ("read dated ten years ahead", _report(bytes.fromhex(f"30340000000000000{i:07X}"), clock, TEN_YEARS_US),
             "write"),
            ("reader cut mid-frame", _report(bytes.fromhex(f"E2800000000000000{i:07X}"), clock), "cut"),
        ]
    faults += [(f.name, f.data, "write") for f in bad_frames(rng, 13 + 6 * scale)[13:]]
    return faults


async def test_malformed_llrp_from_the_reader(
    mqtt_broker: BrokerHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.test_rfid_agent import reader_config

    caplog.set_level(logging.WARNING, logger="comptoir.edge.rfid")
    clock = SimulatedClock(START, speed=10)
    field = Markers()
    sim = await ReaderSimulator(field, clock=clock).start("127.0.0.1", 0)
    listener, inbox = await listen(mqtt_broker)
    # silence_s is simulated (10x): 1 real second, so a loaded machine's pause is not taken for a dead reader
    config = reader_config(sim.port, antennas={PORT: "backroom"}, gates=[], silence_s=10,
                           tracker={"arrival_settle_s": 0})
    agent, link, task = await start_agent(mqtt_broker, config, clock, tmp_path)
    faults = _faults(clock, random.Random(16), hostile_scale())
    rejected = accepted = 0
    markers: list[str] = []
    unexplained: list[str] = []
    taken: list[str] = []  # catalogued faults taken as data
    catalogued = 13 + 4 * hostile_scale()

    def arrived() -> set[str]:
        return {e.epc for e in inbox.zone_events() if e.event == "arrived"}

    try:
        for index, (name, data, how) in enumerate(faults):
            await until(lambda: sim.inventorying and agent.reader is not None and agent.reader.inventorying.is_set())
            before = (agent.reader.bad_frames, agent.reader.connects, agent.stats.rejected_reads, len(caplog.records))
            assert (cut_mid_frame if how == "cut" else inject)(sim, data), f"no client to send {name!r} to"
            # a tag the reader sees from now on: its arrival must reach MQTT, whatever the fault did to the stream
            marker = f"E2{index:022X}"
            field.epcs.append(bytes.fromhex(marker))
            markers.append(marker)
            await inbox.wait_for(lambda i, m=marker: m in arrived(), timeout=60)
            after = (agent.reader.bad_frames, agent.reader.connects, agent.stats.rejected_reads)
            if any(a > b for a, b in zip(after, before, strict=False)):
                rejected += 1
                logged = [r for r in caplog.records[before[3]:] if r.levelno >= logging.WARNING]
                # a skipped read is said once per EPC and fault (a tag is read many times a second)
                said_before = after[2] > before[2] and any(
                    r.getMessage() == "tag read skipped" for r in caplog.records[: before[3]])
                if index < catalogued and not logged and not said_before:
                    unexplained.append(name)
            else:
                accepted += 1  # decoded by sllurp and taken as data (a mangled report that still parses)
                if index < catalogued:
                    taken.append(name)
        await link.flush(10)
        lost = len(set(markers) - arrived())
        alive = not task.done() and sim.session is not None and listener.connected
    finally:
        await stop_agent(link, task)
        await listener.stop()
        await sim.stop()
    reasons = {r.__dict__.get("reason", r.getMessage()) for r in caplog.records}
    print(f"\nHOSTILE part=llrp tried={len(faults)} rejected={rejected} accepted={accepted} "
          f"alive={'yes' if alive else 'no'} lost={lost} valid_reads_after={len(markers)} "
          f"reconnects={agent.reader.connects - 1} frames_skipped={agent.reader.bad_frames} "
          f"reads_skipped={agent.stats.rejected_reads} reasons={len(reasons)}")
    assert alive and lost == 0
    assert not unexplained, f"faults turned down without a log line: {unexplained}"
    # every catalogued kind of bad frame, and every hostile read, is turned down, not taken as data
    assert not taken, f"taken as data: {taken}"
