"""Lots at receiving: dates typed per delivery line, read from GS1 scans, and given to the dock's tags.

hub/inventory/receiving.py records the delivery (its lines, the order, the stock adjustments); this module
says which lots those units belong to, in the same transaction. A dated product received without a date is
accepted (the goods are in the shop) but its line says how many units are ``undated``: the /fresh page lists
them to date.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.fresh.gs1 import Gs1Error, Gs1Read, parse_element_string
from hub.fresh.lots import LotError, check_lot_code, find_or_create, link_tags, receive_units

#: A scan that carries more than a GTIN: a printed element string, a symbology of GS1 data, a GS separator,
#: or digits past a GTIN-14 (AIs after the 01).
_GS1_LIKE = re.compile(r"^(\(|\](C1|d2|e0|Q3))|\x1d|^[0-9]{15,}$")


@dataclass(frozen=True)
class LotIn:
    """Units of one lot in a delivery line, as typed."""

    lot: str
    expiry: date
    quantity: int


LotKey = tuple[str, str, str]  # lot code, expiry YYYY-MM-DD, date kind


def is_gs1(raw: str) -> bool:
    """Does a scan carry GS1 data beyond a bare GTIN (to be read by biip)?"""
    return bool(_GS1_LIKE.search(raw.strip()))


def read_gs1_scan(raw: str, where: str) -> Gs1Read:
    """A scan read as a GS1 element string, or a LotError naming ``where`` and the AI at fault."""
    try:
        return parse_element_string(raw)
    except Gs1Error as exc:
        raise LotError(where, str(exc)) from None


def date_kinds(conn: sqlite3.Connection, gtins: list[str]) -> dict[str, str | None]:
    """The catalog's date kind of each GTIN (None: not a dated product)."""
    if not gtins:
        return {}
    marks = ",".join("?" * len(gtins))
    return dict(conn.execute(f"SELECT gtin, date_kind FROM products WHERE gtin IN ({marks})", gtins).fetchall())


def plan(kinds: dict[str, str | None], counted: dict[str, int], typed: dict[str, list[LotIn]],
         scanned: list[tuple[str, Gs1Read]]) -> dict[str, Counter[LotKey]]:
    """Units per GTIN per lot; raises LotError when a line's lots do not add up to its quantity."""
    out: dict[str, Counter[LotKey]] = {}
    for gtin, lots in typed.items():
        where = f"lines[{gtin}].lots"
        total = sum(x.quantity for x in lots)
        if total != counted.get(gtin, 0):
            raise LotError(where, f"the lots add up to {total} units but the line says {counted.get(gtin, 0)}")
        kind = kinds.get(gtin) or "best_before"
        for i, x in enumerate(lots):
            if not isinstance(x.quantity, int) or x.quantity < 0:
                raise LotError(f"{where}[{i}].quantity", f"must be a whole number of units (got {x.quantity})")
            code = check_lot_code(x.lot, f"{where}[{i}].lot")
            out.setdefault(gtin, Counter())[(code, x.expiry.isoformat(), kind)] += x.quantity
    for gtin, read in scanned:
        if read.expiry is None:
            continue  # a GTIN alone: an undated unit of a dated product, said on its line
        kind = kinds.get(gtin) or read.date_kind or "best_before"
        out.setdefault(gtin, Counter())[(read.lot or "", read.expiry.isoformat(), kind)] += read.quantity or 1
    return out


def write(conn: sqlite3.Connection, lots: dict[str, Counter[LotKey]], units: dict[str, int],
          kinds: dict[str, str | None], dock_epcs: dict[str, list[str]], now: float,
          delivery_id: int) -> dict[str, dict[str, Any]]:
    """Create or top up the delivery's lots, link the dock's tags to their GTIN's single lot; per GTIN, the lots
    received and the units left undated. The caller holds the delivery's transaction."""
    out: dict[str, dict[str, Any]] = {}
    for gtin, n in units.items():
        received = []
        epcs = dock_epcs.get(gtin) or []
        for (code, expiry, kind), quantity in sorted((lots.get(gtin) or {}).items()):
            if quantity <= 0 and not epcs:
                continue  # a lot typed with 0 units names the lot of the dock's tags; without tags, nothing
            lot_id = find_or_create(conn, gtin, code, date.fromisoformat(expiry), kind, now, delivery_id)
            receive_units(conn, lot_id, quantity)
            received.append({"id": lot_id, "lot": code, "expiry": expiry, "date_kind": kind, "quantity": quantity})
        if epcs and len(received) == 1:
            # the dock's tags of this product are units of its one lot: their date follows their EPC
            link_tags(conn, received[0]["id"], epcs, now)
            receive_units(conn, received[0]["id"], len(epcs))
            received[0]["quantity"] += len(epcs)
            received[0]["tags"] = len(epcs)
        dated = sum(x["quantity"] for x in received)
        undated = max(n - dated, 0) if kinds.get(gtin) else 0
        out[gtin] = {"lots": received, "undated": undated}
    return out
