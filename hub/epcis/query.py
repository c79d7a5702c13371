"""The movements an EPCIS query asks for: by event time, EPC, product and business step, a page at a time.

The subset of EPCIS 2.0's SimpleEventQuery the hub answers (docs/integrations.md):
``GE_eventTime``, ``LT_eventTime``, ``MATCH_epc`` (EPC URIs, or the hub's
hexadecimal EPCs), ``MATCH_epcClass`` (a product's Digital Link URI or GTIN:
its instance-level EPCs), ``EQ_bizStep`` (CBV words or URIs), ``eventType``
(only ``ObjectEvent`` exists here); pages through ``perPage`` and an opaque
``nextPageToken``.

Each list parameter's values have a shape, written once here as a regular
expression (``EPC``, ``PRODUCT``, ``BIZ_STEP``, ``EVENT_TYPE``): the query
refuses a value outside it (QueryError), and the web API declares the same
pattern in its OpenAPI document. Written for Python's ``re`` (the query) and
ECMA-262 (JSON Schema: what a client generator or schemathesis reads) alike:
no look-around, ``[0-9]`` rather than ``\\d``, character ranges rather than
``\\s`` (each dialect has its own white space), no ``|``, space or control
character inside a value (``|`` separates values).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import unquote

from comptoir.contract.fields import gtin14
from hub.epcis.identifiers import DIGITAL_LINK
from hub.epcis.vocabulary import BIZ_STEPS, ZONE_WORDS, cbv_biz_step, moves_for_biz_step
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
    biz_steps: list[str] = field(default_factory=list)  # CBV words or URIs
    event_types: list[str] = field(default_factory=list)  # EPCIS event types (none: every type)
    after_id: int = 0
    limit: int = 1000


#: what no value holds (in a character class): control characters, space, and ``|`` (it separates values)
_NOT_IN_VALUES = r"\x00-\x20\x7f|"
_DL_ITEM = rf"https?://[^/{_NOT_IN_VALUES}]+/01/([0-9]{{14}})/21/([^/?#{_NOT_IN_VALUES}]+)"
_GTIN = r"[0-9]{8}|[0-9]{12,14}"
_DL_PRODUCT = rf"https?://[^/{_NOT_IN_VALUES}]+/01/({_GTIN})/?"
_RAW = r"urn:epc:raw:[0-9]+\.x([0-9A-Fa-f]+)"
_HEX = r"[0-9A-Fa-f]{8,64}"
#: any absolute URI (RFC 3986: a scheme, a colon, the rest)
_URI = rf"[A-Za-z][A-Za-z0-9+.-]*:[^{_NOT_IN_VALUES}]+"

#: one ``MATCH_epc`` value: an item's Digital Link URI, a raw EPC URI or the hub's hexadecimal EPC
EPC = f"{_DL_ITEM}|{_RAW}|{_HEX}"
#: one ``MATCH_epcClass`` value: a product's Digital Link URI or its GTIN-8, -12, -13 or -14
PRODUCT = f"{_DL_PRODUCT}|{_GTIN}"
#: one ``EQ_bizStep`` value: a CBV word or a URI (CBV's URN or web URI, or another vocabulary's: matches nothing)
BIZ_STEP = "|".join(BIZ_STEPS) + f"|{_URI}"
#: EPCIS 2.0's event types; the hub makes ObjectEvents only
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
EVENT_TYPE = "|".join(EVENT_TYPES)


def listed(value: str) -> str:
    """The pattern of a parameter's text: one or more values of the pattern ``value``, separated by ``|``."""
    return f"^(?:{value})(?:\\|(?:{value}))*$"


def split(name: str, texts: list[str] | None) -> list[str]:
    """The values of list parameter ``name``: each occurrence holds one or more, separated by ``|`` (an empty one,
    as in ``a||b`` or ``a|``, is refused: the document's pattern has none)."""
    found: list[str] = []
    for text in texts or []:
        values = text.split("|")
        if "" in values:
            raise QueryError(f"{name}: {text!r} holds an empty value (values are separated by '|')")
        found.extend(values)
    return found


_KNOWN_ZONE_KINDS = tuple(k for k in ZONE_WORDS if k is not None)


def _epc_condition(value: str) -> tuple[str, list[object]]:
    if m := re.fullmatch(_DL_ITEM, value):
        return "(i.gtin = ? AND i.serial = ?)", [m.group(1), unquote(m.group(2))]
    if m := re.fullmatch(_RAW, value):
        return "t.epc = ?", [m.group(1).upper()]
    if re.fullmatch(_HEX, value):
        return "t.epc = ?", [value.upper()]
    raise QueryError(f"MATCH_epc: {value!r} is neither a Digital Link URI ({DIGITAL_LINK}/01/<GTIN>/21/<serial>), "
                     "a raw EPC URI (urn:epc:raw:96.x<hex>) nor a hexadecimal EPC")


def _product(value: str) -> str:
    if not re.fullmatch(PRODUCT, value):
        raise QueryError(f"MATCH_epcClass: {value!r} is neither a Digital Link product URI ({DIGITAL_LINK}/01/<GTIN>) "
                         "nor a GTIN (8, 12, 13 or 14 digits)")
    m = re.fullmatch(_DL_PRODUCT, value)
    code = m.group(1) if m else value
    try:
        return gtin14(code)
    except ValueError as exc:
        raise QueryError(f"MATCH_epcClass: {value!r}: {exc}") from None


def _step_condition(step: str) -> tuple[str, list[object]]:
    if not re.fullmatch(BIZ_STEP, step):
        raise QueryError(f"EQ_bizStep: {step!r} is neither a CBV business step (receiving, "
                         "urn:epcglobal:cbv:bizstep:receiving, https://ref.gs1.org/cbv/BizStep-receiving) nor a URI")
    word = cbv_biz_step(step)
    if word is not None and word not in BIZ_STEPS:
        raise QueryError(f"EQ_bizStep: {step!r}: CBV has no business step {word!r}")
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
        return "0", []  # a step no movement of the hub's takes (or another vocabulary's): nothing matches
    return "(" + " OR ".join(parts) + ")", params


def select(conn: sqlite3.Connection, q: EventQuery) -> list[Movement]:
    """The movements matching ``q``, oldest row first, at most ``q.limit``; every value is read (a QueryError
    names the first the hub cannot) even when the event types leave nothing to select."""
    for kind in q.event_types:
        if kind not in EVENT_TYPES:
            raise QueryError(f"eventType: {kind!r} is not an EPCIS event type ({', '.join(EVENT_TYPES)})")
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
    if q.event_types and "ObjectEvent" not in q.event_types:
        return []  # the hub makes ObjectEvents only
    rows = conn.execute(
        "SELECT t.id, t.epc, t.gtin, i.serial, t.kind, t.time, t.zone, t.zone_kind, t.recorded "
        f"FROM tag_events t LEFT JOIN items i ON i.epc = t.epc WHERE {' AND '.join(where)} ORDER BY t.id LIMIT ?",
        [*params, q.limit])
    return [Movement(r[0], r[1], r[2], r[3], TagMove(r[4]), r[5], r[6], r[7], r[8]) for r in rows]
