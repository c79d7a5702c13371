"""The LLRP reader simulator, seen from clients we did not write (sllurp) and from raw bytes."""

from __future__ import annotations

import asyncio
import struct
import time

import pytest
from sllurp.llrp import LLRPReaderClient, LLRPReaderConfig, LLRPReaderState

from comptoir.clock import ManualClock, SimulatedClock
from simulators.llrp import protocol as llrp
from simulators.llrp.server import ReaderSimulator
from tests.rfid_support import ALL_PORTS, START, RawClient, rospec, small_shop, status

pytestmark = pytest.mark.timeout(60)

SELECT_ALL = {
    "EnableAntennaID": True,
    "EnablePeakRSSI": True,
    "EnableFirstSeenTimestamp": True,
    "EnableLastSeenTimestamp": True,
    "EnableTagSeenCount": True,
}


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_sllurp_completes_its_handshake_and_gets_tag_reports() -> None:
    radio = small_shop(products=20)
    clock = SimulatedClock(START, speed=20)
    sim = await ReaderSimulator(radio, clock=clock, round_ms=1000).start("127.0.0.1", 0)
    reports: list[list[dict]] = []
    states: list[int] = []
    config = LLRPReaderConfig(
        {
            "antennas": ALL_PORTS,
            "report_every_n_tags": 100,
            "report_timeout_ms": 1000,
            "tag_content_selector": SELECT_ALL,
            "reconnect": False,
        }
    )
    client = LLRPReaderClient("127.0.0.1", sim.port, config)
    client.add_tag_report_callback(lambda _c, tags: reports.append(tags))
    client.add_state_callback(LLRPReaderState.STATE_INVENTORYING, lambda _c, state: states.append(state))
    try:
        await asyncio.to_thread(client.connect)
        await wait_for(lambda: sum(len(r) for r in reports) >= 300)
    finally:
        await asyncio.to_thread(client.disconnect, 5)
        await sim.stop()
    assert states == [LLRPReaderState.STATE_INVENTORYING]
    # the exact sequence sllurp sends, each answered
    for msg_type in (
        llrp.GET_READER_CAPABILITIES,
        llrp.GET_READER_CONFIG,
        llrp.ENABLE_EVENTS_AND_REPORTS,
        llrp.SET_READER_CONFIG,
        llrp.DELETE_ACCESSSPEC,
        llrp.DELETE_ROSPEC,
        llrp.ADD_ROSPEC,
        llrp.ENABLE_ROSPEC,
    ):
        assert sim.stats.messages.get(msg_type, 0) >= 1, msg_type
    assert sim.stats.errors_sent == 0
    tags = [t for r in reports for t in r]
    assert all(len(r) <= 100 for r in reports)
    assert {t["AntennaID"] for t in tags} <= set(ALL_PORTS) and len({t["AntennaID"] for t in tags}) >= 5
    assert all(-100 < t["PeakRSSI"] < -20 for t in tags)
    assert all(t["TagSeenCount"] >= 1 and t["LastSeenTimestampUTC"] >= t["FirstSeenTimestampUTC"] for t in tags)
    known = {bytes.fromhex(e) for e in radio.world.items}
    assert all(bytes.fromhex(t["EPC-96"].decode()) in known for t in tags)


async def handshake(client: RawClient, spec_kwargs: dict | None = None) -> None:
    event = await client.expect("READER_EVENT_NOTIFICATION")
    assert event["ReaderEventNotificationData"]["ConnectionAttemptEvent"]["Status"] == "Success"
    client.send("GET_READER_CAPABILITIES", {"RequestedData": 0})
    caps = await client.expect("GET_READER_CAPABILITIES_RESPONSE")
    assert caps["GeneralDeviceCapabilities"]["MaxNumberOfAntennaSupported"] == len(ALL_PORTS)
    client.send("ADD_ROSPEC", {"ROSpecID": 1, "ROSpec": rospec(**(spec_kwargs or {}))})
    assert status(await client.expect("ADD_ROSPEC_RESPONSE")) == "Success"
    client.send("ENABLE_ROSPEC", {"ROSpecID": 1})
    assert status(await client.expect("ENABLE_ROSPEC_RESPONSE")) == "Success"


