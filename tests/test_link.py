"""The MQTT link against a real broker (mosquitto in CI) and real processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from comptoir.contract import ContractError, DeviceStatus, Message, ZoneEvent
from comptoir.link import MqttLink
from comptoir.mosquitto import Mosquitto
from tests.conftest import BrokerHandle

ROOT = Path(__file__).resolve().parent.parent
EVENTS = "comptoir/v1/test/rfid/+/events"


class Collector:
    """Collects what a subscribing link receives and lets a test wait for a count."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.errors: list[tuple[str, bytes, ContractError]] = []
        self._changed = asyncio.Event()

    def __call__(self, message: Message) -> None:
        self.messages.append(message)
        self._changed.set()

    def error(self, topic: str, payload: bytes, err: ContractError) -> None:
        self.errors.append((topic, payload, err))
        self._changed.set()

    async def wait_for(self, predicate, timeout: float = 20.0) -> None:
        async def loop() -> None:
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(loop(), timeout)


async def listener(broker: BrokerHandle, pattern: str = EVENTS, persistent: bool = False) -> tuple[MqttLink, Collector]:
    got = Collector()
    link = MqttLink(broker.settings(), store="test", device="listener", kind="test", persistent_session=persistent)
    link.subscribe(pattern, got, got.error)
    await link.start()
    assert await link.wait_subscribed(10)
    return link, got


@contextmanager
def device_process(url: str, outbox: Path, device: str, count: int) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.publisher", url, str(outbox), device, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def read_until(proc: subprocess.Popen[str], prefix: str) -> str:
    assert proc.stdout is not None
    while line := proc.stdout.readline():
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(f"process ended before printing {prefix!r}")


def seqs(messages: list[Message], device: str) -> list[int]:
    return [m.seq for m in messages if m.device == device and isinstance(m, ZoneEvent)]


async def test_queues_while_the_broker_is_down_then_delivers_each_once_in_order(
    tmp_path: Path, stopped_broker: BrokerHandle
) -> None:
    if not isinstance(stopped_broker.impl, Mosquitto):
        pytest.skip("needs mosquitto's persistent sessions (CI always has mosquitto)")
    stopped_broker.impl.persistent = True
    stopped_broker.start()
    hub, got = await listener(stopped_broker, persistent=True)
    stopped_broker.stop()

    device = MqttLink(
        stopped_broker.settings(), store="test", device="r1", kind="rfid-reader", outbox=tmp_path / "r1.db"
    )
    await device.start()
    device.emit_many(ZoneEvent, ({"event": "arrived", "epc": f"{i:024X}", "location": "floor"} for i in range(300)))
    assert not device.connected
    assert len(device.outbox) == 300

    stopped_broker.start()
    assert await device.flush(20)
    await got.wait_for(lambda c: len(seqs(c.messages, "r1")) >= 300)
    await asyncio.sleep(0.3)  # let any duplicate show up before counting
    assert seqs(got.messages, "r1") == list(range(1, 301))
    await device.stop()
    await hub.stop()


async def test_a_killed_publisher_delivers_its_outbox_after_restart(
    tmp_path: Path, stopped_broker: BrokerHandle
) -> None:
    outbox = tmp_path / "r2.db"
    with device_process(stopped_broker.url, outbox, "r2", 200) as proc:
        assert read_until(proc, "queued") == "queued 200"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    stopped_broker.start()
    hub, got = await listener(stopped_broker)
    with device_process(stopped_broker.url, outbox, "r2", 0) as proc:
        assert read_until(proc, "flushed") == "flushed 0"
        await got.wait_for(lambda c: len(seqs(c.messages, "r2")) >= 200)
        await asyncio.sleep(0.3)
    assert seqs(got.messages, "r2") == list(range(1, 201))
    await hub.stop()


