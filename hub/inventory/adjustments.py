"""Adjustments: every change of stock that is neither a sensor reading nor a sale, with its reason, who and when.

A delivery received, a count accepted, goods damaged, a theft found, a
return to the supplier, the shop's own use: each is one row of
``stock_adjustments`` with the figure before and after. The rows of one
action (a delivery's lines, a count's products) are written in one
transaction, all or none, after every line has been checked. They are the
audit log (searched and exported as CSV here) and the terms of the book
stock (hub/inventory/book.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from hub.csv_cells import spreadsheet_safe
from hub.inventory.book import BookStock
from hub.inventory.records import Product
from hub.inventory.settings import FusionSettings

#: Reason codes and the way each moves stock: +1 adds the quantity, -1 takes it off, 0 sets the figure to it.
REASONS: dict[str, int] = {
    "received": +1, "count": 0, "found": +1, "customer_return": +1,
    "damage": -1, "theft_found": -1, "return_to_supplier": -1, "own_use": -1, "expired": -1, "donated": -1,
}
#: Reasons the role threshold does not apply to: a delivery is checked against its purchase order instead.
UNCHECKED_REASONS = frozenset({"received"})
MAX_NOTE = 500
MAX_UNITS = 1_000_000


class StockError(ValueError):
    """A stock action that cannot be accepted: ``field`` names what is wrong; ``kind`` says how.

    ``invalid`` (bad input), ``not_found``, ``forbidden`` (needs the manager role) or ``conflict`` (the
    state does not allow it). Nothing was written when it is raised.
    """

    def __init__(self, field: str, message: str, kind: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the signed-in account and its role."""

    username: str
    role: str


@dataclass(frozen=True, slots=True)
class Change:
    """One product's adjustment as asked: ``quantity`` units moved, or, for ``count``, the units counted."""

    gtin: str
    reason: str
    quantity: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Planned:
    change: Change
    before: int
    after: int
    counted_at: float | None = None  # a count entered after it was made: the book runs from when it was made

    @property
    def delta(self) -> int:
        return self.after - self.before


def check_change(change: Change, products: dict[str, Product], where: str = "") -> None:
    """Raise :class:`StockError` naming the field if ``change`` cannot be applied."""
    if change.reason not in REASONS:
        raise StockError(f"{where}reason", f"unknown reason {change.reason!r}; one of {', '.join(REASONS)}")
    if change.gtin not in products:
        raise StockError(f"{where}gtin", f"no product with GTIN {change.gtin} in the catalog", "not_found")
    if not isinstance(change.quantity, int) or change.quantity < 0:
        raise StockError(f"{where}quantity", f"must be a whole number of units, 0 or more (got {change.quantity})")
    if change.quantity > MAX_UNITS:
        raise StockError(f"{where}quantity", f"at most {MAX_UNITS} units")
    if len(change.note) > MAX_NOTE:
        raise StockError(f"{where}note", f"at most {MAX_NOTE} characters")


def plan(changes: list[Change], products: dict[str, Product], figure: Callable[[str], int | None],
         actor: Actor, settings: FusionSettings, field: str = "lines") -> list[Planned]:
    """Check every change and work out before and after; raise on the first that cannot be applied.

    ``figure`` gives the hub's figure of a product now (None: it has none; taken as 0). Two changes of one
    product in one action follow each other.
    """
    running: dict[str, int] = {}
    planned = []
    for i, change in enumerate(changes):
        where = f"{field}[{i}]." if len(changes) > 1 or field != "lines" else ""
        check_change(change, products, where)
        before = running[change.gtin] if change.gtin in running else (figure(change.gtin) or 0)
        direction = REASONS[change.reason]
        after = change.quantity if direction == 0 else before + direction * change.quantity
        step = Planned(change, before, after)
        if change.reason not in UNCHECKED_REASONS and actor.role != "manager":
            moved, price = abs(step.delta), products[change.gtin].price_cents
            if moved > settings.adjust_manager_units or moved * price > settings.adjust_manager_eur * 100:
                raise StockError(f"{where}quantity", (
                    f"moving {abs(step.delta)} units of {change.gtin} is above the threshold "
                    f"({settings.adjust_manager_units} units or {settings.adjust_manager_eur:g} EUR): it needs the "
                    f"manager role; {actor.username} is {actor.role}"), "forbidden")
        running[change.gtin] = after
        planned.append(step)
    return planned