async def test_reports_honour_every_n_tags_and_the_content_selector() -> None:
    clock = ManualClock(START)
    sim = await ReaderSimulator(small_shop(products=20, movers=False), clock=clock, round_ms=1000).start("127.0.0.1", 0)
    client = await RawClient().connect(sim.port)
    try:
        selector = {"EnableAntennaID": True, "EnablePeakRSSI": False, "EnableLastSeenTimestamp": False}
        await handshake(client, {"n": 7, "selector": selector})
        clock.advance(1.0)  # one round
        report = await client.expect("RO_ACCESS_REPORT")
        tags = report["TagReportData"]
        assert len(tags) == 7
        assert all("AntennaID" in t and "PeakRSSI" not in t and "LastSeenTimestampUTC" not in t for t in tags)
        assert all("ROSpecID" in t for t in tags)  # sllurp's selector asks for it
    finally:
        await client.close()
        await sim.stop()


async def test_end_of_aispec_reports_then_stop_start_disable() -> None:
    clock = ManualClock(START)
    sim = await ReaderSimulator(small_shop(products=20, movers=False), clock=clock, round_ms=1000).start("127.0.0.1", 0)
    client = await RawClient().connect(sim.port)
    try:
        await handshake(client, {"n": 0, "aispec_ms": 500})
        clock.advance(0.5)
        first = await client.expect("RO_ACCESS_REPORT")
        clock.advance(0.5)
        second = await client.expect("RO_ACCESS_REPORT")
        assert len(first["TagReportData"]) > 50 and len(second["TagReportData"]) > 50
        client.send("STOP_ROSPEC", {"ROSpecID": 1})
        assert status(await client.expect("STOP_ROSPEC_RESPONSE", skip=("RO_ACCESS_REPORT",))) == "Success"
        clock.advance(5)
        # a stopped ROSpec reads nothing: the next thing on the wire is the answer to our next request
        client.send("GET_READER_CONFIG", {"RequestedData": 0})
        assert status(await client.expect("GET_READER_CONFIG_RESPONSE")) == "Success"
        client.send("START_ROSPEC", {"ROSpecID": 1})
        assert status(await client.expect("START_ROSPEC_RESPONSE")) == "Success"
        clock.advance(0.5)
        await client.expect("RO_ACCESS_REPORT")
        client.send("DISABLE_ROSPEC", {"ROSpecID": 1})
        assert status(await client.expect("DISABLE_ROSPEC_RESPONSE", skip=("RO_ACCESS_REPORT",))) == "Success"
        client.send("START_ROSPEC", {"ROSpecID": 1})  # a disabled ROSpec cannot start
        assert status(await client.expect("START_ROSPEC_RESPONSE")) != "Success"
        client.send("DELETE_ROSPEC", {"ROSpecID": 0})
        assert status(await client.expect("DELETE_ROSPEC_RESPONSE")) == "Success"
        client.send("ENABLE_ROSPEC", {"ROSpecID": 1})
        assert status(await client.expect("ENABLE_ROSPEC_RESPONSE")) != "Success"
    finally:
        await client.close()
        await sim.stop()


async def test_keepalive_and_close_connection() -> None:
    clock = ManualClock(START)
    sim = await ReaderSimulator(small_shop(products=5, movers=False), clock=clock).start("127.0.0.1", 0)
    client = await RawClient().connect(sim.port)
    try:
        await client.expect("READER_EVENT_NOTIFICATION")
        client.send(
            "SET_READER_CONFIG",
            {
                "ResetToFactoryDefaults": False,
                "KeepaliveSpec": {"KeepaliveTriggerType": 1, "TimeInterval": 2000},
            },
        )
        assert status(await client.expect("SET_READER_CONFIG_RESPONSE")) == "Success"
        clock.advance(2.0)
        await client.expect("KEEPALIVE", skip=())
        client.send("KEEPALIVE_ACK")
        client.send("CLOSE_CONNECTION")
        assert status(await client.expect("CLOSE_CONNECTION_RESPONSE")) == "Success"
        close = await client.expect("READER_EVENT_NOTIFICATION")
        assert "ConnectionCloseEvent" in close["ReaderEventNotificationData"]
        assert await asyncio.wait_for(client.reader.read(), 5) == b""  # the reader hung up
    finally:
        await client.close()
        await sim.stop()


