"""Admission: the hub's rules beyond the contract, applied to every message before it is stored or fused.

The contract (``comptoir.contract.decode``) already checks that a payload is
well formed and that its device is its topic's id. What it cannot know is
the shop: which reader covers which zone, which camera watches which slot,
which till works which lane, and what time it is at the hub. A device that
passes the broker's ACL with someone else's data (a stolen password, a
misconfigured box, a clock set years ahead) would otherwise move items,
withdraw alerts or freeze an item's state. Here each message is checked
against the reference data the shop imported (zones.csv, planogram.csv) and
``admission:`` of hub.yaml; what breaks a rule becomes a dead letter that
names the rule, and the rest of a batched message goes on.

A device, zone or slot the reference data does not bind to anyone is
accepted (and logged once), unless ``admission.strict`` is set: a shop that
has not imported its zones yet must not lose its data (docs/fusion.md,
"Who may say what").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from comptoir.clock import Clock
from comptoir.contract import (
    ContractError,
    GatePassage,
    Message,
    PosReceipt,
    ScaleWeight,
    ShelfCounts,
    ZoneEvent,
    ZoneEvents,
    ZoneSnapshot,
    encode,
)
from hub.config import AdmissionSettings
from hub.timeutil import iso, ts

log = logging.getLogger("hub.admission")

#: Most (device, zone or slot) pairs remembered for the once-only "not bound" log line.
UNBOUND_REMEMBERED = 1000


class Reference(Protocol):
    """The reference tables admission reads: what ``hub.inventory.reference.Reference.load`` keeps up to date."""

    zone_readers: dict[str, str]
    slots: dict[str, dict[str, Any]]
    slot_by_scale: dict[str, str]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A message, or the part of one, that broke a rule: dead-letter it with ``error``."""

    topic: str
    payload: bytes
    error: ContractError


@dataclass
class AdmissionStats:
    refused: int = 0  # messages or parts of messages dead-lettered
    unbound: int = 0  # accepted although no reference data binds them to their device
    by_rule: dict[str, int] = field(default_factory=dict)


