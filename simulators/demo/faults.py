"""The faults a shop lives through, injected mid-day by ``comptoir demo --faults``.

Each fault happens at a share of the simulated day; what must hold is that
nothing is lost and the score stays within its targets.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass

from simulators.demo.shop import DemoShop
from simulators.llrp.hostile import bad_frames, inject

DOWN_S = 3.0  # real seconds a broken part stays broken


@dataclass(frozen=True, slots=True)
class Fault:
    at: float  # share of the day
    name: str
    run: Callable[[DemoShop], object]


async def _restart_broker(shop: DemoShop) -> None:
    await shop.restart_broker(DOWN_S)


async def _kill_child(shop: DemoShop, name: str) -> None:
    child = shop.children[name]
    await asyncio.to_thread(child.kill)  # SIGKILL: no goodbye, no flush
    await asyncio.sleep(DOWN_S)
    child.start()
    if name == "hub":
        await shop.wait_hub()


async def _kill_room_agent(shop: DemoShop) -> None:
    await _kill_child(shop, shop.reader_boxes[0])  # edge-store (the rooms' reader), or edge-backroom per room


async def _drop_reader(shop: DemoShop) -> None:
    assert shop.devices is not None
    shop.devices.readers["reader-gate"].drop_connection()


async def _reader_garbage(shop: DemoShop) -> None:
    """The first room reader writes every kind of malformed LLRP frame between its reports, a second apart."""
    assert shop.devices is not None
    sim = shop.devices.readers[next(iter(shop.devices.readers))]
    for frame in bad_frames(random.Random(16), 13):
        inject(sim, frame.data)  # after a frame that ends the connection, the next waits for the agent to be back
        await asyncio.sleep(1.0)


async def _stop_camera(shop: DemoShop) -> None:
    assert shop.devices is not None
    cam = next(iter(shop.devices.cameras.values()))
    cam.server.stop()
    await asyncio.sleep(DOWN_S)
    cam.server.start()


async def _unplug_scale(shop: DemoShop) -> None:
    assert shop.devices is not None
    sim = next(iter(shop.devices.scales.values()))
    sim.unplug()
    await asyncio.sleep(DOWN_S)
    sim.plug()


FAULTS: tuple[Fault, ...] = (
    Fault(0.15, "broker restarted", _restart_broker),
    Fault(0.30, "hub killed (SIGKILL) and restarted", lambda shop: _kill_child(shop, "hub")),
    Fault(0.45, "a room reader's edge agent killed (SIGKILL) and restarted", _kill_room_agent),
    Fault(0.55, "gate reader connection dropped", _drop_reader),
    Fault(0.65, "camera stream stopped", _stop_camera),
    Fault(0.75, "scale unplugged", _unplug_scale),
    Fault(0.85, "a room reader sends malformed LLRP frames", _reader_garbage),
)
