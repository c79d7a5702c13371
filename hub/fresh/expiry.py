"""Expiry alerts, raised from the hub's tick: lots reaching their date, use-by dates passed, older lots left behind.

Three kinds (hub/alerts.py), one alert per lot (its key ends with the lot id):

- ``expiring_soon`` (warning): a lot with units whose date is within ``fresh.expiry.warn_days`` (per category)
  days, or a best-before lot past its date (it may still be sold or given, but it is to be seen to);
- ``use_by_passed`` (critical, a safety kind): a use-by lot past its date that still has units in the shop;
- ``fefo_order`` (warning): an older lot still has units while a newer lot of the product has sold since the
  older one came in: older stock left behind newer (the till read the newer lot's 2D code, or its tag).

Days are counted in the shop's time zone: a date is "passed" from the local midnight after it. Each alert
resolves by itself when its condition ends (units at 0, written off, or the newer sales age out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

import sqlite_utils

from hub.alerts import Alerts
from hub.fresh.settings import ExpirySettings
from hub.i18n import Message

KINDS = ("expiring_soon", "use_by_passed", "fefo_order")


@dataclass(frozen=True)
class LotState:
    """An open lot as the rules and the /fresh page see it today."""

    row: dict[str, Any]
    days_left: int  # 0: its date is today; negative: passed
    warn_days: int

    @property
    def use_by_passed(self) -> bool:
        return self.row["date_kind"] == "use_by" and self.days_left < 0

    @property
    def expiring(self) -> bool:
        return not self.use_by_passed and self.days_left <= self.warn_days


def today(now: float, zone: tzinfo) -> date:
    return datetime.fromtimestamp(now, zone).date()


def said_date(day: str) -> dict[str, str]:
    """A date as a message parameter: said in the reader's language by Babel (hub/i18n/catalog.py)."""
    return {"date": day}


def lot_states(db: sqlite_utils.Database, settings: ExpirySettings, zone: tzinfo, now: float,
               gtin: str | None = None, lot_id: int | None = None) -> list[LotState]:
    """Open lots with units (or the one lot ``lot_id``, open or not), first to expire first, with their days left
    in the shop's calendar."""
    day = today(now, zone)
    where = ("l.id = ?" if lot_id is not None else
             "l.closed IS NULL AND l.units > 0" + (" AND l.gtin = ?" if gtin else ""))
    args = [lot_id] if lot_id is not None else [gtin] if gtin else []
    sql = ("SELECT l.id, l.gtin, p.name, p.category, p.aisle, p.shelf, l.lot, l.expiry, l.date_kind, l.units, "
           f"l.received FROM lots l LEFT JOIN products p ON p.gtin = l.gtin WHERE {where} ORDER BY l.expiry, l.id")
    out = []
    for row in db.query(sql, args):
        left = (date.fromisoformat(row["expiry"]) - day).days
        out.append(LotState(row, left, settings.warn_days_for(row["category"])))
    return out


def left_behind(db: sqlite_utils.Database, states: list[LotState]) -> dict[int, dict[str, Any]]:
    """Lots (by id) with units while a later-dated lot of their product sold after they came in."""
    out = {}
    for state in states:
        row = state.row
        newer = db.execute(
            "SELECT n.lot, n.expiry, SUM(s.quantity) FROM sales s JOIN lots n ON n.id = s.lot_id "
            "WHERE s.gtin = ? AND s.time > ? AND s.quantity > 0 AND n.expiry > ? GROUP BY n.id "
            "ORDER BY n.expiry LIMIT 1", (row["gtin"], row["received"], row["expiry"])).fetchone()
        if newer is not None:
            out[row["id"]] = {"lot": newer[0], "expiry": newer[1], "sold": int(newer[2])}
    return out


def _where(row: dict[str, Any]) -> str:
    return " ".join(x for x in (row.get("aisle"), row.get("shelf")) if x) or "-"


def check(db: sqlite_utils.Database, alerts: Alerts, settings: ExpirySettings, zone: tzinfo, now: float) -> int:
    """Raise, update and resolve the expiry alerts; the caller holds the transaction. The alerts open after."""
    states = lot_states(db, settings, zone, now)
    behind = left_behind(db, states)
    wanted: set[str] = set()
    for state in states:
        row = state.row
        lot_id, name, units = row["id"], row["name"] or row["gtin"], row["units"]
        lot = row["lot"] or "-"
        when = said_date(row["expiry"])
        if state.use_by_passed:
            key = f"use_by_passed:{lot_id}"
            alerts.set(key, "use_by_passed", "critical",
                       Message("fresh.alert.use_by_passed", name=name, lot=lot, date=when, units=units,
                               where=_where(row)), now, gtin=row["gtin"], quantity=units)
            wanted.add(key)
        elif state.expiring:
            key = f"expiring_soon:{lot_id}"
            code = "fresh.alert.best_before_passed" if state.days_left < 0 else "fresh.alert.expiring_soon"
            alerts.set(key, "expiring_soon", "warning",
                       Message(code, name=name, lot=lot, date=when, units=units, where=_where(row)), now,
                       gtin=row["gtin"], quantity=units)
            wanted.add(key)
        if lot_id in behind:
            newer = behind[lot_id]
            key = f"fefo_order:{lot_id}"
            alerts.set(key, "fefo_order", "warning",
                       Message("fresh.alert.fefo_order", name=name, lot=lot, date=when, units=units,
                               newer_lot=newer["lot"] or "-", newer_date=said_date(newer["expiry"]),
                               sold=newer["sold"]), now, gtin=row["gtin"], quantity=units)
            wanted.add(key)
    for key, alert in list(alerts.open.items()):
        if alert.kind in KINDS and key not in wanted:
            alerts.clear(key, now)
    return len(wanted)