async def test_a_full_outbox_drops_the_oldest_and_reports_it(
    tmp_path: Path, mqtt_broker: BrokerHandle, caplog: pytest.LogCaptureFixture
) -> None:
    hub, got = await listener(mqtt_broker, pattern="comptoir/v1/test/#")
    device = MqttLink(
        mqtt_broker.settings(),
        store="test",
        device="r3",
        kind="rfid-reader",
        outbox=tmp_path / "r3.db",
        outbox_max_messages=50,
    )
    device.emit_many(ZoneEvent, ({"event": "arrived", "epc": f"{i:024X}", "location": "floor"} for i in range(80)))
    assert device.stats().dropped == 30
    assert "dropped oldest" in caplog.text
    await device.start()
    assert await device.flush(20)
    await got.wait_for(lambda c: len(seqs(c.messages, "r3")) >= 50)
    assert seqs(got.messages, "r3") == list(range(31, 81))  # the gap 1..30 is visible to the hub
    births = [m for m in got.messages if isinstance(m, DeviceStatus) and m.device == "r3" and m.state == "online"]
    assert births and births[0].dropped == 30
    await device.stop()
    await hub.stop()


async def test_last_will_marks_a_killed_device_offline_and_birth_marks_it_online(
    tmp_path: Path, mqtt_broker: BrokerHandle
) -> None:
    hub, got = await listener(mqtt_broker, pattern="comptoir/v1/test/device/r4/status")

    def states() -> list[tuple[str, str | None]]:
        return [(m.state, m.reason) for m in got.messages if isinstance(m, DeviceStatus)]

    with device_process(mqtt_broker.url, tmp_path / "r4.db", "r4", 0) as proc:
        read_until(proc, "online")
        await got.wait_for(lambda c: ("online", None) in states())
        os.kill(proc.pid, signal.SIGKILL)
        await got.wait_for(lambda c: ("offline", "connection lost") in states())
    with device_process(mqtt_broker.url, tmp_path / "r4.db", "r4", 0) as proc:
        read_until(proc, "online")
        await got.wait_for(lambda c: states().count(("online", None)) == 2)
    assert states()[:3] == [("online", None), ("offline", "connection lost"), ("online", None)]
    sessions = [m.seq for m in got.messages if isinstance(m, DeviceStatus)]
    assert sessions[1] == sessions[0] and sessions[2] > sessions[1]  # the will belongs to its connection
    await hub.stop()

    # retained: a newcomer learns the current state at once
    late, late_got = await listener(mqtt_broker, pattern="comptoir/v1/test/device/r4/status")
    await late_got.wait_for(lambda c: len(c.messages) >= 1)
    assert late_got.messages[-1].state == "offline"  # the second process was killed too
    await late.stop()


async def test_clean_stop_publishes_offline_shutdown(tmp_path: Path, mqtt_broker: BrokerHandle) -> None:
    hub, got = await listener(mqtt_broker, pattern="comptoir/v1/test/device/r5/status")
    device = MqttLink(mqtt_broker.settings(), store="test", device="r5", kind="camera", outbox=tmp_path / "r5.db")
    await device.start()
    assert await device.wait_connected(10)
    await device.stop()
    await got.wait_for(lambda c: any(getattr(m, "reason", None) == "shutdown" for m in c.messages))
    assert [m.state for m in got.messages] == ["online", "offline"]
    await hub.stop()


