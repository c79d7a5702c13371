"""The shop's devices, simulated inside the demo process on its one world and clock.

A real shop has four RFID readers (backroom, dock, sales floor with the
checkout, exit gate), shelf cameras and a weighing shelf; here each is a
server speaking its real protocol (LLRP over TCP, MJPEG over HTTP, a serial
line on a pseudo-terminal), so the edge agents and the bridge, separate
processes, cannot tell them from hardware.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comptoir.clock import Clock
from simulators.world import World, default_antennas

#: reader id -> zones its antennas cover (the world's default antenna ports are kept), per layout.
#: "shared": the rooms share one reader, as its tracker needs every antenna that can read a tag to tell a
#: cross-read from a move; the gate has its own reader with shielded, directional antennas (no cross-reads from the
#: checkout). "per-room": a reader per room (backroom, dock, sales floor) and the gate, as the issue lists them; each
#: agent's tracker then sees only its own room's antennas (docs/operations.md says what that costs).
LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "shared": {
        "reader-store": ("backroom", "dock", "floor-a1", "floor-a2", "floor-a3", "floor-a4", "floor-a5", "floor-a6",
                         "checkout"),
        "reader-gate": ("exit",),
    },
    "per-room": {
        "reader-backroom": ("backroom",),
        "reader-dock": ("dock",),
        "reader-floor": ("floor-a1", "floor-a2", "floor-a3", "floor-a4", "floor-a5", "floor-a6", "checkout"),
        "reader-gate": ("exit",),
    },
}
READERS = LAYOUTS["shared"]
GATE_ID = "gate-exit"


@dataclass(frozen=True, slots=True)
class DeviceParams:
    """How the simulated devices behave (the demo's default noise)."""

    read_probability: float = 0.8  # a tag in an antenna's zone is read in a round with this chance
    cross_read: float = 0.05  # a tag of a neighbouring zone is read with this chance
    round_ms: int = 10000  # simulated inventory round of the room readers (light on a small machine)
    gate_round_ms: int = 100  # the gate's round: a walk through it lasts 4 s, read ~10 times a second per antenna
    report_ms: int = 10000  # the room readers report once a round (their AISpec ends on this timeout)
    gate_report_ms: int = 500  # the gate reports every half second: the walk's shape survives per-report merging
    cameras: int = 2
    camera_size: tuple[int, int] = (960, 540)  # the size the shipped detector was trained on
    # the cameras run in real time: at 60x a frame every 1/8 s is 7.5 simulated seconds, and the agent needs a
    # still view (2 frames alike) and the count confirmed (2 counted frames) before it publishes
    camera_fps: float = 8.0
    camera_still_frames: int = 2
    scales: int = 1
    readers: str = "per-room"  # a key of LAYOUTS; the hub arbitrates the rooms' readers by RSSI (docs/fusion.md)
    # per room: a room's reader claims a tag only on a read this strong. The radio's reads in a zone are -53 dBm at
    # worst before noise; through the wall to the next room they lose 8 dB and are mostly -56 to -63 dBm
    room_arrival_min_rssi_dbm: float = -55.0


@dataclass
class Devices:
    """Every simulated device, started on ``world`` and ``clock``."""

    world: World
    clock: Clock
    workdir: Path
    params: DeviceParams = field(default_factory=DeviceParams)
    readers: dict[str, Any] = field(default_factory=dict)  # id -> ReaderSimulator
    reader_ports: dict[str, dict[int, str]] = field(default_factory=dict)  # id -> antenna port -> zone
    cameras: dict[str, Any] = field(default_factory=dict)  # camera id -> WorldCamera
    scales: dict[str, Any] = field(default_factory=dict)  # scale id -> ScaleSimulator
    scale_links: dict[str, Path] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> Devices:
        from simulators.llrp.radio import RadioParams, WorldRadio
        from simulators.llrp.server import ReaderSimulator

        p = self.params
        antennas = default_antennas()
        if p.readers not in LAYOUTS:
            raise ValueError(f"reader layout {p.readers!r}: choose one of {', '.join(LAYOUTS)}")
        for n, (reader_id, zones) in enumerate(LAYOUTS[p.readers].items()):
            mine = [a for a in antennas if a.zone in zones]
            gate = reader_id == "reader-gate"
            # the gate's rounds drive the world: a reader that lags a busy machine would otherwise read a shopper
            # already past the gate (the other readers watch rooms, where a round late changes little)
            # ...from the shop's opening (:meth:`open`): until then the world stands still while the agents start
            radio = WorldRadio(self.world, mine, RadioParams(p.read_probability, 0.0 if gate else p.cross_read),
                               seed=self.world.seed + n, advances_world=False)
            round_ms = p.gate_round_ms if reader_id == "reader-gate" else p.round_ms
            sim = ReaderSimulator(radio, clock=self.clock, round_ms=round_ms)
            self.readers[reader_id] = await sim.start("127.0.0.1", 0)
            self.reader_ports[reader_id] = {a.port: a.zone for a in mine}
        self._start_cameras()
        self._start_scales()
        return self

    def open(self) -> None:
        """The shop opens: from now on the gate reader's rounds drive the world."""
        self.readers["reader-gate"].source.advances_world = True

    def watched_bays(self) -> list[str]:
        """The bays filmed: the first bays of different aisles, for variety."""
        chosen: list[str] = []
        aisles: set[str] = set()
        for bay_id in sorted(self.world.planogram.bays):
            aisle = bay_id.split("-")[0]
            if aisle not in aisles:
                chosen.append(bay_id)
                aisles.add(aisle)
            if len(chosen) == self.params.cameras:
                break
        return chosen

    def _start_cameras(self) -> None:
        from simulators.camera.live import WorldCamera

        for n, bay_id in enumerate(self.watched_bays()):
            cam = WorldCamera(self.world, bay_id, size=self.params.camera_size, geometry_seed=n, port=0,
                              fps=self.params.camera_fps).start()
            self.cameras[cam.bay.camera_id] = cam

    def _start_scales(self) -> None:
        from simulators.scale.load import WorldShelf
        from simulators.scale.pty_port import PtyPort
        from simulators.scale.simulator import ScaleSimulator

        for scale_id in sorted(self.world.planogram.scales)[: self.params.scales]:
            link = self.workdir / f"{scale_id}.tty"
            # the shelf was tared at installation: the tray weighs nothing to the bridge
            sim = ScaleSimulator(PtyPort(link), WorldShelf(self.world, scale_id, tray_grams=0.0), seed=self.world.seed)
            sim.plug()
            self.scales[scale_id] = sim
            self.scale_links[scale_id] = link
            self._tasks.append(asyncio.create_task(sim.run()))

    def watched_slots(self) -> set[str]:
        """Slots a camera or a scale reports on (the only shelves the hub can see)."""
        slots = {s.slot_id for cam in self.cameras.values() for s in cam.bay.slots}
        slots |= {self.world.planogram.scales[s].slot_id for s in self.scales}
        return slots

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for sim in self.scales.values():
            with contextlib.suppress(Exception):
                sim.unplug()
        for cam in self.cameras.values():
            cam.stop()
        for sim in self.readers.values():
            await sim.stop()
