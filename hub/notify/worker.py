"""The notification worker: a thread of its own, with its own SQLite connection, that plans and sends.

Ingest never waits for it and never calls it: the worker reads the alerts
ingest wrote (hub/notify/rules.py), queues deliveries in the database
(``notify_deliveries``, bounded by ``max_pending``) and sends what is due,
each channel in its own pool thread so that one slow server does not hold the
others. A failed try is recorded with its reason and retried with doubling
waits (``retry_min_s`` .. ``retry_max_s``) until ``give_up_after_h``; a
channel that fails makes its other due deliveries wait for its next try. The
queue is the database: a hub restarted, or a channel down for an hour, sends
what waits when it can. A store that cannot be written makes the worker log
and try again a poll later; nothing is dropped.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from comptoir.clock import Clock
from hub.i18n import Message, translate
from hub.notify import records, rules
from hub.notify.channels import DeliveryError, Notice, send
from hub.notify.records import Delivery, Step
from hub.notify.settings import NotifySettings
from hub.timeutil import iso, ts

log = logging.getLogger("hub.notify")

#: How often (rounds) sent and failed deliveries older than ``keep_days`` are deleted.
PRUNE_EVERY_ROUNDS = 1000
#: How long the worker's statements wait for ingest's write lock; it is not the event loop, so it may wait.
BUSY_TIMEOUT_MS = 5000
_ALERT_COLUMNS = ("id", "kind", "severity", "state", "text", "code", "params", "gtin", "epc", "slot", "device",
                  "quantity", "raised_at", "acknowledged_at")


class NotifyWorker:
    def __init__(self, db_path: Path, settings: NotifySettings, clock: Clock, zone: ZoneInfo) -> None:
        self.db_path = db_path
        self.settings = settings
        self.clock = clock
        self.zone = zone
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.rounds = 0

    def start(self) -> None:
        if self._thread is not None or not self.settings.enabled:
            return
        self._pool = ThreadPoolExecutor(max_workers=min(8, len(self.settings.channels)),
                                        thread_name_prefix="hub-notify-send")
        self._thread = threading.Thread(target=self._run, name="hub-notify", daemon=True)
        self._thread.start()
        log.info("notifications on", extra={"channels": len(self.settings.channels),
                                            "rules": len(self.settings.rules)})

    def wake(self) -> None:
        """Look now rather than at the next poll (an alert was just written)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _run(self) -> None:
        conn = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        failures = 0
        try:
            while not self._stop.is_set():
                try:
                    self.round(conn)
                    if failures:
                        log.warning("notification store works again", extra={"failures": failures})
                    failures = 0
                except sqlite3.Error as exc:
                    failures += 1
                    if failures == 1 or failures % 20 == 0:
                        log.warning("notification round skipped: store unavailable",
                                    extra={"reason": repr(exc)[:200], "failures": failures})
                except Exception:
                    log.exception("notification round failed")
                self._wake.wait(self.settings.poll_s)
                self._wake.clear()
        finally:
            conn.close()

    # -- one round: plan, then send what is due ------------------------------------------------
    def round(self, conn: sqlite3.Connection) -> None:
        settings = self.settings
        now = ts(self.clock.now())
        self.rounds += 1
        prune = self.rounds % PRUNE_EVERY_ROUNDS == 0
        if prune or self._work_to_write(conn, now):  # most rounds find nothing and take no write lock
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                records.cancel_follow_ups(conn)
                planned = rules.plan_new_alerts(conn, settings, now, self.zone)
                planned += rules.plan_follow_ups(conn, settings, now, self.zone)
                if planned:
                    records.enqueue(conn, planned, now, settings.max_pending)
                if prune:
                    records.prune(conn, now - settings.keep_days * 86_400)
        due = records.due(conn, now)
        if due:
            self._send(conn, due, now)

    def _work_to_write(self, conn: sqlite3.Connection, now: float) -> bool:
        """Anything to plan or cancel, read without a lock (the caller then does it under the write lock)."""
        mark = conn.execute("SELECT value FROM notify_progress WHERE name = 'alerts'").fetchone()
        newest = conn.execute("SELECT MAX(id) FROM alerts").fetchone()[0]
        if newest is not None and newest > (mark[0] if mark else 0):
            return True
        return records.has_obsolete_follow_ups(conn) or bool(
            rules.plan_follow_ups(conn, self.settings, now, self.zone))

    def _send(self, conn: sqlite3.Connection, due: list[Delivery], now: float) -> None:
        by_channel: dict[str, list[tuple[Delivery, Notice | None]]] = defaultdict(list)
        for delivery in due:
            by_channel[delivery.channel].append((delivery, self._notice(conn, delivery)))
        assert self._pool is not None
        futures = {name: self._pool.submit(self._send_channel, name, items) for name, items in by_channel.items()}
        for name, future in futures.items():
            results = future.result()
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                for delivery, error in results:
                    self._record(conn, delivery, error, now)
                if results and results[-1][1] is not None:  # the channel failed: the rest wait for its next try
                    records.postpone(conn, name, self._retry_at(results[-1][0], now) or now, now)

    def _send_channel(self, name: str, items: list[tuple[Delivery, Notice | None]]) -> list[
            tuple[Delivery, str | None]]:
        """Send a channel's due notices in order; stop at its first failure (the server is probably down)."""
        channel = self.settings.channels.get(name)
        done: list[tuple[Delivery, str | None]] = []
        for delivery, notice in items:
            if channel is None:
                done.append((delivery, f"channel {name!r} is no longer in notify.channels"))
                continue
            if notice is None:
                done.append((delivery, None))  # the alert is gone (purged): nothing to say
                continue
            try:
                send(channel, notice)
            except DeliveryError as exc:
                done.append((delivery, str(exc)))
                return done
            done.append((delivery, None))
        return done

    def _retry_at(self, delivery: Delivery, now: float) -> float | None:
        settings = self.settings
        if delivery.channel not in settings.channels or now - delivery.created >= settings.give_up_after_h * 3600:
            return None
        return now + min(settings.retry_min_s * 2 ** delivery.attempts, settings.retry_max_s)

    def _record(self, conn: sqlite3.Connection, delivery: Delivery, error: str | None, now: float) -> None:
        fields = {"channel": delivery.channel, "alert": delivery.alert_id, "step": delivery.step,
                  "attempt": delivery.attempts + 1}
        if error is None:
            records.mark_sent(conn, delivery, now)
            log.info("notice sent", extra=fields)
            return
        retry_at = self._retry_at(delivery, now)
        records.mark_failed(conn, delivery, error, now, retry_at)
        log.warning("notice not delivered", extra={**fields, "reason": error, "retry_at": iso(retry_at),
                                                   "given_up": retry_at is None})

    def _notice(self, conn: sqlite3.Connection, delivery: Delivery) -> Notice | None:
        row = conn.execute(f"SELECT {', '.join(_ALERT_COLUMNS)} FROM alerts WHERE id = ?",
                           (delivery.alert_id,)).fetchone()
        if row is None:
            return None
        alert = dict(zip(_ALERT_COLUMNS, row, strict=True))
        lang = self.settings.language
        kind = alert["kind"]
        label = translate(f"kind_{kind}", lang, **{k: alert[k] for k in ("slot", "quantity", "epc", "device")})
        text = (alert["text"] if alert["code"] is None else
                Message.from_json({"code": alert["code"], "params": json.loads(alert["params"] or "{}")}).text(lang))
        if delivery.step is Step.REPEAT:
            title = translate("notify.title_repeat", lang, kind=label, number=delivery.step_no)
        elif delivery.step is Step.ESCALATION:
            minutes = round((ts(self.clock.now()) - alert["raised_at"]) / 60)
            title = translate("notify.title_escalation", lang, kind=label, minutes=minutes)
        else:
            title = translate("notify.title", lang, kind=label)
        facts = {k: alert[k] for k in ("id", "kind", "severity", "state", "gtin", "epc", "slot", "device", "quantity")}
        facts.update(text_en=alert["text"], raised_at=iso(alert["raised_at"]),
                     acknowledged_at=iso(alert["acknowledged_at"]))
        return Notice(title, text, delivery.step, kind, facts, urgent=delivery.step is Step.ESCALATION)