class Admission:
    """Filters a batch of decoded messages: what may be applied, and what is refused with its rule."""

    def __init__(self, reference: Reference, clock: Clock, settings: AdmissionSettings, *, store: str,
                 hub_id: str = "hub") -> None:
        self.reference = reference
        self.clock = clock
        self.settings = settings
        self.store = store
        self.hub_id = hub_id
        self.stats = AdmissionStats()
        self._unbound_seen: set[tuple[str, str]] = set()

    def admit(self, messages: list[Message]) -> tuple[list[Message], list[Refusal]]:
        """Return the messages (or the admitted parts of them) to apply, and the refusals to dead-letter."""
        latest = ts(self.clock.now()) + self.settings.future_tolerance_s
        admitted: list[Message] = []
        refused: list[Refusal] = []
        for message in messages:
            if message.device == self.hub_id and message.topic_id() == self.hub_id:
                admitted.append(message)  # our own alerts and status, back from the broker
                continue
            kept = self._admit(message, latest, refused)
            if kept is not None:
                admitted.append(kept)
        return admitted, refused

    # -- one message -------------------------------------------------------------------
    def _admit(self, m: Message, latest: float, refused: list[Refusal]) -> Message | None:
        error = self._future(m.time, latest, "time")
        if error is None:
            if isinstance(m, ZoneEvent):
                error = self._future(m.last_seen, latest, "last_seen") or self._zones_owned(m.device, m)
            elif isinstance(m, GatePassage):
                error = self._gate_owned(m)
            elif isinstance(m, PosReceipt):
                error = self._lane_owned(m)
            elif isinstance(m, ScaleWeight):
                error = self._scale_slot_owned(m)
            elif isinstance(m, ZoneEvents):
                return self._split(m, "events", lambda e: self._future(e.time, latest, "events.time")
                                   or self._future(e.last_seen, latest, "events.last_seen")
                                   or self._zones_owned(m.device, e), refused)
            elif isinstance(m, ShelfCounts):
                return self._split(m, "slots", lambda s: self._camera_slot_owned(m.device, s.slot), refused)
            elif isinstance(m, ZoneSnapshot):
                return self._split_snapshot(m, refused)
        if error is not None:
            self._refuse(m, error, refused)
            return None
        return m

    def _split(self, m: Message, name: str, check: Any, refused: list[Refusal]) -> Message:
        """Keep the parts of a list field that pass ``check``; the others are dead-lettered in one copy.

        The envelope stays admitted even when no part does: the broker let the device write its own topic,
        so its sequence and health are counted (a refused part is no lost message).
        """
        kept, out, first = [], [], None
        for part in getattr(m, name):
            error = check(part)
            if error is None:
                kept.append(part)
            else:
                out.append(part)
                first = first or error
        if first is None:
            return m
        self._refuse(m.model_copy(update={name: out}), _counted(first, len(out)), refused)
        return m.model_copy(update={name: kept})

    def _split_snapshot(self, m: ZoneSnapshot, refused: list[Refusal]) -> ZoneSnapshot:
        first = None
        zones, other, out_zones, out_other = {}, {}, {}, {}
        for source, keep, out in ((m.zones, zones, out_zones), (m.other, other, out_other)):
            for zone, value in source.items():
                error = self._zone_owned(m.device, zone, "zones")
                if error is None:
                    keep[zone] = value
                else:
                    out[zone] = value
                    first = first or error
        if first is None:
            return m
        self._refuse(m.model_copy(update={"zones": out_zones, "other": out_other}),
                     _counted(first, len(out_zones) + len(out_other)), refused)
        return m.model_copy(update={"zones": zones, "other": other})

    def _refuse(self, m: Message, error: ContractError, refused: list[Refusal]) -> None:
        self.stats.refused += 1
        rule = error.field or "payload"
        self.stats.by_rule[rule] = self.stats.by_rule.get(rule, 0) + 1
        refused.append(Refusal(m.topic(self.store), encode(m), error))

    # -- the rules ---------------------------------------------------------------------
    def _future(self, moment: datetime | None, latest: float, name: str) -> ContractError | None:
        if moment is None or ts(moment) <= latest:
            return None
        ahead = ts(moment) - (latest - self.settings.future_tolerance_s)
        return ContractError(
            f"dated {iso(ts(moment))}, {ahead:.0f} s ahead of the hub's clock (admission.future_tolerance_s is "
            f"{self.settings.future_tolerance_s:g} s): a device clock set wrong; never applied", name)

    def _zones_owned(self, reader: str, event: Any) -> ContractError | None:
        error = self._zone_owned(reader, event.location, "location")
        if error is None and event.from_location is not None:
            error = self._zone_owned(reader, event.from_location, "from_location")
        return error

    def _zone_owned(self, reader: str, zone: str, name: str) -> ContractError | None:
        owner = self.reference.zone_readers.get(zone)
        if owner is None:
            return self._unbound(reader, f"zone {zone!r}", name, "the zones table names no reader for it")
        if owner != reader:
            return ContractError(f"zone {zone!r} belongs to reader {owner!r}, not {reader!r}", name)
        return None

    def _gate_owned(self, m: GatePassage) -> ContractError | None:
        owner = self.reference.zone_readers.get(m.gate)
        if owner is None:
            return self._unbound(m.device, f"gate {m.gate!r}", "gate",
                                 "the zones table has no row for this gate with its reader")
        if owner != m.device:
            return ContractError(f"gate {m.gate!r} belongs to reader {owner!r}, not {m.device!r}", "gate")
        return None

    def _lane_owned(self, m: PosReceipt) -> ContractError | None:
        lanes = self.settings.lanes
        if not lanes:
            return self._unbound(m.device, f"lane {m.lane!r}", "lane", "admission.lanes is empty")
        owner = lanes.get(m.lane)
        if owner is None:
            return ContractError(f"lane {m.lane!r} is not one of admission.lanes ({', '.join(sorted(lanes))})",
                                 "lane")
        if owner != m.device:
            return ContractError(f"lane {m.lane!r} belongs to till {owner!r}, not {m.device!r}", "lane")
        return None

    def _camera_slot_owned(self, camera: str, slot: str) -> ContractError | None:
        owner = (self.reference.slots.get(slot) or {}).get("camera")
        if owner is None:
            return self._unbound(camera, f"slot {slot!r}", "slots.slot", "the planogram names no camera for it")
        if owner != camera:
            return ContractError(f"slot {slot!r} belongs to camera {owner!r}, not {camera!r}", "slots.slot")
        return None

    def _scale_slot_owned(self, m: ScaleWeight) -> ContractError | None:
        if m.slot is None:
            if m.device in self.reference.slot_by_scale:
                return None  # fusion takes the scale's own slot from the planogram
            return self._unbound(m.device, "its slot", "slot", "the planogram names no slot for this scale")
        owner = (self.reference.slots.get(m.slot) or {}).get("scale")
        if owner is None:
            return self._unbound(m.device, f"slot {m.slot!r}", "slot", "the planogram names no scale for it")
        if owner != m.device:
            return ContractError(f"slot {m.slot!r} belongs to scale {owner!r}, not {m.device!r}", "slot")
        return None

    def _unbound(self, device: str, what: str, name: str, why: str) -> ContractError | None:
        """Nothing binds ``what`` to a device: refused when strict, else accepted and logged once per pair."""
        if self.settings.strict:
            return ContractError(f"{what} is bound to no device ({why}) and admission.strict is set", name)
        self.stats.unbound += 1
        key = (device, what)
        if key not in self._unbound_seen and len(self._unbound_seen) < UNBOUND_REMEMBERED:
            self._unbound_seen.add(key)
            log.info("accepted without reference data", extra={"device": device, "subject": what, "why": why})
        return None


def _counted(error: ContractError, parts: int) -> ContractError:
    if parts == 1:
        return error
    return ContractError(f"{error.reason} (and {parts - 1} more parts of this message refused)", error.field)
