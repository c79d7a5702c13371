"""Tagged items and their counts per GTIN and state: the one place an item changes state.

Claims (readers, gates) and sales move items; :meth:`ItemBook.set_state`
keeps the per-GTIN counts the SKU view reads in step with the items.
"""

from __future__ import annotations

from collections import defaultdict

from hub.inventory.records import BatchChanges, Item
from hub.inventory.states import ITEM_STATES, ItemState

_UNKNOWN = ItemState.UNKNOWN  # a module constant: an enum member looked up on its class costs ~0.2 us


def _zero_counts() -> dict[ItemState, int]:
    return dict.fromkeys(ITEM_STATES, 0)


class ItemBook:
    def __init__(self) -> None:
        self.items: dict[str, Item] = {}
        self.counts: dict[str | None, dict[ItemState, int]] = defaultdict(_zero_counts)  # gtin -> state -> items
        self.changed: dict[str, float] = {}  # gtin -> newest state change of one of its items

    def clear(self) -> None:
        """Forget items and counts before a reload; ``changed`` stays, as the newest change stays true."""
        self.items.clear()
        self.counts.clear()

    def add_loaded(self, epc: str, item: Item) -> None:
        """An item read from the database at start."""
        self.items[epc] = item
        self.counts[item.gtin][item.state] += 1
        if item.gtin:
            self.changed[item.gtin] = max(self.changed.get(item.gtin, 0.0), item.since)

    def get(self, epc: str, gtin: str | None, serial: str | None, t: float) -> tuple[Item, bool]:
        """The item, created unknown if new (second value True); learns its GTIN if it had none."""
        item = self.items.get(epc)
        if item is not None:
            if gtin and item.gtin != gtin and item.gtin is None:
                self.counts[None][item.state] -= 1
                item.gtin = gtin
                self.counts[gtin][item.state] += 1
            return item, False
        item = Item(gtin, serial, _UNKNOWN, None, t, t)
        self.items[epc] = item
        self.counts[gtin][_UNKNOWN] += 1
        return item, True

    def set_state(self, epc: str, item: Item, state: ItemState, t: float, changes: BatchChanges) -> None:
        """Put the item in ``state`` from ``t`` (or only note it changed, if already there)."""
        if item.state != state:
            counts = self.counts[item.gtin]
            counts[item.state] -= 1
            counts[state] += 1
            item.state = state
            item.since = t
        changes.items[epc] = item
        if item.gtin:
            changes.gtins.add(item.gtin)
            if t > self.changed.get(item.gtin, 0.0):
                self.changed[item.gtin] = t
