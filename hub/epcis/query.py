"""The movements an EPCIS query asks for: by event time, EPC, product and business step, a page at a time.

The subset of EPCIS 2.0's SimpleEventQuery the hub answers (docs/integrations.md):
``GE_eventTime``, ``LT_eventTime``, ``MATCH_epc`` (EPC URIs, or the hub's
hexadecimal EPCs), ``MATCH_epcClass`` (a product's Digital Link URI or GTIN:
its instance-level EPCs), ``EQ_bizStep`` (CBV words or URIs), ``eventType``
(only ``ObjectEvent`` exists here); pages through ``perPage`` and an opaque
``nextPageToken``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import unquote

from comptoir.contract.fields import gtin14
from hub.epcis.identifiers import DIGITAL_LINK
from hub.epcis.vocabulary import ZONE_WORDS, moves_for_biz_step
from hub.inventory.tag_history import TagMove


class QueryError(ValueError):
    """A query parameter the hub cannot answer; the message names it (EPCIS: QueryParameterException)."""


@dataclass(frozen=True, slots=True)
class Movement:
    """One ``tag_events`` row with the item's serial, as the export needs it."""

    id: int
    epc: str
    gtin: str | None
    serial: str | None
    kind: TagMove
    time: float
    zone: str | None
    zone_kind: str | None
    recorded: float


@dataclass
class EventQuery:
    ge_time: float | None = None
    lt_time: float | None = None
    epcs: list[str] = field(default_factory=list)  # EPC URIs or hex EPCs
    products: list[str] = field(default_factory=list)  # Digital Link product URIs or GTINs
    biz_steps: list[str] = field(default_factory=list)
    after_id: int = 0
    limit: int = 1000


_DL_ITEM = re.compile(r"^https?://[^/]+/01/(\d{14})/21/([^/?#]+)$")
_DL_PRODUCT = re.compile(r"^https?://[^/]+/01/(\d{8,14})/?$")
_RAW = re.compile(r"^urn:epc:raw:\d+\.x([0-9A-Fa-f]+)$")
_HEX = re.compile(r"^[0-9A-Fa-f]{8,64}$")
_KNOWN_ZONE_KINDS = tuple(k for k in ZONE_WORDS if k is not None)


def _epc_condition(value: str) -> tuple[str, list[object]]:
    if m := _DL_ITEM.match(value):
        return "(i.gtin = ? AND i.serial = ?)", [m.group(1), unquote(m.group(2))]
    if m := _RAW.match(value):
        return "t.epc = ?", [m.group(1).upper()]
    if _HEX.match(value):
        return "t.epc = ?", [value.upper()]
    raise QueryError(f"MATCH_epc: {value!r} is neither a Digital Link URI ({DIGITAL_LINK}/01/<GTIN>/21/<serial>), "
                     "a raw EPC URI (urn:epc:raw:96.x<hex>) nor a hexadecimal EPC")


def _product(value: str) -> str:
    m = _DL_PRODUCT.match(value)
    code = m.group(1) if m else value
    try:
        return gtin14(code)
    except ValueError as exc:
        raise QueryError(f"MATCH_epcClass: {value!r}: {exc}") from None


def _step_condition(step: str) -> tuple[str, list[object]]:
    parts: list[str] = []
    params: list[object] = []
    for kind, zone_kinds in moves_for_biz_step(step):
        if zone_kinds is None:
            parts.append("t.kind = ?")
            params.append(kind.value)
            continue
        named = [k for k in zone_kinds if k is not None]
        ors = []
        params.append(kind.value)
        if named:
            ors.append(f"t.zone_kind IN ({','.join('?' * len(named))})")
            params.extend(named)
        if None in zone_kinds:  # 'other': a zone of no kind the table names
            ors.append(f"t.zone_kind IS NULL OR t.zone_kind NOT IN ({','.join('?' * len(_KNOWN_ZONE_KINDS))})")
            params.extend(_KNOWN_ZONE_KINDS)
        parts.append(f"(t.kind = ? AND ({' OR '.join(ors)}))")
    if not parts:
        return "0", []  # a CBV step no movement of the hub's takes: nothing matches
    return "(" + " OR ".join(parts) + ")", params


def select(conn: sqlite3.Connection, q: EventQuery) -> list[Movement]:
    """The movements matching ``q``, oldest row first, at most ``q.limit``."""
    where = ["t.id > ?"]
    params: list[object] = [q.after_id]
    if q.ge_time is not None:
        where.append("t.time >= ?")
        params.append(q.ge_time)
    if q.lt_time is not None:
        where.append("t.time < ?")
        params.append(q.lt_time)
    for values, condition in ((q.epcs, _epc_condition), (q.biz_steps, _step_condition)):
        if values:
            conds = [condition(v) for v in values]
            where.append("(" + " OR ".join(c for c, _ in conds) + ")")
            params.extend(p for _, ps in conds for p in ps)
    if q.products:
        gtins = [_product(v) for v in q.products]
        where.append(f"t.gtin IN ({','.join('?' * len(gtins))})")
        params.extend(gtins)
    rows = conn.execute(
        "SELECT t.id, t.epc, t.gtin, i.serial, t.kind, t.time, t.zone, t.zone_kind, t.recorded "
        f"FROM tag_events t LEFT JOIN items i ON i.epc = t.epc WHERE {' AND '.join(where)} ORDER BY t.id LIMIT ?",
        [*params, q.limit])
    return [Movement(r[0], r[1], r[2], r[3], TagMove(r[4]), r[5], r[6], r[7], r[8]) for r in rows]
