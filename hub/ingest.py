"""Ingest: every message of the store, validated by the link, stored once, fused, in batches.

A batch is one transaction: the message ids, the fused state, device health
(hub/devices.py), alert changes and the stock history they make
(hub/inventory/history.py) commit together, and the link acknowledges the batch to
the broker only after :meth:`Ingest.handle_batch` returned, so a hub killed
mid-batch receives the batch again and the ids make the replay count once.
Payloads the contract rejects go to ``dead_letters`` with the reason.

A store that cannot write (disk full, locked, I/O error, read-only) is not a
bad message: ingest raises :class:`StoreUnavailable`, the link keeps the
batch unacknowledged and hands it again later (hub/store/errors.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

import sqlite_utils

from comptoir.clock import Clock
from comptoir.contract import ContractError, DeviceStatus, HubAlert, Message, encode
from comptoir.link import StoreUnavailable
from hub.admission import Admission
from hub.alerts import EVENT_KINDS, Alerts, Change, alert_event, alert_view
from hub.config import AdmissionSettings, FusionSettings
from hub.devices import Device, DeviceBook, device_view
from hub.events import EventBus
from hub.fresh import expiry
from hub.fresh.settings import ExpirySettings
from hub.ingest_health import IngestWatch
from hub.inventory.fusion import Fusion
from hub.inventory.history import StockHistory
from hub.inventory.records import BatchChanges
from hub.inventory.reorder import ReorderModel
from hub.inventory.states import ItemState
from hub.inventory.tag_history import TagHistory, TagHistorySettings, prune
from hub.inventory.view import SkuView
from hub.store import unavailable_reason
from hub.store.errors import raise_if_unavailable, storable_text
from hub.timeutil import iso, ts

__all__ = ["Ingest", "IngestStats", "alert_event", "alert_view", "device_view"]

log = logging.getLogger("hub.ingest")

#: Characters of a rejected payload kept in its dead letter.
EXCERPT_CHARS = 300
#: How often (hub clock) message ids past ``message_ids_days`` are deleted.
PRUNE_EVERY_S = 3600.0
#: SQLite page cache of the hub's connection, KiB. Writing a batch touches item rows in EPC order and index
#: entries in GTIN order, all over the file; with SQLite's default (2 MiB) a shop of 100,000 items misses the
#: cache on most of them and each written item costs about twice as much (bench/hub_ingest.py).
CACHE_KIB = 16 * 1024


@dataclass(slots=True)
class HeldExit:
    """An unpaid item seen leaving, waiting out ``exit_grace_s`` before its alert (docs/fusion.md)."""

    gtin: str | None
    time: float  # the exit's event time
    zone: str | None  # the exit zone, when no gate passage was seen
    due: float  # hub clock: raise the alert from then on, unless paid or back


@dataclass
class IngestStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


class Ingest:
    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Clock,
        settings: FusionSettings,
        *,
        store: str,
        hub_id: str = "hub",
        bus: EventBus | None = None,
        publish_alerts: Callable[[list[Change]], None] | None = None,
        admission: AdmissionSettings | None = None,
        reorder: ReorderModel | None = None,
        history_step_s: float = 60.0,
        tag_history: TagHistorySettings | None = None,
        shop_zone: tzinfo = UTC,
        expiry: ExpirySettings | None = None,
    ) -> None:
        """``reorder``: the reorder point's parameters (the config's ``reorder:``); ``history_step_s``: see
        :class:`StockHistory`; ``tag_history``: the
        tags' movements' retention."""
        self.db = db
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.clock = clock
        self.settings = settings
        self.store = store
        self.hub_id = hub_id
        self.shop_zone = shop_zone  # opening hours of the silence rules are local times
        self.expiry = expiry or ExpirySettings()  # when a lot's date raises an alert (hub/fresh/expiry.py)
        self._last_expiry_check = float("-inf")
        self.bus = bus or EventBus()
        self.publish_alerts = publish_alerts
        self.fusion = Fusion(db, settings, reorder)
        self.alerts = Alerts(db, self.fusion)
        self.history = StockHistory(db, history_step_s)
        self.tag_history = TagHistory()  # each tag's movements (hub/inventory/tag_history.py)
        self.tag_history_settings = tag_history or TagHistorySettings()
        self.device_book = DeviceBook(db, self.alerts)
        self.admission = Admission(self.fusion.reference, clock, admission or AdmissionSettings(), store=store,
                                   hub_id=hub_id)
        self.stats = IngestStats()
        self.watch = IngestWatch()
        self.held_exits: dict[str, HeldExit] = {}
        self._shown_devices: dict[str, tuple[Any, ...]] = {}
        self._last_prune = float("-inf")
        self._stale = False  # memory may not match the database (a reload failed): reload before the next batch
        self._data_version = self._read_data_version()
        self.device_book.load()
        self._load_held_exits()
        self.tag_history.load(self.fusion.items)

    @property
    def devices(self) -> dict[str, Device]:
        """Every device heard of, by id."""
        return self.device_book.devices

    def _load_held_exits(self) -> None:
        """Exits held when the hub stopped: unpaid items that left and have had no exit alert since; held anew."""
        self.held_exits.clear()
        alerted = dict(self.db.execute(
            "SELECT epc, MAX(raised_at) FROM alerts WHERE kind = 'unpaid_item_exit' AND epc IS NOT NULL GROUP BY epc"
        ))
        due = ts(self.clock.now()) + self.settings.exit_grace_s
        for epc, item in self.fusion.items.items():
            if item.state == ItemState.LEFT and not item.paid and alerted.get(epc, float("-inf")) < item.since:
                zone = item.zone if item.zone and self.fusion.zones.get(item.zone) == "exit" else None
                self.held_exits[epc] = HeldExit(item.gtin, item.since, zone, due)

    def _read_data_version(self) -> int:
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    # -- the batch -----------------------------------------------------------------
    def handle_batch(self, messages: list[Message]) -> None:
        """Store and fuse a batch in one transaction; a message that breaks it is dead-lettered alone.

        Raises :class:`StoreUnavailable` when the store cannot write, having
        stored or dead-lettered only what it could: the link hands the whole
        batch again later and the message ids skip what is already stored.
        """
        if self._stale:
            self._reload()
        messages, refused = self.admission.admit(messages)  # who may say what, and when (hub/admission.py)
        for refusal in refused:
            self.dead_letter(refusal.topic, refusal.payload, refusal.error)
        try:
            self._transaction(messages)
        except Exception as exc:
            self._reload()
            raise_if_unavailable(exc)
            log.exception("batch failed; retrying message by message", extra={"messages": len(messages)})
            for message in messages:
                try:
                    self._transaction([message])
                except Exception as exc:
                    self._reload()
                    raise_if_unavailable(exc)
                    self.dead_letter(message.topic(self.store), encode(message),
                                     ContractError(f"hub failed to process it: {exc!r}"))
        self.stats.received += len(messages)
        self.stats.batches += 1

    def _reload(self) -> None:
        """Make memory match the database after a failed transaction; StoreUnavailable if it cannot be read."""
        self.alerts.outgoing.clear()
        self.fusion.forget_pending()
        self.history.forget()
        self._stale = True
        try:
            self.alerts.load()
            self.device_book.load()
            self._load_held_exits()
            self.tag_history.load(self.fusion.items)
        except Exception as exc:
            raise_if_unavailable(exc)
            raise
        self._stale = False

    def _transaction(self, messages: list[Message]) -> None:
        conn = self.db.conn
        now = ts(self.clock.now())
        fresh = self._fresh(messages)
        self.stats.duplicates += len(messages) - len(fresh)
        if not fresh:
            return
        changes = BatchChanges()
        touched_devices: dict[str, Device] = {}
        with conn:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO messages (msg_id, device, seq, schema, time, received) VALUES (?,?,?,?,?,?)",
                [(m.msg_id, m.device, m.seq, m.SCHEMA, ts(m.time), now) for m in fresh],
            )
            for message in fresh:
                if isinstance(message, HubAlert) or message.device == self.hub_id:
                    continue  # our own alerts and status, back from the broker
                dev = touched_devices[message.device] = self.device_book.heard(message, now)
                if isinstance(message, DeviceStatus) and not dev.online:
                    self.fusion.device_unavailable(dev.device, ts(message.time), changes)
                self.fusion.apply(message, changes)
            views = self._settle(changes, now)
            self.device_book.save(touched_devices.values())
        self.stats.stored += len(fresh)
        try:
            self._after_commit(changes, touched_devices, views)
        except Exception:  # stored is stored: a failed notification must not make the batch look failed
            log.exception("batch stored, but publishing its changes failed", extra={"messages": len(fresh)})

    def _settle(self, changes: BatchChanges, now: float) -> dict[str, SkuView]:
        """Hold new unpaid exits, raise those whose grace is over, write what changed and the stock history it
        makes; return the SKU views.

        The caller holds the transaction. A receipt or a return that arrives during the grace (in this
        batch or a later one) settles the item, and no alert is ever raised for it.
        """
        held = self.held_exits
        for epc in changes.back_in:
            held.pop(epc, None)
        grace = self.settings.exit_grace_s
        for left in changes.unpaid_exits:
            held[left.epc] = HeldExit(left.gtin, left.time, left.zone, now + grace)
        due = [(epc, h) for epc, h in held.items() if h.due <= now] if held else []
        raise_for = []
        for epc, h in due:
            del held[epc]
            if not self.fusion.settle_exit(epc, h.time, changes):
                raise_for.append((epc, h))
        self.fusion.write(changes)
        self.tag_history.record(self.db.conn, changes.items.items(), self.fusion.zones, now)
        for epc in changes.back_in:
            self.alerts.item_back(epc, now)
        for epc, h in raise_for:
            self.alerts.unpaid_exit(epc, h.gtin, now, h.zone)
        views = {gtin: self.alerts.evaluate_sku(gtin, now) for gtin in changes.gtins | changes.credits_changed}
        self.history.record(self.db.conn, views.values(), now)
        return views

    def _fresh(self, messages: list[Message]) -> list[Message]:
        seen: set[str] = set()
        ids = [m.msg_id for m in messages]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            seen.update(r[0] for r in self.db.execute(f"SELECT msg_id FROM messages WHERE msg_id IN ({marks})", chunk))
        fresh = []
        for m in messages:
            if m.msg_id not in seen:
                seen.add(m.msg_id)
                fresh.append(m)
        return fresh

    def _after_commit(self, changes: BatchChanges, devices: dict[str, Device], views: dict[str, SkuView]) -> None:
        outgoing, self.alerts.outgoing = self.alerts.outgoing, []
        if outgoing and self.publish_alerts is not None:
            self.publish_alerts(outgoing)
        bus = self.bus
        if not bus.active:
            return
        bus.publish_many("item", ({"epc": epc, "gtin": item.gtin, "state": item.state, "zone": item.zone,
                                   "time": iso(item.last_seen)} for epc, item in changes.items.items()))
        bus.publish_many("inventory", ({"gtin": gtin, "on_hand": view.on_hand, "backroom": view.backroom.units,
                                        "floor": view.floor.units, "shelf": view.shelf.units,
                                        "confidence": view.confidence, "flags": view.flags}
                                       for gtin, view in views.items()))
        bus.publish_many("alert", (alert_event(change) for change in outgoing))
        for dev in devices.values():
            shown = (dev.state, dev.reason, dev.lost, dev.dropped, dev.connection)
            if self._shown_devices.get(dev.device) != shown:  # health changed, not merely another message
                self._shown_devices[dev.device] = shown
                bus.publish("device", device_view(dev))

    # -- dead letters ------------------------------------------------------------------
    def dead_letter(self, topic: str, payload: bytes, error: ContractError) -> None:
        """Keep a rejected payload's topic, reason, time and an excerpt.

        A dead letter that cannot be written raises :class:`StoreUnavailable`:
        the payload is then not acknowledged and comes again, rather than
        vanishing with neither a row nor a trace.
        """
        now = self.clock.now()
        excerpt = payload[:EXCERPT_CHARS * 4].decode("utf-8", "replace")[:EXCERPT_CHARS]
        try:
            with self.db.conn:
                cur = self.db.conn.execute(
                    "INSERT INTO dead_letters (topic, reason, field, received, size, excerpt) VALUES (?,?,?,?,?,?)",
                    (storable_text(topic, 1000), storable_text(str(error), 2000), storable_text(error.field, 200),
                     ts(now), len(payload), excerpt),
                )
        except Exception as exc:
            raise StoreUnavailable(unavailable_reason(exc) or f"a dead letter could not be written: {exc!r}"[:300]) \
                from exc
        self.stats.dead_letters += 1
        reason = error.field or "payload"
        self.stats.by_reason[reason] = self.stats.by_reason.get(reason, 0) + 1
        log.info("dead letter", extra={"topic": topic, "reason": str(error)})
        self.bus.publish("dead_letter", {"id": cur.lastrowid, "topic": topic, "reason": str(error),
                                         "received": iso(ts(now))})

    # -- time-based rules ------------------------------------------------------------------
    def tick(self) -> None:
        """Check what depends on time passing (silent devices) and reload reference data changed elsewhere.

        Raises :class:`StoreUnavailable` when the store cannot be read or
        written; nothing is lost (the next tick does the work) and memory
        matches the database again.
        """
        try:
            if self._stale:
                self._reload()
            self._tick()
        except Exception as exc:
            reason = exc.reason if isinstance(exc, StoreUnavailable) else unavailable_reason(exc)
            if reason is None:
                raise
            self._stale = True
            self.watch.tick_failure = reason
            raise StoreUnavailable(reason) from exc
        self.watch.tick_failure = None

    def _tick(self) -> None:
        version = self._read_data_version()
        if version != self._data_version:
            self._data_version = version
            self.fusion.load_reference()
        now = ts(self.clock.now())
        if now - self._last_prune >= PRUNE_EVERY_S:
            with self.db.conn:
                self.db.conn.execute("DELETE FROM messages WHERE received < ?",
                                     (now - self.settings.message_ids_days * 86400,))
                prune(self.db.conn, now, self.tag_history_settings.retention_days)
            self._last_prune = now
        with self.db.conn:
            self.device_book.check_silent(now, self.settings.silence, self.settings.device_silent_s, self.hub_id,
                                          self.shop_zone)
            # figures that move with time alone (a sale's credit expiring, the reorder point's sales window):
            # the SKU rules are applied again, so an alert's text never keeps a figure the product page has left
            for gtin in self._time_bound_gtins(now):
                self.alerts.evaluate_sku(gtin, now)
            if now - self._last_expiry_check >= self.expiry.check_every_s:
                self.check_expiry(now)
        changes, views = BatchChanges(), {}
        if any(h.due <= now for h in self.held_exits.values()):
            try:
                with self.db.conn:
                    views = self._settle(changes, now)
            except Exception:
                self._reload()  # memory matches the database again; the holds are taken up anew
                raise
        self._after_commit(changes, {}, views)

    def check_expiry(self, now: float) -> None:
        """The expiry alerts (hub/fresh/expiry.py); the caller holds the transaction and publishes after."""
        expiry.check(self.db, self.alerts, self.expiry, self.shop_zone, now)
        self._last_expiry_check = now

    def _time_bound_gtins(self, now: float) -> set[str]:
        """GTINs with an open stock alert, or a sale credit waiting for its tag that expires about now."""
        gtins = {a.gtin for a in self.alerts.open.values() if a.gtin and a.kind not in EVENT_KINDS}
        horizon = self.settings.paid_credit_hours * 3600 + 2 * self.settings.check_every_s
        gtins.update(g for g, credits in self.fusion.credits.pending.items()
                     if any(c.remaining and now - c.time <= horizon for c in credits))
        return gtins

    def publish_pending(self, views: dict[str, SkuView] | None = None) -> None:
        """Send the alert changes made outside a batch (acknowledgements, ticks, staff edits), and the SKU
        figures a staff action changed (a delivery, a count, an adjustment)."""
        self._after_commit(BatchChanges(), {}, views or {})

    def acknowledge(self, alert_id: int, user: str) -> dict[str, Any] | None:
        now = ts(self.clock.now())
        with self.db.conn:
            alert = self.alerts.acknowledge(alert_id, user, now)
        self.publish_pending()
        return alert_view(alert) if alert else None
