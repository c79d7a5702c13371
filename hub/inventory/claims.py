"""Readers' claims per zone, and gate passages: where each tagged item is.

One zone holds an item (its claim is kept on the item); other zones that
see it too keep their claims in :attr:`ReaderClaims.rivals`, so that when
the holder lets go the strongest of them takes over, and a newer claim takes
the item only if it is ``zone_switch_db`` stronger (docs/fusion.md, "Several
readers see the same tag"). A gate passage is a fact, not a position: it
clears every claim.
"""

from __future__ import annotations

from comptoir.contract import GatePassage
from comptoir.contract.rfid import ZoneChange
from hub.inventory.items import ItemBook
from hub.inventory.records import BatchChanges, Claim, Item, UnpaidExit
from hub.inventory.reference import Reference
from hub.inventory.sales import Credits
from hub.inventory.settings import FusionSettings
from hub.inventory.states import ZONE_STATE, ItemState
from hub.timeutil import ts

BACKROOM, FLOOR, SOLD, LEFT, UNKNOWN = (ItemState.BACKROOM, ItemState.FLOOR, ItemState.SOLD, ItemState.LEFT,
                                        ItemState.UNKNOWN)


def strongest(claims: dict[str, Claim]) -> str:
    """The zone of the strongest claim; no RSSI is the weakest, and between equals the newer wins."""
    return max(claims, key=lambda z: (claims[z].rssi is not None, claims[z].rssi or 0.0, claims[z].time))


