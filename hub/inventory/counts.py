"""Stock-takes and cycle counts: count a zone, a shelf, a category or the whole shop, then accept the variance.

A count is opened for a scope (``all``; ``category`` by name; ``zone``, an
aisle of the catalog; ``shelf``, a slot of the planogram): its sheet lists the
scope's products. Entries are added by hand (per slot, or per product) or by
an RFID sweep (a handheld reader's EPCs, or the fixed readers' current picture
of tagged items); a product's counted units are the sum of its entries (a
later entry for the same slot, product or sweep replaces the earlier one).
The variance report sets each counted product's expected figure (the hub's
figure now) against its count, with the value at shelf price. Accepting it
writes one ``count`` adjustment per counted product, all in one transaction;
products of the scope left uncounted are not touched.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hub.inventory import adjustments
from hub.inventory.adjustments import Actor, Change, StockError
from hub.inventory.fusion import Fusion
from hub.inventory.states import ItemState

SCOPES = ("all", "category", "zone", "shelf")
RFID_FIXED, RFID_HANDHELD = "rfid:fixed", "rfid:handheld"
MAX_EPCS = 100_000


def scope_products(fusion: Fusion, scope: str, value: str) -> list[str]:
    """GTINs a scope covers, or a StockError naming ``scope`` or ``scope_value``."""
    products = fusion.products
    if scope == "all":
        return sorted(products)
    if scope == "category":
        found = [r[0] for r in fusion.db.execute("SELECT gtin FROM products WHERE category = ?", (value,))]
    elif scope == "zone":
        found = [g for g, p in products.items() if p.aisle == value]
    elif scope == "shelf":
        slot = fusion.slots.get(value)
        if slot is None:
            raise StockError("scope_value", f"no slot {value!r} in the planogram", "not_found")
        found = [slot["gtin"]] if slot.get("gtin") in products else []
    else:
        raise StockError("scope", f"unknown scope {scope!r}; one of {', '.join(SCOPES)}")
    if not found:
        raise StockError("scope_value", f"no product in {scope} {value!r}", "not_found")
    return sorted(found)


def open_count(fusion: Fusion, scope: str, value: str, actor: Actor, now: float) -> dict[str, Any]:
    value = value.strip() if scope != "all" else ""
    scope_products(fusion, scope, value)
    with fusion.db.conn:
        count_id = int(fusion.db.conn.execute(
            "INSERT INTO stock_counts (scope, scope_value, state, created, created_by) VALUES (?,?,'open',?,?)",
            (scope, value, now, actor.username)).lastrowid)
    return report(fusion, count_id, now)


def _count(fusion: Fusion, count_id: int, must_be_open: bool = True) -> dict[str, Any]:
    rows = list(fusion.db.query("SELECT * FROM stock_counts WHERE id = ?", [count_id]))
    if not rows:
        raise StockError("count_id", f"no count {count_id}", "not_found")
    if must_be_open and rows[0]["state"] != "open":
        raise StockError("count_id", f"count {count_id} is {rows[0]['state']}: it cannot change", "conflict")
    return rows[0]


def enter(fusion: Fusion, count_id: int, entries: list[dict[str, Any]], actor: Actor, now: float,
          ) -> dict[str, Any]:
    """Hand entries ``{"slot": ..., "counted": n}`` or ``{"gtin": ..., "counted": n}``, checked all, then stored."""
    _count(fusion, count_id)
    if not entries:
        raise StockError("entries", "give at least one entry")
    rows = []
    for i, entry in enumerate(entries):
        counted, slot, gtin = entry.get("counted"), entry.get("slot"), entry.get("gtin")
        if not isinstance(counted, int) or isinstance(counted, bool) or counted < 0:
            raise StockError(f"entries[{i}].counted", f"must be a whole number of units, 0 or more (got {counted!r})")
        if counted > adjustments.MAX_UNITS:
            raise StockError(f"entries[{i}].counted", f"at most {adjustments.MAX_UNITS} units")
        if slot:
            plan = fusion.slots.get(slot)
            if plan is None:
                raise StockError(f"entries[{i}].slot", f"no slot {slot!r} in the planogram", "not_found")
            gtin = plan["gtin"]
        elif not gtin:
            raise StockError(f"entries[{i}]", "give a slot or a gtin")
        if gtin not in fusion.products:
            raise StockError(f"entries[{i}].gtin", f"no product with GTIN {gtin} in the catalog", "not_found")
        rows.append((count_id, gtin, slot or "", counted, "hand", now, actor.username))
    _store(fusion, rows)
    return report(fusion, count_id, now)


def sweep(fusion: Fusion, count_id: int, actor: Actor, now: float, epcs: list[str] | None = None,
          append: bool = False) -> dict[str, Any]:
    """An RFID sweep of the count's tagged products: a handheld's EPCs, or (``epcs`` None) the fixed readers'.

    The fixed readers' picture is the tagged items the hub holds in the backroom or on the floor now. A
    handheld's EPCs count each tag once; tags the hub has never seen are reported as unknown, not counted.
    ``append``: a further part of the same handheld sweep (its tags not in the earlier parts), added to them.
    """
    count = _count(fusion, count_id)
    scope = set(scope_products(fusion, count["scope"], count["scope_value"]))
    tally: dict[str, int] = {}
    unknown = 0
    if epcs is None:
        source = RFID_FIXED
        for item in fusion.items.values():
            if item.gtin in scope and item.state in (ItemState.BACKROOM, ItemState.FLOOR):
                tally[item.gtin] = tally.get(item.gtin, 0) + 1
    else:
        source = RFID_HANDHELD
        if len(epcs) > MAX_EPCS:
            raise StockError("epcs", f"at most {MAX_EPCS} tags in one report")
        for i, raw in enumerate(epcs):
            if not isinstance(raw, str) or not raw or len(raw) > 124 or any(c not in "0123456789abcdefABCDEF"
                                                                             for c in raw):
                raise StockError(f"epcs[{i}]", f"{str(raw)[:40]!r} is not an EPC (4-124 hexadecimal digits)")
        for epc in {e.upper() for e in epcs}:
            item = fusion.items.get(epc)
            if item is None or item.gtin is None:
                unknown += 1
            elif item.gtin in scope:
                tally[item.gtin] = tally.get(item.gtin, 0) + 1
    if append and source == RFID_HANDHELD:
        for gtin, n in fusion.db.execute("SELECT gtin, counted FROM count_entries WHERE count_id = ? AND slot = ?",
                                         (count_id, source)):
            tally[gtin] = tally.get(gtin, 0) + n
    tagged = {g for g in scope if g in fusion.rfid}
    rows = [(count_id, g, source, tally.get(g, 0), "rfid", now, actor.username) for g in sorted(tagged | set(tally))]
    _store(fusion, rows)
    out = report(fusion, count_id, now)
    out["sweep"] = {"source": source, "tags": sum(tally.values()), "unknown_tags": unknown}
    return out


def _store(fusion: Fusion, rows: list[tuple[Any, ...]]) -> None:
    with fusion.db.conn:
        fusion.db.conn.executemany(
            "INSERT INTO count_entries (count_id, gtin, slot, counted, method, time, user) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT(count_id, gtin, slot) DO UPDATE SET counted=excluded.counted, method=excluded.method, "
            "time=excluded.time, user=excluded.user", rows)


def report(fusion: Fusion, count_id: int, now: float) -> dict[str, Any]:
    """The count, its sheet and the variance: expected (the hub's figure now, or as accepted) against counted."""
    count = _count(fusion, count_id, must_be_open=False)
    db = fusion.db
    counted: dict[str, int] = {}
    entries: dict[str, list[dict[str, Any]]] = {}
    for gtin, slot, n, method in db.execute(
            "SELECT gtin, slot, counted, method FROM count_entries WHERE count_id = ? ORDER BY gtin, slot",
            (count_id,)):
        counted[gtin] = counted.get(gtin, 0) + n
        entries.setdefault(gtin, []).append({"slot": slot, "counted": n, "method": method})
    accepted = {g: (e, c) for g, e, c in db.execute(
        "SELECT gtin, expected, counted FROM count_results WHERE count_id = ?", (count_id,))}
    try:
        in_scope = set(scope_products(fusion, count["scope"], count["scope_value"]))
    except StockError:  # the planogram or catalog changed since: the products counted still show
        in_scope = set()
    gtins = sorted(in_scope | set(counted) | set(accepted))
    lines, total_value, total_units = [], 0, 0
    for gtin in gtins:
        product = fusion.products.get(gtin)
        price = product.price_cents if product else 0
        if gtin in accepted:
            expected, n = accepted[gtin]
        else:
            expected, n = fusion.figure(gtin, now), counted.get(gtin)
        variance = None if n is None else n - (expected or 0)
        value = None if variance is None else variance * price
        if variance is not None:
            total_units += variance
            total_value += value or 0
        lines.append({"gtin": gtin, "name": product.name if product else None, "tagged": gtin in fusion.rfid,
                      "slots": fusion.slots_by_gtin.get(gtin, []), "expected": expected, "counted": n,
                      "variance": variance, "value_cents": value, "price_cents": price,
                      "entries": entries.get(gtin, [])})
    return {**count, "lines": lines, "variance_units": total_units, "variance_value_cents": total_value,
            "counted_products": len(counted), "products": len(gtins)}


def accept(fusion: Fusion, count_id: int, actor: Actor, now: float) -> dict[str, Any]:
    """Adjust every counted product to its count (reason ``count``) and close the count, in one transaction."""
    _count(fusion, count_id)
    out = report(fusion, count_id, now)
    counted = [line for line in out["lines"] if line["counted"] is not None]
    if not counted:
        raise StockError("entries", f"count {count_id} has no entry yet: nothing to accept", "conflict")
    changes = [Change(line["gtin"], "count", line["counted"], f"count {count_id}") for line in counted]
    planned = adjustments.plan(changes, fusion.products, lambda g: fusion.figure(g, now), actor, fusion.settings)
    # each product's book runs from when it was counted (its latest entry), not from now
    made = dict(fusion.db.execute("SELECT gtin, MAX(time) FROM count_entries WHERE count_id = ? GROUP BY gtin",
                                  (count_id,)).fetchall())
    planned = [replace(p, counted_at=made.get(p.change.gtin)) for p in planned]
    with fusion.db.conn:
        adjustments.write(fusion.db.conn, planned, actor, now, "count", count_id)
        fusion.db.conn.executemany(
            "INSERT INTO count_results (count_id, gtin, expected, counted, price_cents) VALUES (?,?,?,?,?)",
            [(count_id, p.change.gtin, p.before, p.after, fusion.products[p.change.gtin].price_cents)
             for p in planned])
        fusion.db.conn.execute("UPDATE stock_counts SET state='accepted', closed=?, closed_by=? WHERE id=?",
                               (now, actor.username, count_id))
    for p in planned:
        fusion.stock_book.forget(p.change.gtin)
    return report(fusion, count_id, now)


def cancel(fusion: Fusion, count_id: int, actor: Actor, now: float) -> dict[str, Any]:
    _count(fusion, count_id)
    with fusion.db.conn:
        fusion.db.conn.execute("UPDATE stock_counts SET state='cancelled', closed=?, closed_by=? WHERE id=?",
                               (now, actor.username, count_id))
    return report(fusion, count_id, now)


def counts(fusion: Fusion, state: str | None = None) -> list[dict[str, Any]]:
    where, args = ("", []) if state is None else (" WHERE state = ?", [state])
    return list(fusion.db.query("SELECT * FROM stock_counts" + where + " ORDER BY id DESC LIMIT 200", args))
