"""The simulated scale: firmware, load cell, shelf load and pty port, run on a clock."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime

from comptoir.clock import Clock, RealClock
from simulators.scale.firmware import LoadCell, SimulatedFirmware
from simulators.scale.load import ShelfLoad
from simulators.scale.noise import LineNoise, garbage
from simulators.scale.pty_port import PtyPort

log = logging.getLogger("simulators.scale")


class ScaleSimulator:
    """One weighing shelf on a pty.

    ``sample_hz`` is the HX711's conversion rate. The clock paces the
    samples; the firmware sees the seconds since the simulator started.
    ``garbage`` makes the line carry only noise, as a wrong baud rate does.
    """

    def __init__(
        self,
        port: PtyPort,
        load: ShelfLoad,
        *,
        firmware: SimulatedFirmware | None = None,
        cell: LoadCell | None = None,
        noise: LineNoise | None = None,
        clock: Clock | None = None,
        sample_hz: float = 10.0,
        seed: int = 1,
    ) -> None:
        self.port = port
        self.load = load
        self.firmware = firmware or SimulatedFirmware()
        self.cell = cell or LoadCell(
            offset=self.firmware.offset, counts_per_gram=self.firmware.counts_per_gram, seed=seed
        )
        self.noise = noise or LineNoise(0.0)
        self.clock = clock or RealClock()
        self.sample_hz = sample_hz
        self.garbage = False
        self.rng = random.Random(seed)
        self.lines_sent = 0
        self.commands: list[bytes] = []  # every line the host sent, as received
        self._start: datetime | None = None
        self._host_bytes = bytearray()
        self._changed = asyncio.Event()

    def _now_s(self) -> float:
        assert self._start is not None
        return (self.clock.now() - self._start).total_seconds()

    def _send(self, line: bytes | None) -> None:
        if not line:
            return
        self.lines_sent += 1
        self.port.write(self.noise.apply(line))

    def plug(self) -> None:
        """Plug the scale in: a new pty behind the same path, and the firmware boots (HELLO)."""
        if self._start is None:
            self._start = self.clock.now()
        self.port.plug()
        self._send(self.firmware.boot(self._now_s()))
        log.info("scale plugged in", extra={"link": str(self.port.link_path), "pty": self.port.slave_name})

    def unplug(self) -> None:
        self.port.unplug()
        log.info("scale unplugged", extra={"link": str(self.port.link_path)})

    async def wait_for(self, predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
        async def loop() -> None:
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(loop(), timeout)

    def step(self) -> None:
        """One HX711 conversion: read the host, sample the load, send what is due."""
        now = self._now_s()
        self._read_host(now)
        if not self.port.plugged:
            return
        if self.cell.ready:
            self.firmware.sample(now, self.cell.read(self.load.grams()))
        if self.garbage:
            self.port.write(garbage(self.rng, 32))
            self.firmware.tick(now)  # the firmware runs on, the host just cannot read it
        else:
            self._send(self.firmware.tick(now))
        self._changed.set()

    def _read_host(self, now: float) -> None:
        data = self.port.read()
        while data:
            self._host_bytes += data
            while (end := self._host_bytes.find(b"\n")) >= 0:
                line = bytes(self._host_bytes[:end])
                del self._host_bytes[: end + 1]
                if len(line) > 97:
                    self._send(self.firmware.host_line(now, None))
                    continue
                self.commands.append(line)
                self._send(self.firmware.host_line(now, line))
            if len(self._host_bytes) > 4096:
                self._host_bytes.clear()
            data = self.port.read()

    async def run(self) -> None:
        """Plug in (if not yet) and run until cancelled."""
        if not self.port.plugged:
            self.plug()
        period = 1.0 / self.sample_hz
        try:
            while True:
                self.step()
                await self.clock.sleep(period)
        finally:
            self.port.unplug()
