"""Where things are: zones, their neighbours, and the floor geometry in metres.

The shop is a rectangle: six aisles side by side (``floor-a1``..``floor-a6``),
the backroom behind them with the delivery dock beside it, the checkout in
front and the exit gate past the checkout. ``y`` grows from the backroom
towards the street.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

AISLES = ("A1", "A2", "A3", "A4", "A5", "A6")
AISLE_SPACING_M = 4.0
AISLE_Y = (2.0, 14.0)  # shelves run along y between these
GATE_Y = 21.0  # the exit gate's plane
GATE_HALF_DEPTH_M = 1.5  # the gate's antennas stand this far inside and outside of its plane
ANTENNA_HEIGHT_M = 2.5


def aisle_x(aisle: str) -> float:
    return AISLE_SPACING_M * (AISLES.index(aisle) + 1)


def floor_zone(aisle: str) -> str:
    return f"floor-{aisle.lower()}"


@dataclass(frozen=True, slots=True)
class Zone:
    """A named area; RFID antennas cover zones, and the tracker reports them by this name."""

    name: str
    kind: str  # backroom, floor, checkout, gate, dock
    x0: float
    y0: float
    x1: float
    y1: float
    neighbours: tuple[str, ...] = field(default=())

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def _build_zones() -> dict[str, Zone]:
    width = AISLE_SPACING_M * (len(AISLES) + 1)
    zones: list[Zone] = [
        Zone("backroom", "backroom", 0.0, -8.0, width, 0.0, ("dock", "floor-a1", "floor-a6")),
        Zone("dock", "dock", width, -8.0, width + 8.0, 0.0, ("backroom",)),
    ]
    for i, aisle in enumerate(AISLES):
        x = aisle_x(aisle)
        neighbours = [floor_zone(AISLES[j]) for j in (i - 1, i + 1) if 0 <= j < len(AISLES)]
        if aisle in ("A1", "A6"):
            neighbours.append("backroom")
        if aisle in ("A3", "A4"):
            neighbours.append("checkout")
        zones.append(Zone(floor_zone(aisle), "floor", x - 2.0, 0.0, x + 2.0, 16.0, tuple(neighbours)))
    front = GATE_Y - GATE_HALF_DEPTH_M - 0.5
    zones.append(Zone("checkout", "checkout", 0.0, 16.0, width, front, ("exit", "floor-a3", "floor-a4")))
    zones.append(Zone("exit", "gate", width / 2 - 2.0, front, width / 2 + 2.0, GATE_Y + 3.0, ("checkout",)))
    return {z.name: z for z in zones}


ZONES: dict[str, Zone] = _build_zones()
GATE_X = ZONES["exit"].centre[0]


@dataclass(frozen=True, slots=True)
class Antenna:
    """One antenna of the simulated reader: the zone it covers and where it hangs."""

    port: int
    zone: str
    x: float
    y: float
    z: float = ANTENNA_HEIGHT_M

    def distance(self, x: float, y: float) -> float:
        return math.sqrt((self.x - x) ** 2 + (self.y - y) ** 2 + self.z**2)


def default_antennas() -> list[Antenna]:
    """The demo shop's one reader: one antenna per zone, and two (inside, outside) at the exit gate."""
    antennas = []
    port = 1
    for name in ("backroom", "dock", *(floor_zone(a) for a in AISLES), "checkout"):
        cx, cy = ZONES[name].centre
        antennas.append(Antenna(port, name, cx, cy))
        port += 1
    antennas.append(Antenna(port, "exit", GATE_X, GATE_Y - GATE_HALF_DEPTH_M, 1.2))  # gate, inside
    antennas.append(Antenna(port + 1, "exit", GATE_X, GATE_Y + GATE_HALF_DEPTH_M, 1.2))  # gate, outside
    return antennas


#: the gate's antenna ports in :func:`default_antennas`: (inside, outside)
DEFAULT_GATE_PORTS = (len(AISLES) + 4, len(AISLES) + 5)
