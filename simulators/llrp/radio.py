"""What a simulated antenna reads: tags in its zone, sometimes tags next door.

Each inventory round, a tag in an antenna's zone answers with
``read_probability``; a tag in a neighbouring zone answers with
``cross_read_probability`` and loses ``cross_read_loss_db`` through the
shelving in between. Peak RSSI falls with distance (log-distance path loss)
plus Gaussian noise, so the gate's two antennas see a passing tag peak one
after the other.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from simulators.llrp.protocol import TagObservation
from simulators.world import Antenna, World


@dataclass(frozen=True, slots=True)
class RadioParams:
    read_probability: float = 0.8
    cross_read_probability: float = 0.05
    rssi_at_1m_dbm: float = -30.0
    path_loss_exponent: float = 2.0
    cross_read_loss_db: float = 8.0
    noise_db: float = 2.0


def micros(when: datetime) -> int:
    return int(when.timestamp() * 1_000_000)


class WorldRadio:
    """Reads from the store world, one round at a time."""

    def __init__(self, world: World, antennas: list[Antenna], params: RadioParams | None = None, seed: int = 0,
                 *, advances_world: bool = True) -> None:
        self.world = world
        # False: another reader drives the world (the demo's gate, which must not miss a walk through it)
        self.advances_world = advances_world
        self.antennas = {a.port: a for a in antennas}
        self.params = params or RadioParams()
        self.rng = random.Random(seed)
        self._epc_bytes: dict[str, bytes] = {}

    @property
    def ports(self) -> list[int]:
        return sorted(self.antennas)

    def rssi(self, antenna: Antenna, x: float, y: float, loss_db: float = 0.0) -> int:
        p = self.params
        distance = max(antenna.distance(x, y), 0.3)
        value = p.rssi_at_1m_dbm - 10 * p.path_loss_exponent * math.log10(distance) - loss_db
        return round(value + self.rng.gauss(0.0, p.noise_db))

    def observe(self, ports: Iterable[int], start: datetime, end: datetime) -> list[TagObservation]:
        """Advance the world to ``end`` and return this round's reads, one per (tag, antenna)."""
        if self.advances_world:
            self.world.advance_to(end)
        p = self.params
        t0, t1 = micros(start), micros(end)
        rng = self.rng
        reads: list[TagObservation] = []
        for port in ports:
            antenna = self.antennas.get(port)
            if antenna is None:
                continue
            zone = self.world.zones[antenna.zone]
            for zone_name, probability, loss in (
                (zone.name, p.read_probability, 0.0),
                *((n, p.cross_read_probability, p.cross_read_loss_db) for n in zone.neighbours),
            ):
                if probability <= 0:
                    continue
                for item in self.world.items_in_zone(zone_name):
                    if rng.random() >= probability:
                        continue
                    seen = rng.randint(t0, max(t0, t1 - 1))
                    epc = self._epc_bytes.get(item.epc)
                    if epc is None:
                        epc = self._epc_bytes[item.epc] = bytes.fromhex(item.epc)
                    rssi = self.rssi(antenna, item.where.x, item.where.y, loss)
                    reads.append(TagObservation(epc, port, rssi, seen, seen))
        reads.sort(key=lambda r: r.first_seen_us)
        return reads
