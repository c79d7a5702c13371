"""Serial ranges per GTIN, allocated once, and what became of each EPC.

Two tag runs must never carry the same EPC, or the hub would take two units
for one. An allocation reads the highest serial used and writes the new
range in one ``BEGIN IMMEDIATE`` transaction: SQLite's write lock makes a
second process (the CLI beside the running hub) wait, then read the range
just taken. ``UNIQUE (gtin, serial)`` backs this up in the schema. A range
asked for explicitly that overlaps an earlier allocation, or a serial
already seen on a tag in the shop, is refused naming ``serial_start``.

Each EPC then has a state: ``allocated``; ``written`` (the writer read it
back); ``not_written`` with the reason (a locked tag, no blank tag left):
the serial stays taken, never handed out again; ``sent_to_printer`` (an RFID
printer encodes it, we cannot read it back).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from hub.tags.epcs import DEFAULT_PREFIX_LENGTH, POS_ITEM, SERIAL_MAX, check_gtin, check_scheme, check_serial, encode
from hub.tags.errors import TagError

MAX_COUNT = 10_000  # tags in one allocation: a day's labels at most
STATES = ("allocated", "written", "not_written", "sent_to_printer")


@dataclass(frozen=True, slots=True)
class TagRow:
    epc: str
    serial: int
    state: str
    tag: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    id: int
    gtin: str
    product: str
    scheme: str
    company_prefix_length: int
    filter_value: int
    first_serial: int
    last_serial: int
    created: float
    created_by: str | None
    tags: list[TagRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.last_serial - self.first_serial + 1


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What the writer says of one EPC (edge/rfid/writer.py's WriteResult, as JSON)."""

    epc: str
    written: bool
    tag: str | None = None
    reason: str | None = None


def _product_name(db: sqlite_utils.Database, gtin: str) -> str:
    row = db.execute("SELECT name FROM products WHERE gtin = ?", [gtin]).fetchone()
    if row is None:
        raise TagError("gtin", f"no product with GTIN {gtin} in the catalog (import it first)")
    return row[0]


def allocate(db: sqlite_utils.Database, gtin: str, count: int, *, now: float, scheme: str = "sgtin-96",
             serial_start: int | None = None, prefix_length: int = DEFAULT_PREFIX_LENGTH,
             filter_value: int = POS_ITEM, by: str | None = None) -> Allocation:
    """Take ``count`` serials of ``gtin`` no one had; all or nothing."""
    code = check_gtin(gtin)
    check_scheme(scheme)
    if not 1 <= count <= MAX_COUNT:
        raise TagError("count", f"{count} is not 1 to {MAX_COUNT}")
    if serial_start is not None:
        check_serial(scheme, serial_start, "serial_start")
    _product_name(db, code)  # a GTIN the catalog lacks is refused before anything is locked
    encode(code, 0, scheme, prefix_length, filter_value)  # the prefix length and filter, checked before the lock
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")  # the write lock first: no other process reads the same highest serial
    try:
        first = _first_serial(db, code, count, serial_start)
        last = first + count - 1
        if last > SERIAL_MAX[scheme]:
            raise TagError("count" if serial_start is None else "serial_start",
                           f"serials {first}..{last} pass {SERIAL_MAX[scheme]}, the largest an {scheme} carries")
        cursor = conn.execute(
            "INSERT INTO tag_allocations (gtin, scheme, company_prefix_length, filter_value, first_serial, "
            "last_serial, created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (code, scheme, prefix_length, filter_value, first, last, now, by))
        allocation_id = int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT INTO tag_serials (epc, allocation, gtin, serial, state, updated) VALUES (?, ?, ?, ?, ?, ?)",
            [(encode(code, s, scheme, prefix_length, filter_value), allocation_id, code, s, "allocated", now)
             for s in range(first, last + 1)])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    allocation = get(db, allocation_id)
    if allocation is None:  # committed just above: only a database gone wrong gets here
        raise RuntimeError(f"allocation #{allocation_id} vanished after its commit")
    return allocation