async def test_mosquitto_sub_receives_what_the_link_publishes(tmp_path: Path, mqtt_broker: BrokerHandle) -> None:
    if not isinstance(mqtt_broker.impl, Mosquitto):
        pytest.skip("mosquitto_sub comes with mosquitto (CI always has it)")
    # stdbuf: mosquitto_sub buffers its output on a pipe, and the test must see SUBACK before publishing
    sub = subprocess.Popen(
        [
            "stdbuf",
            "-oL",
            "mosquitto_sub",
            "-h",
            mqtt_broker.host,
            "-p",
            str(mqtt_broker.port),
            "-t",
            EVENTS,
            "-q",
            "1",
            "-C",
            "3",
            "-W",
            "20",
            "-d",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sub.stdout is not None
        while "SUBACK" not in (line := sub.stdout.readline()):
            assert line, "mosquitto_sub ended before subscribing"
        device = MqttLink(
            mqtt_broker.settings(), store="test", device="r6", kind="rfid-reader", outbox=tmp_path / "r6.db"
        )
        await device.start()
        sent = [device.emit(ZoneEvent, event="arrived", epc=f"{i:024X}", location="floor") for i in range(3)]
        await device.flush(10)
        out, _ = await asyncio.to_thread(sub.communicate, timeout=20)
    finally:
        if sub.poll() is None:
            sub.kill()
    payloads = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [p["msg_id"] for p in payloads] == [m.msg_id for m in sent]
    assert sub.returncode == 0
    await device.stop()


async def test_invalid_payloads_reach_the_error_callback_and_valid_ones_still_flow(
    mqtt_broker: BrokerHandle,
) -> None:
    hub, got = await listener(mqtt_broker, pattern="comptoir/v1/test/#")
    raw = paho.Client(CallbackAPIVersion.VERSION2)
    raw.connect(mqtt_broker.host, mqtt_broker.port)
    raw.loop_start()
    good = ZoneEvent.create(
        device="r7",
        seq=1,
        time="2026-11-26T10:00:00Z",
        event="arrived",
        epc="3034B82E5029360000001267",
        location="floor",
    )
    bad = [
        ("comptoir/v1/test/rfid/r7/events", b"{oops"),
        ("comptoir/v1/test/rfid/r7/events", json.dumps({**good.model_dump(mode="json", by_alias=True), "seq": "x"})),
        ("comptoir/v1/test/teleport/r7/events", good.model_dump_json(by_alias=True)),
    ]
    for topic, payload in bad:
        raw.publish(topic, payload, qos=1).wait_for_publish(5)
    raw.publish("comptoir/v1/test/rfid/r7/events", good.model_dump_json(by_alias=True), qos=1).wait_for_publish(5)
    await got.wait_for(lambda c: len(c.errors) >= 3 and any(m.device == "r7" for m in c.messages))
    reasons = [str(err) for _, _, err in got.errors]
    assert "not valid JSON" in reasons[0]
    assert reasons[1].startswith("seq:")
    assert "unknown family 'teleport'" in reasons[2]
    assert [m.msg_id for m in got.messages if m.device == "r7"] == [good.msg_id]
    assert hub.stats().rejected == 3
    raw.loop_stop()
    raw.disconnect()
    await hub.stop()


async def test_tls_and_password(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    from comptoir.mosquitto import mosquitto_binary

    if mosquitto_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have mosquitto")
        pytest.skip("needs mosquitto")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem.bytes())
    cert.private_key_pem.write_to_path(str(tmp_path / "server.key"))
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "server.pem"))
    pwfile = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(pwfile), "caisse", "s3cret"], check=True, capture_output=True)
    broker = Mosquitto(
        tmp_path / "m", password_file=pwfile, certfile=tmp_path / "server.pem", keyfile=tmp_path / "server.key"
    )
    broker.start()
    try:
        handle = BrokerHandle(broker, "mosquitto")
        settings = handle.settings(username="caisse", password="s3cret", ca_file=tmp_path / "ca.pem")
        assert settings.tls
        got = Collector()
        hub = MqttLink(settings, store="test", device="listener", kind="test")
        hub.subscribe(EVENTS, got, got.error)
        await hub.start()
        assert await hub.wait_subscribed(10)
        device = MqttLink(settings, store="test", device="r8", kind="rfid-reader", outbox=tmp_path / "r8.db")
        await device.start()
        device.emit(ZoneEvent, event="arrived", epc="3034B82E5029360000001267", location="floor")
        await got.wait_for(lambda c: len(c.messages) == 1)

        wrong = MqttLink(
            handle.settings(username="caisse", password="nope", ca_file=tmp_path / "ca.pem"),
            store="test",
            device="r9",
            kind="rfid-reader",
            outbox=tmp_path / "r9.db",
        )
        await wrong.start()
        assert not await wrong.wait_connected(1.5)
        await wrong.stop()
        await device.stop()
        await hub.stop()
    finally:
        broker.stop()


def _raw_client(broker: BrokerHandle) -> paho.Client:
    raw = paho.Client(CallbackAPIVersion.VERSION2)
    raw.connect(broker.host, broker.port)
    raw.loop_start()
    return raw


def _event(seq: int) -> ZoneEvent:
    return ZoneEvent.create(device="r7", seq=seq, time="2026-11-26T10:00:00Z", event="arrived",
                            epc=f"3034B82E5029{seq:012X}", location="floor")


