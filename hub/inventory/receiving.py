"""Receiving a delivery against a purchase order: tags at the dock, lines counted or scanned, stock in at once.

One delivery is one transaction: its lines (each short, complete, over or
wrong against the order), the order's received totals, its state, and one
``received`` adjustment per product, so the units enter the book at once as
backroom stock whatever the product's sensors say. A product not on the
order (a wrong item) is recorded as such and enters stock too: it is in the
shop; a GTIN not in the catalog is refused, naming the field.

A barcode scanner is a keyboard: it types the code and Enter. :func:`read_scan`
turns what it typed into a GTIN-14 or says what is wrong.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from comptoir.contract import gtin14
from hub.fresh import intake
from hub.fresh.gs1 import Gs1Read
from hub.fresh.intake import LotIn
from hub.inventory import adjustments
from hub.inventory.adjustments import Actor, Change, StockError
from hub.inventory.fusion import Fusion

#: What scanners prefix or wrap a code with: an AIM symbology identifier (``]E0``, ``]C1``), GS1's "(01)".
_AIM = re.compile(r"^\][A-Za-z][0-9]")
_GS1_01 = re.compile(r"^\(?01\)?([0-9]{14})")
MAX_SCANS = 10_000


def read_scan(raw: str, where: str) -> str:
    """The GTIN-14 a scanner typed (digits; an AIM prefix; a GS1 ``01`` element), or a StockError naming ``where``."""
    text = raw.strip()
    text = _AIM.sub("", text)
    gs1 = _GS1_01.match(text)
    if gs1 and len(text) > 14:
        text = gs1.group(1)
    if not re.fullmatch(r"[0-9]{8}|[0-9]{12,14}", text):
        shown = raw[:40].encode("unicode_escape").decode()
        raise StockError(where, f"'{shown}' is not a barcode of 8, 12, 13 or 14 digits")
    try:
        return gtin14(text)
    except ValueError as exc:
        raise StockError(where, f"{text}: {exc}") from None


class DeliveryError(StockError):
    """A delivery that cannot be recorded (the order is closed, unknown, or nothing was received)."""


@dataclass
class Delivery:
    """What arrived, as asked: units counted by hand per GTIN, scans (one unit each), the dock's tags or not."""

    counted: dict[str, int] = field(default_factory=dict)
    scans: list[str] = field(default_factory=list)
    lots: dict[str, list[LotIn]] = field(default_factory=dict)  # per GTIN: the lots of its counted units
    from_dock: bool = False
    close: bool = False
    note: str = ""


def status(ordered: int, total: int, on_order: bool) -> str:
    if not on_order:
        return "wrong"
    return "short" if total < ordered else "over" if total > ordered else "complete"


