"""Each tag's movements: a ``tag_events`` row per move, written in the transaction of the batch that made it.

Ingest calls :meth:`TagHistory.record` with the items a batch changed,
inside the batch's transaction (as :mod:`hub.inventory.history` does for
stock), so the history holds every move the inventory applied and a batch
replayed after a crash counts once. Other parts that know of a move the
readers cannot see (a tag commissioned at the label printer, a delivery
received) call :func:`record_tag_event` inside their own transaction.

The item page (``/items/<epc>``) and the EPCIS export (hub/epcis/) read the
table; :func:`prune` deletes rows past ``tag_history.retention_days``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from hub.inventory.records import Item
from hub.inventory.states import ItemState, zone_kind_from_name


class TagMove(StrEnum):
    """What happened to a tag. A ``str``: the ``tag_events.kind`` column stores the value."""

    COMMISSIONED = "commissioned"  # its EPC was written and tied to a product (issue 20's label printing)
    RECEIVED = "received"  # it arrived with a delivery (issue 20's receiving)
    ZONE = "zone"  # a reader placed it in a zone of the shop
    SOLD = "sold"  # paid at the till, or paid by a sale matched to its exit
    LEFT = "left"  # went out without being paid for
    RETURNED = "returned"  # back on the shop's side after being sold or leaving unpaid


TAG_MOVES: tuple[TagMove, ...] = tuple(TagMove)


class TagHistorySettings(BaseModel):
    """``tag_history:`` in the hub config (docs/integrations.md, "EPCIS 2.0")."""

    model_config = ConfigDict(extra="forbid")

    retention_days: float = Field(
        400.0, gt=0, le=3650,
        description="a tag movement older than this is deleted by the hourly prune (a year and a season by "
        "default: what a partner may ask for over EPCIS)")


@dataclass(frozen=True, slots=True)
class TagEvent:
    """One row of ``tag_events``."""

    id: int
    epc: str
    gtin: str | None
    kind: TagMove
    time: float
    zone: str | None
    zone_kind: str | None
    device: str | None


_IN_SHOP = (ItemState.BACKROOM, ItemState.FLOOR)
_GONE = (ItemState.SOLD, ItemState.LEFT)

_INSERT = ("INSERT INTO tag_events (epc, gtin, kind, time, zone, zone_kind, device, recorded) "
           "VALUES (?,?,?,?,?,?,?,?)")


def record_tag_event(conn: sqlite3.Connection, epc: str, kind: TagMove | str, time: float, *, now: float,
                     gtin: str | None = None, zone: str | None = None, zone_kind: str | None = None,
                     device: str | None = None) -> int:
    """Add one movement of ``epc``; the caller holds the transaction. Returns the row id.

    ``kind`` must be a :class:`TagMove` (``commissioned`` and ``received`` are the ones meant for callers
    outside ingest); ``time`` is when it happened, ``now`` when it is recorded (both Unix seconds);
    ``zone``/``zone_kind`` where it is, ``device`` what saw or did it. Raises ``ValueError`` for an
    unknown kind.
    """
    move = TagMove(kind)
    cursor = conn.execute(_INSERT, (epc, gtin, move.value, time, zone, zone_kind, device, now))
    return cursor.lastrowid or 0


def prune(conn: sqlite3.Connection, now: float, retention_days: float) -> int:
    """Delete movements older than ``retention_days``; returns how many. The caller holds the transaction."""
    return conn.execute("DELETE FROM tag_events WHERE time < ?", (now - retention_days * 86400,)).rowcount


def tag_events(conn: sqlite3.Connection, epc: str, limit: int = 500) -> list[TagEvent]:
    """The movements of one tag, newest first."""
    rows = conn.execute(
        "SELECT id, epc, gtin, kind, time, zone, zone_kind, device FROM tag_events WHERE epc = ? "
        "ORDER BY time DESC, id DESC LIMIT ?", (epc, limit))
    return [TagEvent(r[0], r[1], r[2], TagMove(r[3]), r[4], r[5], r[6], r[7]) for r in rows]


class TagHistory:
    """Notes, per tag, the state and zone of its last recorded move, to write a row only when either changes.

    Which change is which move: entering ``sold`` or ``left`` is that move (a sold item carried through the
    gate is not a new one); out of ``sold`` or ``left`` into the shop is ``returned``; a new zone, or a
    lost tag seen again, in the backroom or on the floor is ``zone``. An item becoming ``unknown`` (no
    reader claims it) is no move: nobody saw it go anywhere.
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[ItemState, str | None]] = {}
        self.recorded = 0  # rows added since start

    def load(self, items: Mapping[str, Item]) -> None:
        """Start from the items as stored: their state and zone are those of their last move."""
        self._last = {epc: (item.state, item.zone) for epc, item in items.items()}

    def record(self, conn: sqlite3.Connection, items: Iterable[tuple[str, Item]], zone_kinds: Mapping[str, str],
               now: float) -> None:
        """Write the moves of the changed ``items`` (epc, item); the caller holds the transaction."""
        last = self._last
        rows = []
        for epc, item in items:
            state, zone = item.state, item.zone
            before = last.get(epc)
            if before is not None and before[0] is state and before[1] == zone:
                continue
            last[epc] = (state, zone)
            kind = _move(before[0] if before is not None else None, before is not None and before[1] != zone, state)
            if kind is None:
                continue
            claim = item.claim
            when = item.since if before is None or before[0] is not state else (claim.time if claim else
                                                                                 item.last_seen)
            kind_of_zone = (zone_kinds.get(zone) or zone_kind_from_name(zone)) if zone else None
            rows.append((epc, item.gtin, kind.value, when, zone, kind_of_zone,
                         claim.reader if claim else None, now))
        if rows:
            conn.executemany(_INSERT, rows)
            self.recorded += len(rows)


def _move(before: ItemState | None, moved: bool, state: ItemState) -> TagMove | None:
    if state in _GONE:
        return None if before is state else TagMove(state.value)
    if state not in _IN_SHOP:
        return None
    if before in _GONE:
        return TagMove.RETURNED
    if moved or before is not state:
        return TagMove.ZONE
    return None
