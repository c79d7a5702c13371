"""Reads a reader should never report, in well-formed LLRP: each is skipped and said, the other tags go on.

Reader simulator (real TCP, sllurp) -> edge agent -> real mosquitto -> a listener.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from comptoir.clock import SimulatedClock
from comptoir.contract import ZoneEvents
from simulators.llrp.hostile import OddReads
from simulators.llrp.server import ReaderSimulator
from tests.conftest import BrokerHandle
from tests.rfid_support import START, listen, small_shop, until
from tests.test_rfid_agent import reader_config, start_agent, stop_agent

pytestmark = pytest.mark.timeout(90)

EPC_512 = bytes.fromhex("E2" * 64)  # 128 hex digits: the contract carries at most 124
EPC_8 = bytes.fromhex("E2")  # 2 hex digits: the contract needs at least 4
EPC_48 = bytes.fromhex("E28011700000")  # 12 hex digits: within the contract, kept as raw hex
EPC_AHEAD = bytes.fromhex("30340000000000000000ABCD")  # a plain SGTIN-96 dated ten years ahead
# urn:epc:id:sgtin:0614141.812345. followed by twenty %22, as SGTIN-198
EPC_198 = bytes.fromhex("3634257BF7194E51224489122448912244891224489122448800")
TEN_YEARS_US = 10 * 365 * 86_400 * 1_000_000
FIRST_PORT = 1  # the backroom antenna of the default layout


async def _run(broker: BrokerHandle, tmp_path: Path, extra: list[tuple[bytes, int]], caplog: pytest.LogCaptureFixture):
    """The small shop's reader, with ``extra`` reads every round; returns (shop EPCs, events, agent stats, logs)."""
    caplog.set_level(logging.INFO, logger="comptoir.edge.rfid")
    clock = SimulatedClock(START, speed=10)
    shop = small_shop(products=5, movers=False)
    source = OddReads(shop, FIRST_PORT, extra)
    sim = await ReaderSimulator(source, clock=clock).start("127.0.0.1", 0)
    listener, inbox = await listen(broker)
    config = reader_config(sim.port, silence_s=10, tracker={"arrival_settle_s": 0})
    agent, link, task = await start_agent(broker, config, clock, tmp_path)
    zones = set(config.antennas.values())
    expected = {item.epc.upper() for item in shop.world.items.values() if item.where.zone in zones}
    try:
        # every tag of the shop arrives, even those whose arrival shares a batch with the odd reads
        await inbox.wait_for(lambda i: expected <= {e.epc for e in i.zone_events() if e.event == "arrived"}, 60)
        await until(lambda: agent.stats.reports >= 3)
        await link.flush(10)
        await inbox.wait_for(lambda i: sum(len(m.events) for m in i.of(ZoneEvents)) >= agent.stats.events, 10)
    finally:
        await stop_agent(link, task)
        await listener.stop()
        await sim.stop()
    return expected, inbox.zone_events(), agent.stats, [r.__dict__ for r in caplog.records]


async def test_an_epc_outside_the_contract_is_skipped_and_its_batch_goes_on(
    mqtt_broker: BrokerHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected, events, stats, logs = await _run(
        mqtt_broker, tmp_path, [(EPC_512, 0), (EPC_8, 0), (EPC_48, 0)], caplog
    )
    published = {e.epc for e in events}
    assert expected <= published
    assert EPC_48.hex().upper() in published  # a short EPC the contract allows still travels, as raw hex
    assert not {EPC_512.hex().upper(), EPC_8.hex().upper()} & published
    # counted at every read, said once per EPC, with the EPC and the reason
    assert stats.rejected_reads >= 4  # both EPCs, in more than one report
    skipped = [r for r in logs if r["msg"] == "tag read skipped"]
    assert sorted(r["epc"] for r in skipped) == sorted([EPC_512.hex()[:64] + "...(128 chars)", EPC_8.hex()])
    assert all(r["fault"] == "EPC outside the contract" and "pattern" in r["reason"] for r in skipped)
    assert stats.rejected_events == 0  # nothing reached a batch to spoil it


async def test_a_read_dated_years_ahead_is_skipped_and_moves_no_clock(
    mqtt_broker: BrokerHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected, events, stats, logs = await _run(mqtt_broker, tmp_path, [(EPC_AHEAD, TEN_YEARS_US)], caplog)
    assert expected <= {e.epc for e in events}
    assert EPC_AHEAD.hex().upper() not in {e.epc for e in events}
    # applied, the read would have moved the agent's time ten years on: every tag departed, events dated 2036
    assert "departed" not in {e.event for e in events}
    assert max(e.time for e in events) < START + timedelta(days=1)
    skipped = [r for r in logs if r["msg"] == "tag read skipped"]
    assert len(skipped) == 1 and skipped[0]["fault"] == "read dated ahead of the agent's clock"
    assert stats.rejected_reads >= 2


async def test_an_sgtin_198_whose_serial_the_contract_cannot_carry_travels_without_it(
    mqtt_broker: BrokerHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # a real GS1 tag: SGTIN-198, serial of twenty '"', which the EPC URI writes as %22: 60 characters, the contract
    # carries 40. Before, its arrival made the batch invalid and every event in it was lost.
    expected, events, stats, logs = await _run(mqtt_broker, tmp_path, [(EPC_198, 0)], caplog)
    assert expected <= {e.epc for e in events}
    (event,) = [e for e in events if e.epc == EPC_198.hex().upper() and e.event == "arrived"]
    assert (event.scheme, event.gtin, event.serial) == ("sgtin-198", "80614141123458", None)
    said = [r for r in logs if r["msg"] == "EPC decoded in part"]
    assert said and "serial" in said[0]["reason"] and "40 characters" in said[0]["reason"]
    assert stats.rejected_events == 0 and stats.rejected_reads == 0
