"""Ground truth taken from the store world as it changes: empty-shelf episodes, thefts, exits, deliveries.

Inventory is read from the world when a sample is taken; events that a
sample every 10 minutes would miss (a shelf empty for 3 minutes, a theft) are
recorded at the moment they happen, on the world's own clock.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulators.world import Change, Status, World

_BACK = (Status.BACKROOM, Status.DOCK)


@dataclass(slots=True)
class Episode:
    """A span of world time when an SKU's shelf was empty while the backroom held some."""

    gtin: str
    start: datetime
    end: datetime | None = None

    def lasted(self, now: datetime) -> float:
        return ((self.end or now) - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class Exit:
    epc: str
    gtin: str
    time: datetime
    stolen: bool


class Truth:
    """Subscribes to ``world``; ``watched``: the slots a camera or scale reports (None: every slot)."""

    def __init__(self, world: World, watched: set[str] | None = None) -> None:
        self.world = world
        planogram = world.planogram
        slots_by_gtin: dict[str, list[str]] = {}
        for slot in planogram.slots.values():
            slots_by_gtin.setdefault(slot.gtin, []).append(slot.slot_id)
        self._slots = slots_by_gtin
        # an SKU counts for empty-shelf scoring only when every slot of it is watched by a sensor
        self.osa_gtins = {
            g for g, slots in slots_by_gtin.items() if watched is None or all(s in watched for s in slots)
        }
        self._back = Counter(i.gtin for i in world.items.values() if i.where.status in _BACK)
        self.episodes: list[Episode] = []
        self._open: dict[str, Episode] = {}
        self.exits: list[Exit] = []
        self.deliveries = 0
        # units in the shop and not paid, per SKU, kept as the world changes; each change's former value is
        # remembered a while (:meth:`on_hand_within`)
        self._on_hand = Counter(self.on_hand())
        self._former: deque[tuple[datetime, str, int]] = deque()
        for gtin in self.osa_gtins:
            self._update(gtin, world.now)
        self._unsubscribe = world.subscribe(self._on_change)

    def close(self) -> None:
        self._unsubscribe()

    def shelf_units(self, gtin: str) -> int:
        return sum(self.world.facings(s) for s in self._slots.get(gtin, ()))

    def empty_with_stock(self, gtin: str) -> bool:
        return self.shelf_units(gtin) == 0 and self._back[gtin] > 0

    def _update(self, gtin: str, when: datetime) -> None:
        empty = self.empty_with_stock(gtin)
        episode = self._open.get(gtin)
        if empty and episode is None:
            episode = Episode(gtin, when)
            self._open[gtin] = episode
            self.episodes.append(episode)
        elif not empty and episode is not None:
            episode.end = when
            del self._open[gtin]

    def _on_change(self, change: Change) -> None:
        item = self.world.items[change.epc]
        before = change.before.status if change.before is not None else None
        after = change.after.status
        if (before in _BACK) != (after in _BACK):
            self._back[item.gtin] += 1 if after in _BACK else -1
        counted_before = change.before is not None and change.before.status.in_shop and (
            change.kind == "paid" or not item.paid)
        counted_after = after.in_shop and not item.paid
        if counted_before != counted_after:
            self._former.append((change.time, item.gtin, self._on_hand[item.gtin]))
            self._on_hand[item.gtin] += 1 if counted_after else -1
        if change.kind == "left":
            self.exits.append(Exit(change.epc, item.gtin, change.time, after == Status.STOLEN))
        elif change.kind == "delivered" and after == Status.DOCK:
            self.deliveries += 1
        if item.gtin in self.osa_gtins:
            self._update(item.gtin, change.time)

    # -- what a sample compares -------------------------------------------------
    def on_hand(self) -> dict[str, int]:
        """Units per SKU in the shop and not yet paid (shelf, backroom, dock, in a basket)."""
        counts = Counter({p.gtin14: 0 for p in self.world.products})
        for item in self.world.items.values():
            if item.where.status.in_shop and not item.paid:
                counts[item.gtin] += 1
        return dict(counts)

    def on_hand_within(self, now: datetime, window_s: float) -> dict[str, set[int]]:
        """Per SKU, every value its on-hand count took during the last ``window_s`` (the current one included)."""
        horizon = now - timedelta(seconds=window_s)
        while self._former and self._former[0][0] < horizon:
            self._former.popleft()
        values = {gtin: {units} for gtin, units in self._on_hand.items()}
        for _, gtin, units in self._former:
            values[gtin].add(units)
        return values

    def empty_since(self, now: datetime, at_least_s: float) -> set[str]:
        """SKUs whose shelf has been empty (with backroom stock) for at least ``at_least_s`` at ``now``."""
        return {g for g, e in self._open.items() if e.lasted(now) >= at_least_s}

    def empty_within(self, now: datetime, window_s: float) -> set[str]:
        """SKUs whose shelf was empty with backroom stock at any moment of the last ``window_s``."""
        found = set(self._open)
        for episode in reversed(self.episodes):
            if episode.end is not None and (now - episode.end).total_seconds() <= window_s:
                found.add(episode.gtin)
        return found
