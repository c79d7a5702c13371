"""The stock API: receive a delivery, count, adjust, and read or export the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from hub.api.stock.models import (
    AdjustmentOut,
    AdjustmentsIn,
    CountEntriesIn,
    CountIn,
    CountOut,
    DeliveryIn,
    DeliveryOut,
    OrderIn,
    OrderOut,
    Reason,
    SweepIn,
)
from hub.auth import Session
from hub.fresh.intake import LotIn
from hub.http.deps import Hub, HubState, Manager, Staff
from hub.http.errors import MANAGER_ONLY, ErrorOut
from hub.http.params import NOT_FOUND, Limit, Offset, RowId, parse_gtin
from hub.inventory import adjustments, counts, receiving
from hub.inventory.adjustments import Actor, Change, StockError
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api/stock", tags=["staff"])

REFUSED = {**NOT_FOUND, **MANAGER_ONLY, 409: {"model": ErrorOut, "description": "closed or already accepted"},
           422: {"model": ErrorOut, "description": "a field that cannot be accepted; the message names it"}}


@contextmanager
def stock_errors() -> Iterator[None]:
    """A domain refusal as HTTP, naming the field: 404 for a product, slot, count or order that does not exist,
    403 above the role threshold, 409 when the state does not allow it, else 422."""
    try:
        yield
    except StockError as exc:
        raise HTTPException({"forbidden": 403, "conflict": 409, "not_found": 404}.get(exc.kind, 422), str(exc)) \
            from None


def _actor(staff: Session) -> Actor:
    return Actor(staff.username, staff.role)


def _now(hub: HubState) -> float:
    return ts(hub.clock.now())


def _changed(hub: HubState, gtins: Iterable[str], now: float) -> None:
    """Alerts and the live figures follow a staff change of stock at once."""
    views = {}
    with hub.db.conn:
        for gtin in set(gtins):
            views[gtin] = hub.ingest.alerts.evaluate_sku(gtin, now)
    hub.ingest.publish_pending(views)


def _dated(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {**row, **{k: iso(row[k]) for k in keys if k in row}}


def _count_out(report: dict[str, Any]) -> dict[str, Any]:
    return _dated(report, "created", "closed")


@router.post("/adjustments", response_model=list[AdjustmentOut], responses=REFUSED)
async def adjust(body: AdjustmentsIn, hub: Hub, staff: Staff) -> list[dict[str, Any]]:
    """Adjust stock with a reason (damage, theft found, own use, ...): all lines or none; above the threshold
    (``fusion.adjust_manager_units`` / ``adjust_manager_eur``) only a manager may."""
    fusion, now = hub.ingest.fusion, _now(hub)
    changes = [Change(line.gtin, line.reason, line.quantity, line.note) for line in body.lines]
    with stock_errors():
        rows = adjustments.adjust(hub.db, fusion.stock_book, changes, fusion.products,
                                  lambda g: fusion.figure(g, now), _actor(staff), fusion.settings, now)
    _changed(hub, (c.gtin for c in changes), now)
    return [_dated(r, "time") for r in rows]


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _moment(name: str, text: str | None) -> float | None:
    """An RFC 3339 date and time, offset included (what the document's ``date-time`` means), as UNIX time."""
    if text is None:
        return None
    try:
        if not _RFC3339.match(text):
            raise ValueError(text)
        return ts(datetime.fromisoformat(text.upper().replace(" ", "T")))
    except ValueError:
        raise HTTPException(422, f"{name}: {text[:40]!r} is not a date and time such as 2026-03-12T09:30:00Z") \
            from None


def _audit(hub: HubState, gtin: str | None, user: str | None, reason: str | None, since: str | None,
           until: str | None, q: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
    return adjustments.search(hub.db, gtin=parse_gtin(gtin) if gtin else None, user=user, reason=reason,
                              since=_moment("since", since), until=_moment("until", until), q=q,
                              limit=limit, offset=offset)


AuditGtin = Annotated[str | None, Query(pattern=r"^([0-9]{8}|[0-9]{12,14})$")]
AuditUser = Annotated[str | None, Query(max_length=40)]
AuditText = Annotated[str | None, Query(max_length=100, description="words of the product's name, the note or GTIN")]
Moment = Annotated[str | None, Query(max_length=40, json_schema_extra={"format": "date-time"},
                                     description="RFC 3339, with its offset: 2026-03-12T09:30:00Z")]


@router.get("/adjustments", response_model=list[AdjustmentOut], responses=NOT_FOUND)
async def audit_log(hub: Hub, staff: Staff, gtin: AuditGtin = None, user: AuditUser = None,
                    reason: Reason | None = None, since: Moment = None, until: Moment = None,
                    q: AuditText = None, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    """The audit log, newest first, searched by product, person, reason, period or words."""
    return [_dated(r, "time") for r in _audit(hub, gtin, user, reason, since, until, q, limit, offset)]


@router.get("/adjustments.csv", response_class=PlainTextResponse, responses={
    **NOT_FOUND, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the same rows as CSV"}})
async def audit_csv(hub: Hub, staff: Staff, gtin: AuditGtin = None, user: AuditUser = None,
                    reason: Reason | None = None, since: Moment = None, until: Moment = None,
                    q: AuditText = None) -> PlainTextResponse:
    rows = _audit(hub, gtin, user, reason, since, until, q, 100_000, 0)
    return PlainTextResponse(adjustments.as_csv(rows, iso), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="stock-adjustments.csv"'})


@router.post("/deliveries", response_model=DeliveryOut, responses=REFUSED)
async def receive(body: DeliveryIn, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Receive a delivery against a purchase order: counted lines, scanned codes, the dock's tags. The units
    enter stock at once; short, over and wrong lines are recorded; a complete order closes."""
    now = _now(hub)
    counted: dict[str, int] = {}
    lots: dict[str, list[LotIn]] = {}
    for line in body.lines:
        counted[line.gtin] = counted.get(line.gtin, 0) + line.quantity
        if line.lots is not None:
            lots.setdefault(line.gtin, []).extend(LotIn(x.lot, x.expiry, x.quantity) for x in line.lots)
    delivery = receiving.Delivery(counted, list(body.scans), lots, body.from_dock, body.close, body.note)
    with stock_errors():
        out = receiving.receive(hub.ingest.fusion, _actor(staff), now, body.po_id, delivery)
    if any(line.get("lots") for line in out["lines"]):
        with hub.db.conn:
            hub.ingest.check_expiry(now)  # a lot received close to its date warns now, not at the next check
    _changed(hub, (line["gtin"] for line in out["lines"]), now)
    return _dated(out, "time")


@router.post("/orders", response_model=OrderOut, responses=REFUSED)
async def place_order(body: OrderIn, hub: Hub, staff: Manager) -> OrderOut:
    """A purchase order placed by hand (outside the reorder suggestions), to receive deliveries against."""
    lines: dict[str, int] = {}
    for line in body.lines:
        lines[line.gtin] = lines.get(line.gtin, 0) + line.quantity
    with stock_errors():
        return OrderOut(po_id=receiving.create_order(hub.ingest.fusion, body.supplier, lines, _actor(staff),
                                                     _now(hub)))


@router.get("/deliveries", response_model=list[DeliveryOut])
async def deliveries(hub: Hub, staff: Staff, po_id: Annotated[int, Query(ge=1, le=2**62)]) -> list[dict[str, Any]]:
    return [_dated(d, "time") for d in receiving.deliveries(hub.db, po_id)]


@router.post("/counts", response_model=CountOut, responses=REFUSED)
async def open_count(body: CountIn, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Open a count of a scope; its sheet lists the scope's products with the figure expected now."""
    with stock_errors():
        return _count_out(counts.open_count(hub.ingest.fusion, body.scope, body.scope_value, _actor(staff),
                                                 _now(hub)))


@router.get("/counts", response_model=list[CountOut])
async def list_counts(hub: Hub, staff: Staff, state: Annotated[str | None, Query(
        pattern="^(open|accepted|cancelled)$")] = None) -> list[dict[str, Any]]:
    fusion, now = hub.ingest.fusion, _now(hub)
    return [_count_out(counts.report(fusion, c["id"], now)) for c in counts.counts(fusion, state)[:50]]


@router.get("/counts/{count_id}", response_model=CountOut, responses=NOT_FOUND)
async def count_report(count_id: RowId, hub: Hub, staff: Staff) -> dict[str, Any]:
    """The count's variance report: expected against counted, with value at shelf price."""
    with stock_errors():
        return _count_out(counts.report(hub.ingest.fusion, count_id, _now(hub)))


@router.post("/counts/{count_id}/entries", response_model=CountOut, responses=REFUSED)
async def count_entries(count_id: RowId, body: CountEntriesIn, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Hand counts, by slot or by product: all checked, then all stored."""
    entries = [e.model_dump() for e in body.entries]
    with stock_errors():
        return _count_out(counts.enter(hub.ingest.fusion, count_id, entries, _actor(staff), _now(hub)))


@router.post("/counts/{count_id}/sweep", response_model=CountOut, responses=REFUSED)
async def count_sweep(count_id: RowId, body: SweepIn, hub: Hub, staff: Staff) -> dict[str, Any]:
    """An RFID sweep of the count's tagged products: the fixed readers' picture or a handheld's EPCs."""
    if body.source == "handheld" and body.epcs is None:
        raise HTTPException(422, "epcs: a handheld reader's report lists the EPCs it read")
    with stock_errors():
        return _count_out(counts.sweep(hub.ingest.fusion, count_id, _actor(staff), _now(hub),
                                            body.epcs if body.source == "handheld" else None, body.append))


@router.post("/counts/{count_id}/accept", response_model=CountOut, responses=REFUSED)
async def accept_count(count_id: RowId, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Adjust every counted product to its count (reason ``count``), in one transaction, and close the count."""
    now = _now(hub)
    with stock_errors():
        out = counts.accept(hub.ingest.fusion, count_id, _actor(staff), now)
    _changed(hub, (line["gtin"] for line in out["lines"] if line["counted"] is not None), now)
    return _count_out(out)


@router.post("/counts/{count_id}/cancel", response_model=CountOut, responses=REFUSED)
async def cancel_count(count_id: RowId, hub: Hub, staff: Staff) -> dict[str, Any]:
    with stock_errors():
        return _count_out(counts.cancel(hub.ingest.fusion, count_id, _actor(staff), _now(hub)))
