"""What lies on the simulated shelf: a load in grams, from a fixed load or from the store world."""

from __future__ import annotations

from typing import Protocol

from simulators.world import World


class ShelfLoad(Protocol):
    """The true weight on the load cell, in grams, tray included."""

    def grams(self) -> float: ...


class FixedLoad:
    """A tray with ``units`` items of ``unit_grams`` each; tests and demos change ``units``."""

    def __init__(self, unit_grams: float = 250.0, units: int = 8, tray_grams: float = 350.0) -> None:
        self.unit_grams = unit_grams
        self.units = units
        self.tray_grams = tray_grams

    def grams(self) -> float:
        return self.tray_grams + self.units * self.unit_grams


class WorldShelf:
    """The weighing slot ``scale_id`` of the store world: its units (taken, restocked) times their weight."""

    def __init__(self, world: World, scale_id: str, tray_grams: float = 350.0) -> None:
        slot = world.planogram.scales.get(scale_id)
        if slot is None:
            known = ", ".join(sorted(world.planogram.scales)[:5])
            raise KeyError(f"no scale {scale_id!r} in the world's planogram (for example: {known})")
        self.world = world
        self.scale_id = scale_id
        self.slot = slot
        self.product = world.by_gtin[slot.gtin]
        self.unit_grams = float(self.product.unit_weight_g)
        self.tray_grams = tray_grams

    @property
    def units(self) -> int:
        return self.world.units_on_scale(self.scale_id)

    def grams(self) -> float:
        return self.tray_grams + self.units * self.unit_grams
