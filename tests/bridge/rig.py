"""A scale simulator on a real pty, the bridge on its stable path, and a listener on the real broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from firmware_bridge.bridge import ScaleBridge
from firmware_bridge.config import ScaleConfig

from comptoir.contract import DeviceCommand, DeviceConfig, DeviceStatus, Message, ScaleWeight
from comptoir.link import MqttLink
from simulators.scale.load import FixedLoad
from simulators.scale.noise import LineNoise
from simulators.scale.pty_port import PtyPort
from simulators.scale.simulator import ScaleSimulator
from tests.conftest import BrokerHandle

DEVICE = "scale-7"


class Weights:
    """What the listener receives on scale/+/weight (or, made with ``model=DeviceStatus``, on device/+/status)."""

    def __init__(self, model: type[Message] = ScaleWeight) -> None:
        self.model = model
        self.messages: list = []  # type: ignore[type-arg]
        self._changed = asyncio.Event()

    def __call__(self, message: Message) -> None:
        if isinstance(message, self.model):
            self.messages.append(message)
            self._changed.set()

    async def wait_for(self, predicate, timeout: float = 15.0):  # type: ignore[no-untyped-def]
        """The first message (from now on, or already here) for which ``predicate`` holds."""

        async def loop() -> ScaleWeight:
            seen = 0
            while True:
                for message in self.messages[seen:]:
                    if predicate(message):
                        return message
                seen = len(self.messages)
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(loop(), timeout)


@dataclass
class Rig:
    sim: ScaleSimulator
    load: FixedLoad
    bridge: ScaleBridge
    link: MqttLink
    hub: MqttLink
    weights: Weights
    statuses: Weights
    path: Path
    sim_task: asyncio.Task[None]

    async def send_config(self, *commands: DeviceCommand, **settings: object) -> None:
        """Publish a retained config as the hub does."""
        config = DeviceConfig.create(
            device="hub", seq=1, time=self.hub.clock.now(), target=DEVICE, settings=settings, commands=list(commands)
        )
        self.hub.publish(config)
        assert await self.hub.flush(10)


async def start_bridge(broker: BrokerHandle, path: Path, state: Path, **scale_options: object) -> ScaleBridge:
    scale = ScaleConfig(
        device=DEVICE, serial=str(path), unit_grams=250.0, reopen_interval_s=0.1, command_timeout_s=1.0, **scale_options
    )
    link = MqttLink(broker.settings(), store="test", device=DEVICE, kind="scale", outbox=state / "outbox.sqlite")
    bridge = ScaleBridge(scale, link, done_path=state / "done.json")
    await bridge.start()
    await link.start()
    assert await link.wait_subscribed(10)
    return bridge


async def stop_bridge(bridge: ScaleBridge) -> None:
    await bridge.stop()
    await bridge.link.stop()
    bridge.link.outbox.close()


@contextlib.asynccontextmanager
async def scale_rig(
    broker: BrokerHandle, tmp_path: Path, noise: LineNoise | None = None, **scale_options: object
) -> AsyncIterator[Rig]:
    path = tmp_path / "serial" / "by-id" / "usb-Comptoir_scale-7-if00"
    path.parent.mkdir(parents=True)
    load = FixedLoad(unit_grams=250.0, units=8, tray_grams=350.0)
    sim = ScaleSimulator(PtyPort(path), load, noise=noise, sample_hz=50.0)
    sim.plug()
    sim_task = asyncio.create_task(sim.run())
    weights, statuses = Weights(), Weights(DeviceStatus)
    hub = MqttLink(broker.settings(), store="test", device="hub", kind="hub")
    hub.subscribe(f"comptoir/v1/test/scale/{DEVICE}/weight", weights)
    hub.subscribe(f"comptoir/v1/test/device/{DEVICE}/status", statuses)
    await hub.start()
    assert await hub.wait_subscribed(10)
    bridge = await start_bridge(broker, path, tmp_path / "state", **scale_options)
    rig = Rig(sim, load, bridge, bridge.link, hub, weights, statuses, path, sim_task)
    try:
        yield rig
    finally:
        await stop_bridge(rig.bridge)
        sim_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sim_task
        await hub.stop()