async def test_a_deeply_nested_payload_is_rejected_and_the_next_messages_still_arrive(
    mqtt_broker: BrokerHandle,
) -> None:
    """Issue 16: ``[`` * 3000 made json.loads raise RecursionError, which killed the receiving loop for good."""
    link, got = await listener(mqtt_broker, pattern="comptoir/v1/test/#")
    raw = _raw_client(mqtt_broker)
    raw.publish("comptoir/v1/test/rfid/r7/events", "[" * 3000 + "]" * 3000, qos=1).wait_for_publish(5)
    for seq in (1, 2):
        raw.publish("comptoir/v1/test/rfid/r7/events", _event(seq).model_dump_json(by_alias=True), qos=1)
    await got.wait_for(lambda c: len(seqs(c.messages, "r7")) == 2 and c.errors)
    assert "nested too deeply" in str(got.errors[0][2])
    assert link.consumer_stopped is None and link.consumer_state().queued == 0
    raw.loop_stop()
    raw.disconnect()
    await link.stop()


async def test_a_store_that_cannot_write_gets_the_same_batch_again_and_nothing_is_acknowledged_meanwhile(
    mqtt_broker: BrokerHandle,
) -> None:
    from comptoir.link import RetryPolicy, StoreUnavailable

    stored: list[int] = []
    tries = 0
    store_works = asyncio.Event()

    def handle(messages: list[Message]) -> None:
        nonlocal tries
        tries += 1
        if not store_works.is_set():
            raise StoreUnavailable("SQLITE_FULL: database or disk is full")
        stored.extend(m.seq for m in messages)

    link = MqttLink(mqtt_broker.settings(), store="test", device="keeper", kind="test", persistent_session=True,
                    retry=RetryPolicy(first_s=0.01, max_s=0.1))
    link.subscribe_batch("comptoir/v1/test/#", handle)
    await link.start()
    assert await link.wait_subscribed(10)
    raw = _raw_client(mqtt_broker)
    for seq in range(1, 21):
        raw.publish("comptoir/v1/test/rfid/r7/events", _event(seq).model_dump_json(by_alias=True), qos=1)
    deadline = asyncio.get_running_loop().time() + 20
    while tries < 5 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    state = link.consumer_state()
    assert state.store_failure and "SQLITE_FULL" in state.store_failure and state.held_back > 0
    # nothing was acknowledged: a new session after a crash would get every message again
    await link.stop(drain_timeout=0)
    link.outbox.close()
    link = MqttLink(mqtt_broker.settings(), store="test", device="keeper", kind="test", persistent_session=True,
                    retry=RetryPolicy(first_s=0.01, max_s=0.1))
    link.subscribe_batch("comptoir/v1/test/#", handle)
    await link.start()
    await asyncio.sleep(0.3)
    assert stored == []
    store_works.set()
    while len(set(stored)) < 20 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    assert sorted(set(stored)) == list(range(1, 21)), "every message comes through once the store works"
    assert link.consumer_state().store_failure is None and link.consumer_state().last_batch is not None
    raw.loop_stop()
    raw.disconnect()
    await link.stop()


class _LinkBug(BaseException):
    """Stands for a fault that escapes the link's per-message isolation (it catches Exception)."""


async def test_a_receiving_loop_that_ends_is_reported_not_silent(mqtt_broker: BrokerHandle) -> None:
    def broken(message: Message) -> None:
        raise _LinkBug("boom")

    link = MqttLink(mqtt_broker.settings(), store="test", device="deaf", kind="test")
    link.subscribe("comptoir/v1/test/#", broken)
    await link.start()
    assert await link.wait_subscribed(10)
    raw = _raw_client(mqtt_broker)
    raw.publish("comptoir/v1/test/rfid/r7/events", _event(1).model_dump_json(by_alias=True), qos=1)
    reason = await asyncio.wait_for(link.wait_consumer_stopped(), 10)
    assert "_LinkBug" in reason and link.consumer_stopped == reason
    raw.loop_stop()
    raw.disconnect()
    await link.stop()
