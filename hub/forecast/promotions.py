"""The shop's promotion calendar: the promotions it ran and the ones it plans, per product.

A promotion week can sell three times a normal week. Without the calendar a
forecaster sees past promotions as noise and cannot see the next one coming;
with it, ``CalendarRegression`` (models.py) learns each product's lift from
its past promotions and forecasts the planned ones, so that an order placed
before a promotion covers it. The hub keeps the calendar in its database
(staff enter it on the reorder page or through the API); ``comptoir forecast``
reads it from a CSV file beside the sales.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from hub.forecast.demand import csv_day, csv_rows

#: a longer "promotion" is a new price, which the models follow by themselves
MAX_DAYS = 92
CSV_COLUMNS = ("unique_id", "first_day", "last_day")

Calendar = dict[str, list[tuple[date, date]]]


class PromotionError(ValueError):
    """A promotion that cannot be kept; ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def check(first_day: date, last_day: date) -> None:
    """Refuse a period that ends before it starts or is longer than ``MAX_DAYS``."""
    if last_day < first_day:
        raise PromotionError(f"last_day {last_day} is before first_day {first_day}")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise PromotionError(f"{(last_day - first_day).days + 1} days is longer than a promotion "
                             f"({MAX_DAYS} days at most)")


def add(db: sqlite_utils.Database, gtin: str, first_day: date, last_day: date, note: str, user: str | None,
        now: float) -> dict[str, Any]:
    check(first_day, last_day)
    with db.conn:
        promo_id = db.conn.execute(
            "INSERT INTO promotions (gtin, first_day, last_day, note, created_by, created) VALUES (?,?,?,?,?,?)",
            (gtin, first_day.isoformat(), last_day.isoformat(), note, user, now)).lastrowid
    return get(db, int(promo_id))


def get(db: sqlite_utils.Database, promo_id: int) -> dict[str, Any]:
    rows = list(db.query(
        "SELECT p.*, c.name FROM promotions p LEFT JOIN products c ON c.gtin = p.gtin WHERE p.id = ?", [promo_id]))
    if not rows:
        raise PromotionError(f"no promotion {promo_id}", status=404)
    return rows[0]


def remove(db: sqlite_utils.Database, promo_id: int) -> None:
    with db.conn:
        if db.conn.execute("DELETE FROM promotions WHERE id = ?", (promo_id,)).rowcount == 0:
            raise PromotionError(f"no promotion {promo_id}", status=404)


def listing(db: sqlite_utils.Database, ending_from: date | None = None) -> list[dict[str, Any]]:
    """Promotions in date order; ``ending_from``: only those not over before that day."""
    where, params = ("WHERE p.last_day >= ?", [ending_from.isoformat()]) if ending_from else ("", [])
    return list(db.query(
        f"SELECT p.*, c.name FROM promotions p LEFT JOIN products c ON c.gtin = p.gtin {where} "
        "ORDER BY p.first_day, p.gtin, p.id", params))


def calendar(db: sqlite_utils.Database) -> Calendar:
    """Every product's promotions, as the forecast reads them."""
    out: Calendar = defaultdict(list)
    for row in db.query("SELECT gtin, first_day, last_day FROM promotions ORDER BY first_day"):
        out[row["gtin"]].append((date.fromisoformat(row["first_day"]), date.fromisoformat(row["last_day"])))
    return dict(out)


def read_csv(path: str | Path) -> Calendar:
    """A calendar file (``unique_id,first_day,last_day``, one row per promotion); a bad row names its line."""
    path = Path(path)
    out: Calendar = defaultdict(list)
    for line, row in csv_rows(path, CSV_COLUMNS, PromotionError):
        uid = (row["unique_id"] or "").strip()
        if not uid:
            raise PromotionError(f"{path}:{line}: unique_id is empty")
        first, last = (csv_day(path, line, row, column, PromotionError) for column in CSV_COLUMNS[1:])
        try:
            check(first, last)
        except PromotionError as exc:
            raise PromotionError(f"{path}:{line}: {exc}") from None
        out[uid].append((first, last))
    return {uid: sorted(periods) for uid, periods in out.items()}


def within(periods: list[tuple[date, date]], first: date, last: date) -> list[tuple[date, date]]:
    """The promotions that cover at least one day from ``first`` to ``last``."""
    return [(a, b) for a, b in periods if a <= last and b >= first]
