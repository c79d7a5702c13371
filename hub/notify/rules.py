"""Which notices to queue, decided from the alerts table and the deliveries already queued.

The alerts table is the source: a raised alert is a row with a new id, an
acknowledgement sets ``acknowledged_at``, an ended alert leaves ``open``.
Planning from it (rather than from ingest's in-memory changes) means ingest
does nothing for notifications, and an alert raised while the hub or the
worker was down is planned when it runs again: the watermark
(``notify_progress``) is moved in the same transaction as the deliveries it
planned. Times are the hub's clock (injectable), so tests move it by hand.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.notify.records import Planned, Step
from hub.notify.settings import NotifySettings, QuietHours, Rule

#: New alerts read per planning round (more wait for the next round, a poll later).
ALERTS_PER_ROUND = 500


def quiet_until(quiet: QuietHours | None, now: float, zone: ZoneInfo) -> float | None:
    """The end of the quiet window ``now`` falls in (UNIX seconds), or None when it is not quiet."""
    if quiet is None or quiet.start == quiet.end:
        return None
    local = datetime.fromtimestamp(now, UTC).astimezone(zone)
    t = local.time().replace(tzinfo=None)
    spans_midnight = quiet.start > quiet.end
    inside = (t >= quiet.start or t < quiet.end) if spans_midnight else (quiet.start <= t < quiet.end)
    if not inside:
        return None
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.timestamp()


def plan_new_alerts(conn: sqlite3.Connection, settings: NotifySettings, now: float, zone: ZoneInfo) -> list[Planned]:
    """First notices of the alerts raised since the watermark; moves the watermark (the caller commits)."""
    mark = conn.execute("SELECT value FROM notify_progress WHERE name = 'alerts'").fetchone()
    last = mark[0] if mark else 0
    rows = conn.execute("SELECT id, kind FROM alerts WHERE id > ? ORDER BY id LIMIT ?",
                        (last, ALERTS_PER_ROUND)).fetchall()
    planned = []
    for alert_id, kind in rows:
        for name, rule in settings.rules.items():
            if rule.matches(kind):
                due = quiet_until(rule.quiet_hours, now, zone) or now
                planned += [Planned(alert_id, name, channel, Step.FIRST, 0, due) for channel in rule.channels]
    if rows:
        conn.execute("INSERT OR REPLACE INTO notify_progress (name, value) VALUES ('alerts', ?)", (rows[-1][0],))
    return planned


def plan_follow_ups(conn: sqlite3.Connection, settings: NotifySettings, now: float, zone: ZoneInfo) -> list[Planned]:
    """Repeats and escalations of open alerts nobody has acknowledged yet."""
    if not any(r.repeat_every_min or r.escalate_after_min for r in settings.rules.values()):
        return []
    waiting = conn.execute("SELECT id, kind, raised_at FROM alerts WHERE state = 'open' AND acknowledged_at IS NULL "
                           "AND id <= (SELECT value FROM notify_progress WHERE name = 'alerts')").fetchall()
    if not waiting:
        return []
    marks = ",".join("?" * len(waiting))
    sent: dict[tuple[int, str], dict[tuple[str, str], tuple[int, int, float]]] = defaultdict(dict)
    for alert_id, rule, channel, step, last_no, pending, last_time in conn.execute(
            f"SELECT alert_id, rule, channel, step, MAX(step_no), SUM(state = 'pending'), "
            f"MAX(COALESCE(sent_at, created)) FROM notify_deliveries "
            f"WHERE alert_id IN ({marks}) GROUP BY alert_id, rule, channel, step", [w[0] for w in waiting]):
        sent[(alert_id, rule)][(channel, step)] = (last_no, pending, last_time)
    planned: list[Planned] = []
    for alert_id, kind, raised_at in waiting:
        for name, rule in settings.rules.items():
            queued = sent.get((alert_id, name))
            if queued and rule.matches(kind):  # a rule added after the alert was raised does not start on it
                planned += _follow_ups(alert_id, name, rule, raised_at, queued, now, zone)
    return planned


def _follow_ups(alert_id: int, name: str, rule: Rule, raised_at: float,
                queued: dict[tuple[str, str], tuple[int, int, float]], now: float, zone: ZoneInfo) -> list[Planned]:
    planned = []
    quiet = quiet_until(rule.quiet_hours, now, zone)
    if rule.repeat_every_min and quiet is None:
        every = rule.repeat_every_min * 60
        number = int((now - raised_at) // every)  # the repeat due by now (0: none yet)
        for channel in rule.channels:
            last_no, pending, repeat_time = queued.get((channel, Step.REPEAT), (0, 0, 0.0))
            _first_no, first_pending, first_time = queued.get((channel, Step.FIRST), (0, 0, 0.0))
            # one notice at a time per channel: a channel that is down gets no pile of repeats; and a repeat comes
            # a whole period after the last notice sent (a first notice held by quiet hours is not followed at once)
            recent = now - max(repeat_time, first_time) < every
            if number > last_no and not pending and not first_pending and not recent:
                planned.append(Planned(alert_id, name, channel, Step.REPEAT, number, now))
    if rule.escalate_after_min and now - raised_at >= rule.escalate_after_min * 60:
        for channel in rule.escalate_to:
            if (channel, Step.ESCALATION) not in queued:
                planned.append(Planned(alert_id, name, channel, Step.ESCALATION, 0, quiet or now))
    return planned