def write(conn: Any, planned: list[Planned], actor: Actor, now: float, ref_kind: str | None = None,
          ref_id: int | None = None) -> list[int]:
    """Insert the planned rows; the caller holds the transaction (with the rest of its action)."""
    ids = []
    for p in planned:
        cur = conn.execute(
            "INSERT INTO stock_adjustments (time, user, role, gtin, reason, before, after, delta, note, ref_kind, "
            "ref_id, counted_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (now, actor.username, actor.role, p.change.gtin, p.change.reason, p.before, p.after, p.delta,
             p.change.note, ref_kind, ref_id, p.counted_at))
        ids.append(int(cur.lastrowid))
    return ids


def adjust(db: sqlite_utils.Database, book: BookStock, changes: list[Change], products: dict[str, Product],
           figure: Callable[[str], int | None], actor: Actor, settings: FusionSettings, now: float,
           ) -> list[dict[str, Any]]:
    """Check, then apply ``changes`` in one transaction; the rows written, as the audit log shows them."""
    if not changes:
        raise StockError("lines", "give at least one adjustment")
    planned = plan(changes, products, figure, actor, settings)
    with db.conn:
        ids = write(db.conn, planned, actor, now)
    for p in planned:
        book.forget(p.change.gtin)
    return search(db, ids=ids)


_COLUMNS = ("a.id, a.time, a.user, a.role, a.gtin, p.name, a.reason, a.before, a.after, a.delta, a.note, "
            "a.ref_kind, a.ref_id, p.price_cents")


def search(db: sqlite_utils.Database, *, ids: list[int] | None = None, gtin: str | None = None,
           user: str | None = None, reason: str | None = None, since: float | None = None,
           until: float | None = None, q: str | None = None, limit: int = 200, offset: int = 0,
           ) -> list[dict[str, Any]]:
    """The audit log, newest first: by product, person, reason, period, or words of the name or note."""
    where, args = [], []
    if ids is not None:
        where.append(f"a.id IN ({','.join('?' * len(ids))})")
        args += ids
    for column, value in (("a.gtin", gtin), ("a.user", user), ("a.reason", reason)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if since is not None:
        where.append("a.time >= ?")
        args.append(since)
    if until is not None:
        where.append("a.time < ?")
        args.append(until)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(p.name LIKE ? ESCAPE '\\' OR a.note LIKE ? ESCAPE '\\' OR a.gtin LIKE ? ESCAPE '\\')")
        args += [pattern] * 3
    sql = (f"SELECT {_COLUMNS} FROM stock_adjustments a LEFT JOIN products p ON p.gtin = a.gtin"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id DESC LIMIT ? OFFSET ?")
    rows = []
    for row in db.query(sql, [*args, limit, offset]):
        price = row.pop("price_cents")
        row["value_cents"] = row["delta"] * price if price is not None else None
        rows.append(row)
    return rows


CSV_HEADER = ("id", "time", "user", "role", "gtin", "name", "reason", "before", "after", "delta", "value_eur",
              "note", "ref_kind", "ref_id")


def as_csv(rows: list[dict[str, Any]], when: Callable[[float], str | None]) -> str:
    """The audit rows as CSV; text from people or imported files cannot run as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        value = None if r["value_cents"] is None else round(r["value_cents"] / 100, 2)  # a number, never a formula
        writer.writerow([spreadsheet_safe(cell) for cell in (
            r["id"], when(r["time"]), r["user"], r["role"], r["gtin"], r["name"] or "", r["reason"], r["before"],
            r["after"], r["delta"], value, r["note"], r["ref_kind"] or "", r["ref_id"] or "")])
    return out.getvalue()