def _order(db: sqlite_utils.Database, po_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM purchase_orders WHERE id = ?", [po_id]))
    if not rows:
        raise DeliveryError("po_id", f"no purchase order {po_id}", "not_found")
    po = rows[0]
    po["lines"] = {r["gtin"]: r for r in db.query(
        "SELECT gtin, quantity, received FROM purchase_order_lines WHERE po_id = ?", [po_id])}
    return po


def _dock_tags(db: sqlite_utils.Database, po: dict[str, Any]) -> dict[str, int]:
    """Tagged units of the order's products read at the dock since the order was placed, beyond those received."""
    lines = po["lines"]
    if not lines:
        return {}
    marks = ",".join("?" * len(lines))
    rows = db.execute(f"SELECT gtin, COUNT(*) FROM items WHERE zone = 'dock' AND since >= ? AND gtin IN ({marks}) "
                      "GROUP BY gtin", [po["created"], *lines]).fetchall()
    return {g: max(int(n) - int(lines[g]["received"]), 0) for g, n in rows}


def read_scans(delivery: Delivery, products: dict[str, Any] | None = None) -> list[tuple[str, Gs1Read | None]]:
    """Each scan's GTIN, and what a GS1 code says of its lot, date and count; refused naming ``scans[i]``."""
    if len(delivery.scans) > MAX_SCANS:
        raise DeliveryError("scans", f"at most {MAX_SCANS} scans in one delivery")
    out: list[tuple[str, Gs1Read | None]] = []
    for i, raw in enumerate(delivery.scans):
        where = f"scans[{i}]"
        read = intake.read_gs1_scan(raw, where) if intake.is_gs1(raw) else None
        gtin = read.gtin if read is not None else read_scan(raw, where)
        if products is not None and gtin not in products:
            raise DeliveryError(where, f"no product with GTIN {gtin} in the catalog", "not_found")
        out.append((gtin, read))
    return out


def units_of(db: sqlite_utils.Database, po: dict[str, Any], delivery: Delivery,
             scans: list[tuple[str, Gs1Read | None]] | None = None) -> dict[str, int]:
    """Units per GTIN in this delivery: hand counts, plus one per scan (a GS1 count sets more), plus the dock's
    new tags."""
    units: Counter[str] = Counter()
    for gtin, quantity in delivery.counted.items():
        if not isinstance(quantity, int) or quantity < 0:
            raise DeliveryError(f"lines[{gtin}].quantity", f"must be a whole number of units, 0 or more "
                                                           f"(got {quantity})")
        units[gtin] += quantity
    for gtin, read in scans if scans is not None else read_scans(delivery):
        units[gtin] += (read.quantity or 1) if read is not None else 1
    if delivery.from_dock:
        units.update(_dock_tags(db, po))
    return dict(units)


def receive(fusion: Fusion, actor: Actor, now: float, po_id: int, delivery: Delivery) -> dict[str, Any]:
    """Record one delivery against order ``po_id`` in one transaction; the delivery as :func:`delivery_out` says."""
    db, products = fusion.db, fusion.products
    po = _order(db, po_id)
    if po["state"] != "open":
        raise DeliveryError("po_id", f"purchase order {po_id} is {po['state']}: nothing more can be received",
                            "conflict")
    for gtin in delivery.counted:
        if gtin not in products:
            raise DeliveryError(f"lines[{gtin}].gtin", f"no product with GTIN {gtin} in the catalog", "not_found")
    scans = read_scans(delivery, products)
    units = {g: n for g, n in units_of(db, po, delivery, scans).items() if n > 0 or g in delivery.counted}
    for gtin in units:
        if gtin not in products:
            raise DeliveryError("scans", f"no product with GTIN {gtin} in the catalog", "not_found")
    if not any(units.values()) and not delivery.close:
        raise DeliveryError("lines", "nothing received: count or scan units, read the dock's tags, or close",
                            "conflict")
    kinds = intake.date_kinds(db.conn, sorted(units))
    lots = intake.plan(kinds, delivery.counted, delivery.lots, [(g, r) for g, r in scans if r is not None])
    dock_epcs = _dock_epcs(db, po, units) if delivery.from_dock else {}
    changes = [Change(g, "received", n, delivery.note) for g, n in sorted(units.items()) if n > 0]
    planned = (adjustments.plan(changes, products, lambda g: fusion.figure(g, now), actor, fusion.settings)
               if changes else [])
    lines = po["lines"]
    via = "+".join(v for v, used in (("hand", delivery.counted), ("scan", delivery.scans),
                                       ("dock", delivery.from_dock)) if used) or "close"
    with db.conn:
        delivery_id = int(db.conn.execute(
            "INSERT INTO deliveries (po_id, time, user, via, note) VALUES (?,?,?,?,?)",
            (po_id, now, actor.username, via, delivery.note)).lastrowid)
        for gtin, n in sorted(units.items()):
            line = lines.get(gtin)
            ordered = int(line["quantity"]) if line else 0
            total = (int(line["received"]) if line else 0) + n
            if line:
                db.conn.execute("UPDATE purchase_order_lines SET received=? WHERE po_id=? AND gtin=?",
                                (total, po_id, gtin))
                line["received"] = total
            db.conn.execute("INSERT INTO delivery_lines (delivery_id, gtin, quantity, ordered, received_total, "
                            "status) VALUES (?,?,?,?,?,?)",
                            (delivery_id, gtin, n, ordered, total, status(ordered, total, line is not None)))
        adjustments.write(db.conn, planned, actor, now, "delivery", delivery_id)
        received_lots = intake.write(db.conn, lots, units, kinds, dock_epcs, now, delivery_id)
        complete = all(int(line["received"]) >= int(line["quantity"]) for line in lines.values())
        if complete or delivery.close:
            closed_via = "dock" if via == "dock" else "hand"
            db.conn.execute("UPDATE purchase_orders SET state='received', closed_at=?, closed_by=?, closed_via=? "
                            "WHERE id=?", (now, actor.username, closed_via, po_id))
    for p in planned:
        fusion.stock_book.forget(p.change.gtin)
    for gtin in units:
        fusion.lots.forget(gtin)
    out = delivery_out(db, delivery_id)
    for line in out["lines"]:
        line.update(received_lots.get(line["gtin"], {}))
    return out


def _dock_epcs(db: sqlite_utils.Database, po: dict[str, Any], units: dict[str, int]) -> dict[str, list[str]]:
    """The order's tags at the dock not yet given a lot, per GTIN (their lot is the delivery's one lot)."""
    out: dict[str, list[str]] = {}
    for gtin in units:
        if gtin in po["lines"]:
            out[gtin] = [r[0] for r in db.execute(
                "SELECT epc FROM items WHERE zone = 'dock' AND since >= ? AND gtin = ? "
                "AND epc NOT IN (SELECT epc FROM lot_tags) ORDER BY since, epc", (po["created"], gtin))]
    return out


def create_order(fusion: Fusion, supplier: str, lines: dict[str, int], actor: Actor, now: float) -> int:
    """An open purchase order placed by hand (by phone, at a trade counter), to receive deliveries against."""
    if not supplier.strip():
        raise DeliveryError("supplier", "name the supplier")
    if not lines:
        raise DeliveryError("lines", "give at least one line")
    for gtin, quantity in lines.items():
        if gtin not in fusion.products:
            raise DeliveryError(f"lines[{gtin}].gtin", f"no product with GTIN {gtin} in the catalog", "not_found")
        if not isinstance(quantity, int) or quantity < 1:
            raise DeliveryError(f"lines[{gtin}].quantity", f"must be at least 1 (got {quantity})")
    with fusion.db.conn:
        po_id = int(fusion.db.conn.execute(
            "INSERT INTO purchase_orders (supplier, state, created, created_by) VALUES (?, 'open', ?, ?)",
            (supplier.strip(), now, actor.username)).lastrowid)
        fusion.db.conn.executemany("INSERT INTO purchase_order_lines (po_id, gtin, quantity) VALUES (?, ?, ?)",
                                   [(po_id, g, n) for g, n in sorted(lines.items())])
    return po_id


def delivery_out(db: sqlite_utils.Database, delivery_id: int) -> dict[str, Any]:
    """A delivery with its lines, and the order's lines still short after it."""
    rows = list(db.query("SELECT d.*, o.state AS order_state FROM deliveries d JOIN purchase_orders o "
                         "ON o.id = d.po_id WHERE d.id = ?", [delivery_id]))
    if not rows:
        raise DeliveryError("delivery_id", f"no delivery {delivery_id}", "not_found")
    out = rows[0]
    out["lines"] = list(db.query(
        "SELECT l.gtin, p.name, l.quantity, l.ordered, l.received_total, l.status FROM delivery_lines l "
        "LEFT JOIN products p ON p.gtin = l.gtin WHERE l.delivery_id = ? ORDER BY l.gtin", [delivery_id]))
    seen = {line["gtin"] for line in out["lines"]}
    out["missing"] = [dict(r, status="short") for r in db.query(
        "SELECT l.gtin, p.name, l.quantity AS ordered, l.received AS received_total FROM purchase_order_lines l "
        "LEFT JOIN products p ON p.gtin = l.gtin WHERE l.po_id = ? AND l.received < l.quantity ORDER BY l.gtin",
        [out["po_id"]]) if r["gtin"] not in seen]
    return out


def deliveries(db: sqlite_utils.Database, po_id: int) -> list[dict[str, Any]]:
    return [delivery_out(db, r[0]) for r in db.execute("SELECT id FROM deliveries WHERE po_id = ? ORDER BY id",
                                                        (po_id,))]
