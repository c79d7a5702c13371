"""The RFID agent of one reader: reads in, meaning out.

Tag reports (from sllurp, or any source of the same dicts) go through EPC
decoding, the tag tracker and the gates; what comes out is published on the
MQTT contract: zone events, batched, on ``rfid/<reader>/event_batch`` (what waited
up to ``publish_every_s`` or ``publish_batch`` events, in one message), a per-zone snapshot
on ``rfid/<reader>/snapshot`` every ``snapshot_every_s``, and passages on
``gate/<gate>/passages``. Raw reads stay here.

Whether the reader works is said through the link (``device_up`` /
``device_down``): down from a failed connection attempt or a lost
connection (closed, or silent for ``silence_s``) until the reader inventories
again. Meanwhile no snapshot goes out: the agent does not know what the
zones hold, and a snapshot would say it does.

Time is event time: each read carries the reader's timestamp, and the
agent's "now" is the newest read time; only when reports stop coming for
longer than the report interval (plus a grace) does its clock move that time on (so tags
still depart from a silent reader). Departures elapse in the reader's time,
simulated or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from comptoir.clock import Clock, RealClock
from comptoir.contract import (
    BatchedZoneEvent,
    GatePassage,
    ZoneEvents,
    ZoneSnapshot,
)
from comptoir.link import MqttLink
from edge.config import ReaderConfig
from edge.rfid.batches import event_batches
from edge.rfid.epc import EpcInfo, contract_problem, decode_epc, epc_quote
from edge.rfid.gate import INSIDE, OUTSIDE, GateDetector, Passage
from edge.rfid.reader import ReaderLink
from edge.rfid.tracker import TagEvent, TagTracker

log = logging.getLogger("comptoir.edge.rfid")

EPC96_HEX = 24  # hex digits of an EPC-96 parameter's 12 bytes
#: Distinct rejected EPCs remembered so that each is logged once, not at every read (then the memory restarts).
REPORTED_MAX = 10_000


@dataclass
class AgentStats:
    reads: int = 0
    reports: int = 0
    bad_reads: int = 0  # reads without an EPC (counted in rejected_reads too)
    rejected_reads: int = 0  # reads skipped: no EPC, an EPC the contract cannot carry, a time too far ahead
    rejected_events: int = 0  # events or passages the contract refused, left out of their batch
    flagged_epcs: int = 0
    events: int = 0
    passages: int = 0
    snapshots: int = 0


def _epoch(dt: datetime) -> float:
    return dt.timestamp()


def epc_text(epc: object) -> str:
    """An EPC as the contract writes it (upper-case hex), from sllurp's hex bytes or a string."""
    return epc.decode("ascii").upper() if isinstance(epc, bytes) else str(epc).upper()


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class RfidAgent:
    """Tracking and publishing for one reader (its device id is the reader's id)."""

    def __init__(self, config: ReaderConfig, link: MqttLink, *, clock: Clock | None = None) -> None:
        self.config = config
        self.link = link
        self.clock = clock or RealClock()
        self.tracker = TagTracker(config.tracker)
        self.aliases = {port: alias for port, alias in config.antennas.items()}
        self.gates: dict[int, tuple[GateDetector, str]] = {}
        self.gate_detectors: list[GateDetector] = []
        for gate in config.gates:
            detector = GateDetector(gate.id, gate.params)
            self.gate_detectors.append(detector)
            self.gates[gate.inside] = (detector, INSIDE)
            self.gates[gate.outside] = (detector, OUTSIDE)
        self.stats = AgentStats()
        self._watermark: float | None = None  # newest read time seen
        self._clock_at_watermark = 0.0
        self._report_grace_s = config.report_timeout_ms / 1000 + config.report_grace_s
        self.reader: ReaderLink | None = None
        self.reader_up = False  # until the reader inventories
        self._events: list[TagEvent] = []
        self._passages: list[tuple[GateDetector, Passage]] = []
        self._published_at = self.clock.now()
        self._reported: set[tuple[str, str]] = set()

    # -- time -----------------------------------------------------------------
    def event_now(self) -> float:
        """The reader's time now: the newest read time while reports flow.

        When no report has come for longer than the reader's report interval plus ``report_grace_s``,
        the clock's elapsed time is added, so that tags still depart when the reader falls silent. While reports
        flow, time is theirs alone: a reader (or simulator) running late cannot make the agent judge
        gate visits or departures ahead of the reads.
        """
        now = _epoch(self.clock.now())
        if self._watermark is None:
            return now
        return self._watermark + max(0.0, now - self._clock_at_watermark - self._report_grace_s)

    @property
    def read_until(self) -> float | None:
        """Event time (epoch s) of the newest read processed so far."""
        return self._watermark

    # -- reads ----------------------------------------------------------------
    def alias(self, port: int) -> str:
        alias = self.aliases.get(port)
        if alias is None:
            alias = self.aliases[port] = f"{self.config.id}-antenna-{port}"
            log.warning("read on an antenna with no zone alias", extra={"reader": self.config.id, "antenna": port})
        return alias

    def process_tags(self, tags: list[dict[str, Any]]) -> int:
        """Track one report's tag dicts (sllurp's TagReportData form); publish what they mean.

        Runs for every report, so the loop is kept tight: EPCs stay in sllurp's hex-bytes form
        until an event needs them as text.
        """
        self.stats.reports += 1
        observe = self.tracker.observe
        gates = self.gates
        aliases = self.aliases
        events = self._events
        known = self.tracker.tags
        fallback = None
        newest = 0.0
        bad = 0
        horizon = _epoch(self.clock.now()) + self.config.future_tolerance_s
        for tag in tags:
            epc = tag.get("EPC-96") or tag.get("EPC")
            if not epc:
                bad += 1
                self.skip_read(None, "read without an EPC", "the tag report carries neither EPC-96 nor EPCData")
                continue
            if epc not in known:  # a tag already tracked passed these checks at its first read
                if len(epc) != EPC96_HEX and "EPC-96" in tag:  # sllurp keeps what there is of a short parameter
                    self.skip_read(epc, "EPC-96 cut short", f"{len(epc)} hex digits, an EPC-96 has {EPC96_HEX}")
                    continue
                problem = contract_problem(epc)
                if problem is not None:
                    self.skip_read(epc, "EPC outside the contract", problem)
                    continue
            port = tag.get("AntennaID", 0)
            micros = tag.get("LastSeenTimestampUTC") or tag.get("FirstSeenTimestampUTC")
            if micros:
                when = micros / 1_000_000
                if when > horizon:
                    self.skip_read(epc, "read dated ahead of the agent's clock",
                                   f"{when - horizon + self.config.future_tolerance_s:.0f} s ahead, tolerance "
                                   f"future_tolerance_s={self.config.future_tolerance_s:g}")
                    continue
            else:
                if fallback is None:
                    fallback = self.event_now()
                when = fallback
            if when > newest:
                newest = when
            location = aliases.get(port) or self.alias(port)
            rssi = tag.get("PeakRSSI")
            event = observe(epc, location, port, rssi, when)
            if event is not None:
                events.append(event)
            if port in gates:
                detector, side = gates[port]
                passage = detector.observe(epc, side, rssi, when)
                if passage is not None:
                    self._passages.append((detector, passage))
        self.stats.reads += len(tags)
        self.stats.bad_reads += bad
        if newest and (self._watermark is None or newest > self._watermark):
            self._watermark = newest
            self._clock_at_watermark = _epoch(self.clock.now())
        waited = (self.clock.now() - self._published_at).total_seconds()
        if len(events) >= self.config.publish_batch or waited >= self.config.publish_every_s:
            self.flush_events()
        return len(events)

    def skip_read(self, epc: object, what: str, reason: str) -> None:
        """Count a read left out; log it once per EPC and kind of fault (a tag is read many times a second)."""
        self.stats.rejected_reads += 1
        quoted = epc_quote(epc)  # the key too: a hostile reader's EPCs may be megabytes long
        key = (quoted, what)
        if key in self._reported:
            return
        if len(self._reported) >= REPORTED_MAX:
            self._reported.clear()
        self._reported.add(key)
        log.warning(
            "tag read skipped", extra={"reader": self.config.id, "epc": quoted, "fault": what, "reason": reason}
        )

    def tick(self) -> None:
        """Depart unseen tags and judge finished gate visits, as of the reader's time now; publish what waits."""
        now = self.event_now()
        self._events.extend(self.tracker.sweep(now))
        self._passages.extend((d, p) for d in self.gate_detectors for p in d.sweep(now))
        self.flush_events()

    def flush_events(self) -> None:
        """Publish the events waiting as batched messages, and the passages, in one outbox transaction each."""
        events, self._events = self._events, []
        passages, self._passages = self._passages, []
        self._published_at = self.clock.now()
        self.publish(events, passages)

    def where(self, epc: str) -> str | None:
        """The zone a tag (upper- or lower-case hex) is tracked in, or None when absent or departed."""
        for key in (epc.lower().encode("ascii"), epc.upper(), epc):
            state = self.tracker.tags.get(key)
            if state is not None:
                return state.location if state.present else None
        return None

    # -- publishing -------------------------------------------------------------
    def _info(self, state: Any) -> EpcInfo:
        info = state.info
        if info is None:
            info = state.info = decode_epc(epc_text(state.epc))
            if info.flagged:
                self.stats.flagged_epcs += 1
                log.info("EPC kept as raw hex", extra={"epc": info.epc, "reason": info.problem})
            elif info.problem is not None:
                log.info("EPC decoded in part", extra={"epc": info.epc, "reason": info.problem})
        return info

    def publish(self, events: list[TagEvent], passages: list[tuple[GateDetector, Passage]]) -> None:
        """Zone events go many to a message (one MQTT message per event costs more than the event);
        gate passages stay one per message, each a fact the hub may alert on."""
        if events:
            items = []
            for e in events:
                info = self._info(e.tag)
                rssi = e.tag.smoothed_rssi()
                items.append(
                    {
                        "time": _dt(e.time),
                        "event": e.kind,
                        "epc": info.epc,
                        "scheme": info.scheme,
                        "gtin": info.gtin,
                        "serial": info.serial,
                        "location": e.location,
                        "from_location": e.from_location,
                        "antenna": e.tag.antenna or None,
                        "rssi": round(max(-200.0, min(50.0, rssi)), 1) if rssi is not None else None,
                        "last_seen": _dt(e.tag.last_seen),
                    }
                )
            try:
                self._emit_events(items)
            except ValidationError:  # one event the contract refuses must not take its batch down with it
                self._emit_events(self._contract_valid(items, BatchedZoneEvent.model_validate, "zone event"))
        if passages:
            items = []
            for detector, p in passages:
                state = self.tracker.tags.get(p.epc)
                info = self._info(state) if state is not None else decode_epc(epc_text(p.epc))
                items.append(
                    {
                        "time": _dt(p.time),
                        "gate": detector.gate_id,
                        "direction": p.direction,
                        "confidence": p.confidence,
                        "epc": info.epc,
                        "scheme": info.scheme,
                        "gtin": info.gtin,
                        "serial": info.serial,
                    }
                )
            try:
                self.link.emit_many(GatePassage, items)
            except ValidationError:
                items = self._contract_valid(items, self._check_passage, "gate passage")
                self.link.emit_many(GatePassage, items)
            self.stats.passages += len(items)

    def _emit_events(self, items: list[dict[str, Any]]) -> None:
        chunks = event_batches(items, self.config.publish_batch)
        self.link.emit_many(ZoneEvents, ({"time": max(e["time"] for e in chunk), "events": chunk} for chunk in chunks))
        self.stats.events += len(items)

    def _check_passage(self, item: dict[str, Any]) -> None:
        GatePassage.create(device=self.config.id, seq=1, **item)

    def _contract_valid(self, items: list[dict[str, Any]], check: Any, what: str) -> list[dict[str, Any]]:
        """The items the contract accepts; each refused one is counted and logged with the contract's reason."""
        kept = []
        for item in items:
            try:
                check(item)
            except ValidationError as exc:
                self.stats.rejected_events += 1
                first = exc.errors(include_url=False)[0]
                log.warning(
                    "event left out: the contract refuses it",
                    extra={
                        "reader": self.config.id,
                        "kind": what,
                        "epc": epc_quote(item.get("epc")),
                        "field": ".".join(str(p) for p in first["loc"]),
                        "reason": first["msg"],
                    },
                )
            else:
                kept.append(item)
        return kept

    def snapshot_fields(self) -> dict[str, Any]:
        zones: dict[str, Counter[str]] = defaultdict(Counter)
        other: Counter[str] = Counter()
        for state in self.tracker.present():
            info = self._info(state)
            if info.gtin:
                zones[state.location][info.gtin] += 1
            else:
                other[state.location] += 1
        return {"zones": {z: dict(c) for z, c in zones.items()}, "other": dict(other)}

    def snapshot(self) -> ZoneSnapshot:
        message = self.link.emit(ZoneSnapshot, time=_dt(self.event_now()), **self.snapshot_fields())
        self.stats.snapshots += 1
        return message

    # -- running ------------------------------------------------------------------
    def reader_state(self, up: bool, reason: str | None) -> None:
        """The reader works (it inventories) or is lost: the link's status says so."""
        self.reader_up = up
        if up:
            self.link.device_up()
        else:
            self.link.device_down(reason or "LLRP reader lost")

    async def run_timers(self) -> None:
        """Sweeps every ``sweep_every_s`` and snapshots every ``snapshot_every_s`` of clock time."""
        since_snapshot = 0.0
        step = self.config.sweep_every_s
        while True:
            await self.clock.sleep(step)
            since_snapshot += step
            try:
                self.tick()
                if since_snapshot >= self.config.snapshot_every_s:
                    since_snapshot = 0.0
                    if self.reader_up:
                        self.snapshot()
            except Exception:  # a bug must not stop departures and snapshots for good: said, and the next tick runs
                log.exception("sweep or snapshot failed", extra={"reader": self.config.id})

    async def run(self) -> None:
        """Connect to the reader (reconnecting forever) and track; cancel to stop."""
        reader = self.reader = ReaderLink(self.config, self.process_tags, self.clock, on_state=self.reader_state)
        timers = asyncio.create_task(self.run_timers(), name=f"rfid-timers-{self.config.id}")
        try:
            await reader.run()
        finally:
            timers.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timers
