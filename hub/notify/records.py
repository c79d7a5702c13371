"""The notification tables (migration 17): deliveries (the queue and their record) and channel health.

A delivery is one notice of one alert to one channel: the first one when the
alert is raised, a repeat, or an escalation. It waits ``pending`` until it is
``sent``, ``failed`` (given up, with why), ``cancelled`` (a repeat or an
escalation whose alert was acknowledged first) or ``dropped`` (queue full).
The UNIQUE key (alert, rule, channel, step, number) makes planning the same
notice twice a no-op, so a worker that crashed mid-plan plans again safely.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    FIRST = "first"
    REPEAT = "repeat"
    ESCALATION = "escalation"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    alert_id: int
    rule: str
    channel: str
    step: Step
    step_no: int
    created: float
    attempts: int


@dataclass(frozen=True, slots=True)
class Planned:
    """A delivery to queue."""

    alert_id: int
    rule: str
    channel: str
    step: Step
    step_no: int
    due: float


def enqueue(conn: sqlite3.Connection, planned: list[Planned], now: float, max_pending: int) -> int:
    """Queue what is not queued yet; past ``max_pending`` waiting, record it as dropped. Returns how many queued."""
    pending = conn.execute("SELECT COUNT(*) FROM notify_deliveries WHERE state = 'pending'").fetchone()[0]
    queued = 0
    for p in planned:
        state, error = DeliveryState.PENDING, None
        if pending >= max_pending:
            state, error = DeliveryState.DROPPED, f"queue full ({max_pending} deliveries waiting)"
        cur = conn.execute(
            "INSERT OR IGNORE INTO notify_deliveries (alert_id, rule, channel, step, step_no, state, created, due, "
            "last_error) VALUES (?,?,?,?,?,?,?,?,?)",
            (p.alert_id, p.rule, p.channel, p.step, p.step_no, state, now, p.due, error),
        )
        if cur.rowcount and state is DeliveryState.PENDING:
            pending += 1
            queued += 1
    return queued


def due(conn: sqlite3.Connection, now: float, limit: int = 200) -> list[Delivery]:
    rows = conn.execute(
        "SELECT id, alert_id, rule, channel, step, step_no, created, attempts FROM notify_deliveries "
        "WHERE state = 'pending' AND due <= ? ORDER BY due, id LIMIT ?", (now, limit))
    return [Delivery(r[0], r[1], r[2], r[3], Step(r[4]), r[5], r[6], r[7]) for r in rows]


def mark_sent(conn: sqlite3.Connection, delivery: Delivery, now: float) -> None:
    conn.execute("UPDATE notify_deliveries SET state='sent', attempts=attempts+1, sent_at=?, last_error=NULL "
                 "WHERE id=?", (now, delivery.id))
    conn.execute(
        "INSERT INTO notify_channels (channel, state, since, last_attempt, last_sent, failures) VALUES (?,?,?,?,?,0) "
        "ON CONFLICT(channel) DO UPDATE SET since = CASE WHEN state = 'ok' THEN since ELSE excluded.since END, "
        "state='ok', last_attempt=excluded.last_attempt, last_sent=excluded.last_sent, failures=0",
        (delivery.channel, "ok", now, now, now))


def mark_failed(conn: sqlite3.Connection, delivery: Delivery, error: str, now: float, retry_at: float | None) -> None:
    """One failed try: retried at ``retry_at``, or given up (``None``). The channel is failing either way."""
    if retry_at is None:
        conn.execute("UPDATE notify_deliveries SET state='failed', attempts=attempts+1, last_error=? WHERE id=?",
                     (error, delivery.id))
    else:
        conn.execute("UPDATE notify_deliveries SET attempts=attempts+1, last_error=?, due=? WHERE id=?",
                     (error, retry_at, delivery.id))
    conn.execute(
        "INSERT INTO notify_channels (channel, state, since, last_error, last_attempt, failures) VALUES (?,?,?,?,?,1) "
        "ON CONFLICT(channel) DO UPDATE SET since = CASE WHEN state = 'failing' THEN since ELSE excluded.since END, "
        "state='failing', last_error=excluded.last_error, last_attempt=excluded.last_attempt, failures=failures+1",
        (delivery.channel, "failing", now, error, now))


def postpone(conn: sqlite3.Connection, channel: str, until: float, now: float) -> None:
    """A channel that just failed: its other due deliveries wait for its next try (no attempt counted)."""
    conn.execute("UPDATE notify_deliveries SET due=? WHERE channel=? AND state='pending' AND due <= ?",
                 (until, channel, now))


def cancel_follow_ups(conn: sqlite3.Connection) -> int:
    """Repeats and escalations still waiting for an alert that was acknowledged or resolved meanwhile."""
    cur = conn.execute(
        "UPDATE notify_deliveries SET state='cancelled', last_error='acknowledged or resolved before it was sent' "
        f"WHERE {_FOLLOW_UP_OBSOLETE}")
    return cur.rowcount


def has_obsolete_follow_ups(conn: sqlite3.Connection) -> bool:
    return conn.execute(f"SELECT 1 FROM notify_deliveries WHERE {_FOLLOW_UP_OBSOLETE} LIMIT 1").fetchone() is not None


_FOLLOW_UP_OBSOLETE = ("state = 'pending' AND step != 'first' AND EXISTS (SELECT 1 FROM alerts a WHERE "
                       "a.id = notify_deliveries.alert_id AND (a.state != 'open' OR a.acknowledged_at IS NOT NULL))")


def prune(conn: sqlite3.Connection, before: float) -> None:
    conn.execute("DELETE FROM notify_deliveries WHERE state != 'pending' AND created < ?", (before,))


def channel_rows(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Each channel's health and how many of its deliveries wait: what the devices page and the API show."""
    waiting = dict(conn.execute(
        "SELECT channel, COUNT(*) FROM notify_deliveries WHERE state='pending' GROUP BY channel").fetchall())
    rows = {}
    for channel, state, since, error, attempt, sent, failures in conn.execute(
            "SELECT channel, state, since, last_error, last_attempt, last_sent, failures FROM notify_channels"):
        rows[channel] = {"channel": channel, "state": state, "since": since, "last_error": error,
                         "last_attempt": attempt, "last_sent": sent, "failures": failures,
                         "waiting": waiting.get(channel, 0)}
    for channel, count in waiting.items():
        rows.setdefault(channel, {"channel": channel, "state": "unknown", "since": None, "last_error": None,
                                  "last_attempt": None, "last_sent": None, "failures": 0, "waiting": count})
    return rows


def deliveries_of(conn: sqlite3.Connection, limit: int, alert_id: int | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT id, alert_id, rule, channel, step, step_no, state, created, due, attempts, last_error, sent_at "
           "FROM notify_deliveries")
    args: tuple[Any, ...] = ()
    if alert_id is not None:
        sql, args = sql + " WHERE alert_id = ?", (alert_id,)
    cols = ("id", "alert_id", "rule", "channel", "step", "step_no", "state", "created", "due", "attempts",
            "last_error", "sent_at")
    return [dict(zip(cols, r, strict=True)) for r in conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))]