async def test_a_second_client_is_refused_and_the_first_keeps_working() -> None:
    sim = await ReaderSimulator(small_shop(products=5, movers=False), clock=ManualClock(START)).start("127.0.0.1", 0)
    first = await RawClient().connect(sim.port)
    second = await RawClient().connect(sim.port)
    try:
        await first.expect("READER_EVENT_NOTIFICATION")
        event = await second.expect("READER_EVENT_NOTIFICATION")
        assert event["ReaderEventNotificationData"]["ConnectionAttemptEvent"]["Status"] == (
            "Failed (a Client initiated connection already exists)"
        )
        assert await asyncio.wait_for(second.reader.read(), 5) == b""
        first.send("GET_READER_CAPABILITIES", {"RequestedData": 0})
        assert status(await first.expect("GET_READER_CAPABILITIES_RESPONSE")) == "Success"
        assert sim.stats.refused == 1
    finally:
        await first.close()
        await second.close()
        await sim.stop()


async def test_bad_bytes_get_error_message_and_the_session_survives() -> None:
    sim = await ReaderSimulator(
        small_shop(products=5, movers=False), clock=ManualClock(START), partial_frame_timeout_s=0.3
    ).start("127.0.0.1", 0)
    client = await RawClient().connect(sim.port)

    async def still_usable() -> None:
        client.send("GET_READER_CAPABILITIES", {"RequestedData": 0})
        assert status(await client.expect("GET_READER_CAPABILITIES_RESPONSE")) == "Success"

    try:
        await client.expect("READER_EVENT_NOTIFICATION")
        # an unknown message type: answered with its message id
        client.send_raw(llrp.frame(999, 4242, b"\x00\x01"))
        error = await client.expect("ERROR_MESSAGE")
        assert error["ID"] == 4242 and status(error) == "UnsupportedMessage"
        await still_usable()
        # garbage: a header whose length cannot be
        client.send_raw(b"\xde\xad\xbe\xef" * 8)
        assert status(await client.expect("ERROR_MESSAGE")) == "ParameterError"
        await still_usable()
        # a frame whose length field is below the header size
        client.send_raw(struct.pack("!HII", (1 << 10) | llrp.KEEPALIVE_ACK, 4, 7))
        assert status(await client.expect("ERROR_MESSAGE")) == "ParameterError"
        await still_usable()
        # a frame announcing more bytes than ever come
        client.send_raw(struct.pack("!HII", (1 << 10) | llrp.KEEPALIVE_ACK, 40, 8) + b"\x00\x01")
        assert status(await client.expect("ERROR_MESSAGE")) == "ParameterError"
        await still_usable()
        # an unsupported protocol version
        client.send_raw(llrp.frame(llrp.GET_READER_CAPABILITIES, 9, b"\x00", version=2))
        assert status(await client.expect("ERROR_MESSAGE")) == "UnsupportedVersion"
        await still_usable()
        # a known request with a body that does not parse: its own response carries the error
        client.send_raw(llrp.frame(llrp.ADD_ROSPEC, 10, b"\x00\xb1\x00\x40\x00"))
        assert status(await client.expect("ADD_ROSPEC_RESPONSE")) == "ParameterError"
        client.send_raw(llrp.frame(llrp.ENABLE_ROSPEC, 11, b"\x00"))
        assert status(await client.expect("ENABLE_ROSPEC_RESPONSE")) == "FieldError"
        await still_usable()
        assert sim.stats.errors_sent == 7
    finally:
        await client.close()
        await sim.stop()


async def test_replay_reader_serves_the_recorded_reports() -> None:
    from pathlib import Path

    from simulators.llrp.server import load_replay, tag_report_epcs

    bodies = load_replay(Path(__file__).parent / "data" / "llrp" / "edgex-impinj")
    clock = ManualClock(START)
    sim = await ReaderSimulator(small_shop(products=5, movers=False), clock=clock, replay=bodies).start("127.0.0.1", 0)
    client = await RawClient().connect(sim.port)
    try:
        await handshake(client)
        got = []
        for _ in bodies:
            clock.advance(1.0)
            got.extend(t["EPC-96"].decode().upper() for t in (await client.expect("RO_ACCESS_REPORT"))["TagReportData"])
        assert got == [e.hex().upper() for b in bodies for e in tag_report_epcs(b)]
    finally:
        await client.close()
        await sim.stop()