def _first_serial(db: sqlite_utils.Database, gtin: str, count: int, serial_start: int | None) -> int:
    if serial_start is None:
        taken = db.execute("SELECT MAX(last_serial) FROM tag_allocations WHERE gtin = ?", [gtin]).fetchone()[0]
        seen = db.execute("SELECT MAX(CAST(serial AS INTEGER)) FROM items WHERE gtin = ? AND serial != '' "
                          "AND serial NOT GLOB '*[^0-9]*' AND length(serial) <= 18", [gtin]).fetchone()[0]
        return max(-1 if taken is None else taken, -1 if seen is None else seen) + 1
    last = serial_start + count - 1
    clash = db.execute("SELECT id, first_serial, last_serial FROM tag_allocations WHERE gtin = ? AND "
                       "first_serial <= ? AND last_serial >= ? ORDER BY first_serial LIMIT 1",
                       [gtin, last, serial_start]).fetchone()
    if clash is not None:
        raise TagError("serial_start", f"serials {serial_start}..{last} of GTIN {gtin} overlap allocation "
                                       f"#{clash[0]} ({clash[1]}..{clash[2]}); no serial is given twice")
    item = db.execute("SELECT epc, serial FROM items WHERE gtin = ? AND serial != '' AND serial NOT GLOB '*[^0-9]*' "
                      "AND length(serial) <= 18 AND CAST(serial AS INTEGER) BETWEEN ? AND ? LIMIT 1",
                      [gtin, serial_start, last]).fetchone()
    if item is not None:
        raise TagError("serial_start", f"serial {item[1]} of GTIN {gtin} is already on a tag in the shop "
                                       f"(EPC {item[0]}); choose a range no tag carries")
    return serial_start


def get(db: sqlite_utils.Database, allocation_id: int) -> Allocation | None:
    rows = _allocations(db, "a.id = ?", [allocation_id], 1, 0)
    if not rows:
        return None
    tags = [TagRow(*r) for r in db.execute(
        "SELECT epc, serial, state, tag, reason FROM tag_serials WHERE allocation = ? ORDER BY serial",
        [allocation_id]).fetchall()]
    head = rows[0]
    return Allocation(**{name: getattr(head, name) for name in Allocation.__slots__ if name != "tags"}, tags=tags)


def listing(db: sqlite_utils.Database, gtin: str | None = None, limit: int = 100, offset: int = 0) -> list[Allocation]:
    """Allocations, newest first (without their tags: see :func:`get`)."""
    if gtin is None:
        return _allocations(db, "1", [], limit, offset)
    return _allocations(db, "a.gtin = ?", [check_gtin(gtin)], limit, offset)


def _allocations(db: sqlite_utils.Database, where: str, args: list[Any], limit: int, offset: int) -> list[Allocation]:
    rows = db.execute(
        "SELECT a.id, a.gtin, COALESCE(p.name, ''), a.scheme, a.company_prefix_length, a.filter_value, "
        "a.first_serial, a.last_serial, a.created, a.created_by FROM tag_allocations a "
        f"LEFT JOIN products p ON p.gtin = a.gtin WHERE {where} ORDER BY a.id DESC LIMIT ? OFFSET ?",
        [*args, limit, offset]).fetchall()
    return [Allocation(*r) for r in rows]


def state_counts(db: sqlite_utils.Database, allocation_id: int) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for state, n in db.execute("SELECT state, COUNT(*) FROM tag_serials WHERE allocation = ? GROUP BY state",
                               [allocation_id]).fetchall():
        counts[state] = n
    return counts


def record_writes(db: sqlite_utils.Database, outcomes: Iterable[WriteOutcome], *, now: float) -> dict[str, int]:
    """Record what the writer did; every EPC must be one allocated here, else nothing is recorded."""
    outcomes = list(outcomes)
    with db.conn:
        for i, outcome in enumerate(outcomes):
            row = db.execute("SELECT state FROM tag_serials WHERE epc = ?", [outcome.epc.upper()]).fetchone()
            if row is None:
                raise TagError(f"results[{i}].epc", f"{outcome.epc[:64]} was not allocated by this hub; "
                                                    "nothing was recorded")
        for outcome in outcomes:
            db.conn.execute(
                "UPDATE tag_serials SET state = ?, tag = ?, reason = ?, updated = ? WHERE epc = ?",
                ("written" if outcome.written else "not_written", outcome.tag,
                 None if outcome.written else (outcome.reason or "not written"), now, outcome.epc.upper()))
    written = sum(1 for o in outcomes if o.written)
    return {"written": written, "not_written": len(outcomes) - written}


def mark_sent_to_printer(db: sqlite_utils.Database, allocation_id: int, *, now: float) -> int:
    """Tags of the allocation not yet written are now the printer's to encode."""
    with db.conn:
        cursor = db.conn.execute("UPDATE tag_serials SET state = 'sent_to_printer', updated = ? "
                                 "WHERE allocation = ? AND state IN ('allocated', 'not_written')", (now, allocation_id))
    return cursor.rowcount
