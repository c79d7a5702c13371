"""Helpers for the RFID tests: a raw LLRP client (sllurp's encoder and decoder, our own socket) and a small shop."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

from sllurp.llrp import LLRPMessage
from sllurp.llrp_proto import LLRPROSpec

from comptoir.contract import BatchedZoneEvent, Message, ZoneEvents
from comptoir.link import MqttLink
from simulators.llrp import protocol as llrp
from simulators.llrp.radio import RadioParams, WorldRadio
from simulators.world import World, WorldParams, default_antennas
from tests.conftest import BrokerHandle

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ALL_PORTS = [a.port for a in default_antennas()]
ALIASES = {a.port: a.zone for a in default_antennas()}
GATE_PORTS = (10, 11)


def small_shop(seed: int = 1, products: int = 20, movers: bool = True, **radio: Any) -> WorldRadio:
    world = World(seed=seed, params=WorldParams(products=products), start=START, movers=movers)
    return WorldRadio(world, default_antennas(), RadioParams(**radio), seed=seed)


def rospec(
    antennas: list[int] | None = None,
    n: int = 0,
    selector: dict[str, bool] | None = None,
    aispec_ms: int | None = None,
    rospec_id: int = 1,
) -> LLRPROSpec:
    """A ROSpec as sllurp builds it (Immediate start; report every ``n`` tags or at the end of each AISpec)."""
    spec = LLRPROSpec(None, rospec_id, antennas=antennas or ALL_PORTS, tag_content_selector=selector)
    spec["ROReportSpec"]["N"] = n
    if aispec_ms is not None:
        spec["AISpec"][0]["AISpecStopTrigger"] = {
            "AISpecStopTriggerType": "Duration",
            "DurationTriggerValue": aispec_ms,
        }
    return spec


class RawClient:
    """A hand-driven LLRP client: messages encoded and decoded by sllurp, sent on our own socket."""

    def __init__(self) -> None:
        self.reader: asyncio.StreamReader
        self.writer: asyncio.StreamWriter
        self.next_id = 100

    async def connect(self, port: int) -> RawClient:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        return self

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()

    def send(self, name: str, fields: dict[str, Any] | None = None) -> int:
        self.next_id += 1
        body = dict(fields or {})
        body["ID"] = self.next_id
        self.writer.write(LLRPMessage(msgdict={name: body}).msgbytes)
        return self.next_id

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    async def recv(self, timeout: float = 5.0) -> tuple[str, dict[str, Any]]:
        header = await asyncio.wait_for(self.reader.readexactly(llrp.HEADER_LEN), timeout)
        _, _, length, _ = llrp.parse_header(header)
        rest = await asyncio.wait_for(self.reader.readexactly(length - llrp.HEADER_LEN), timeout)
        message = LLRPMessage(msgbytes=header + rest)
        (name, body), *_ = message.msgdict.items()
        return name, body

    async def expect(self, name: str, timeout: float = 5.0, skip: tuple[str, ...] = ("KEEPALIVE",)) -> dict[str, Any]:
        """The next message, which must be ``name`` (messages in ``skip`` are passed over)."""
        while True:
            got, body = await self.recv(timeout)
            if got in skip and got != name:
                continue
            assert got == name, f"expected {name}, got {got}: {body}"
            return body

    async def collect_until(self, name: str, timeout: float = 5.0) -> list[tuple[str, dict[str, Any]]]:
        """Every message up to and including the first ``name``."""
        seen = []
        while True:
            got, body = await self.recv(timeout)
            seen.append((got, body))
            if got == name:
                return seen


def status(body: dict[str, Any]) -> str:
    return body["LLRPStatus"]["StatusCode"]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.changed = asyncio.Event()

    def __call__(self, message: Message) -> None:
        self.messages.append(message)
        self.changed.set()

    def of(self, model: type) -> list:  # type: ignore[type-arg]
        return [m for m in self.messages if isinstance(m, model)]

    def zone_events(self) -> list[BatchedZoneEvent]:
        """Every zone event received, unpacked from the batches the agent publishes them in."""
        return [e for m in self.messages if isinstance(m, ZoneEvents) for e in m.events]

    async def wait_for(self, predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        async def loop() -> None:
            while not predicate(self):
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(loop(), timeout)


async def listen(broker: BrokerHandle, store: str = "demo") -> tuple[MqttLink, Inbox]:
    inbox = Inbox()
    link = MqttLink(broker.settings(), store=store, device="listener", kind="test")
    for pattern in (f"comptoir/v1/{store}/rfid/#", f"comptoir/v1/{store}/gate/#"):
        link.subscribe(pattern, inbox)
    await link.start()
    assert await link.wait_subscribed(10)
    return link, inbox


async def until(predicate: Any, timeout: float = 30.0) -> None:
    """Wait for a condition on state that no message announces (stats, logs), checking every 20 ms."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)