class ReaderClaims:
    def __init__(self, book: ItemBook, reference: Reference, credits: Credits, settings: FusionSettings) -> None:
        self.book = book
        self.reference = reference
        self.credits = credits
        self.settings = settings
        # epc -> zone -> claim, for the zones other than the item's own that claim it too (only tags seen by 2+)
        self.rivals: dict[str, dict[str, Claim]] = {}

    def _takes_over(self, new: float | None, held: float | None) -> bool:
        """Does a claim of RSSI ``new`` take the item from the zone holding it with ``held``?

        No RSSI counts as the weakest; between equals the newer claim wins (a single reader's zones, no RSSI).
        """
        if held is None:
            return True
        if new is None:
            return False
        return new >= held + self.settings.zone_switch_db

    def zone_event(self, device: str, m: ZoneChange, t: float, changes: BatchChanges) -> None:
        had_rivals = m.epc in self.rivals
        self._claim(device, m, t, changes)
        if had_rivals or m.epc in self.rivals:  # only tags that several zones claim: most events write nothing more
            changes.claims.add(m.epc)

    def _claim(self, device: str, m: ZoneChange, t: float, changes: BatchChanges) -> None:
        epc = m.epc
        item, new = self.book.get(epc, m.gtin, m.serial, t)
        if m.event == "departed" and item.zone is not None and m.location != item.zone:
            # another zone holds it: only this zone's claim goes, even if the departure reaches us late
            rivals = self.rivals.get(epc)
            if rivals is not None and m.location in rivals and rivals[m.location].time <= t:
                del rivals[m.location]
                if not rivals:
                    del self.rivals[epc]
            if t >= item.since:
                item.last_seen = max(item.last_seen, ts(m.last_seen) if m.last_seen else t)
                changes.items[epc] = item
            return
        if not new and t < item.since:
            return  # older than what the item's state is based on
        item.last_seen = max(item.last_seen, ts(m.last_seen) if m.last_seen else t)
        if m.event == "departed":
            self._departed(device, m, epc, item, t, changes)
            return
        claim = Claim(m.rssi, t, device, m.antenna)
        rivals = self.rivals.get(epc)
        if m.from_location is not None:  # moved: the zone it came from no longer claims it
            if m.from_location == item.zone:
                item.claim = None
            elif rivals is not None:
                rivals.pop(m.from_location, None)
        # one reader places a tag in one zone: its newer claim replaces its older one
        if item.claim is not None and item.claim.reader == device and m.location != item.zone:
            item.claim = None
        if rivals:
            for other in [z for z, c in rivals.items() if c.reader == device and z != m.location]:
                del rivals[other]
        held, held_zone = item.claim, item.zone
        if held is None and rivals:  # its own zone's claim went: the strongest other claim holds it
            held_zone = strongest(rivals)
            held = rivals.pop(held_zone)
        if held is not None and held_zone is not None and m.location != held_zone:
            if rivals is None:
                rivals = self.rivals[epc] = {}
            if not self._takes_over(m.rssi, held.rssi):
                rivals[m.location] = claim  # seen there too, but held more strongly where it is
                if item.claim is held:
                    changes.items[epc] = item
                else:
                    self._hold(epc, item, held_zone, held, t, changes)
                return
            rivals[held_zone] = held  # the zone it leaves still claims it
        if rivals is not None:
            rivals.pop(m.location, None)
            if not rivals:
                del self.rivals[epc]
        self._hold(epc, item, m.location, claim, t, changes)

    def _departed(self, device: str, m: ZoneChange, epc: str, item: Item, t: float, changes: BatchChanges) -> None:
        """The zone holding the item lost it: another zone's claim takes over, else it was sold, left or is lost."""
        item.claim = None
        rivals = self.rivals.get(epc)
        if rivals:  # another zone still claims it: the strongest of them holds it now
            zone = strongest(rivals)
            self._hold(epc, item, zone, rivals.pop(zone), t, changes)
            if not rivals:
                del self.rivals[epc]
            return
        if item.state in (BACKROOM, FLOOR):
            if item.state == FLOOR and item.gtin and self.credits.take(item.gtin, t, changes):
                item.paid = True
                self.book.set_state(epc, item, SOLD, t, changes)
            elif self.reference.zone_kind(m.location, device, m.antenna) == "exit" and not item.paid:
                # last read at the exit, then gone: it left, even if the gate did not report the walk
                self.book.set_state(epc, item, LEFT, t, changes)
                changes.unpaid_exits.append(UnpaidExit(epc, item.gtin, t, m.location))
            else:
                self.book.set_state(epc, item, UNKNOWN, t, changes)
        else:
            changes.items[epc] = item

    def _hold(self, epc: str, item: Item, zone: str, claim: Claim, t: float, changes: BatchChanges) -> None:
        """The item is where ``claim`` says: its state follows the zone's kind."""
        item.zone = zone
        item.claim = claim
        state = ZONE_STATE.get(self.reference.zone_kind(zone, claim.reader, claim.antenna) or "", UNKNOWN)
        if item.state == SOLD:
            changes.items[epc] = item  # a sold item seen on its way out stays sold
            return
        if item.state == LEFT:
            changes.back_in.add(epc)
        self.book.set_state(epc, item, state, t, changes)

    def gate(self, m: GatePassage, changes: BatchChanges) -> None:
        t = ts(m.time)
        item, new = self.book.get(m.epc, m.gtin, m.serial, t)
        if not new and t < item.since:
            if m.direction == "in":
                return
            # an exit is a fact, not a position: a zone event stamped later (the tag's "departed" from the
            # floor, an exit-zone read) must not hide it; the item's state stays as recent as it was
            t = item.since
        item.last_seen = max(item.last_seen, t)
        item.zone = m.gate
        item.claim = None  # it crossed the gate: the rooms' claims are stale
        if self.rivals.pop(m.epc, None) is not None:
            changes.claims.add(m.epc)
        if m.direction == "in":
            if item.state in (LEFT, UNKNOWN) or new:
                changes.back_in.add(m.epc)
                self.book.set_state(m.epc, item, FLOOR, t, changes)
            else:
                changes.items[m.epc] = item
            return
        if item.state == SOLD or item.paid:
            changes.items[m.epc] = item
            return
        if item.gtin and self.credits.take(item.gtin, t, changes):
            item.paid = True
            self.book.set_state(m.epc, item, SOLD, t, changes)
            return
        self.book.set_state(m.epc, item, LEFT, t, changes)
        changes.unpaid_exits.append(UnpaidExit(m.epc, item.gtin, t, None))
