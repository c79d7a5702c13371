"""The fresh API: open lots, what to check today, waste recorded, its log and CSV, a count by lot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from hub.api.fresh import views
from hub.api.fresh.models import ExpiringOut, LotCountIn, LotOut, WasteIn, WasteOut, WasteReason
from hub.fresh import lots, waste
from hub.fresh.gs1 import Gs1Error, parse_element_string
from hub.fresh.lots import LotError
from hub.http.deps import Hub, HubState, Staff
from hub.http.errors import ErrorOut
from hub.http.params import NOT_FOUND, Limit, Offset, RowId, parse_gtin
from hub.inventory.adjustments import Actor, StockError
from hub.timeutil import iso

router = APIRouter(prefix="/api/fresh", tags=["staff"])
REFUSED = {**NOT_FOUND, 403: {"model": ErrorOut, "description": "above the role threshold"},
           422: {"model": ErrorOut, "description": "a field that cannot be accepted; the message names it"}}
Days = Annotated[int | None, Query(ge=-3650, le=3650, description="days to their date, at most")]
GtinQ = Annotated[str | None, Query(pattern=r"^([0-9]{8}|[0-9]{12,14})$")]


@contextmanager
def fresh_errors() -> Iterator[None]:
    """A domain refusal as HTTP naming the field: 404 for what does not exist, 403 above the threshold, else 422."""
    try:
        yield
    except StockError as exc:
        raise HTTPException({"forbidden": 403, "conflict": 409, "not_found": 404}.get(exc.kind, 422), str(exc)) \
            from None


@router.get("/lots", response_model=list[LotOut], responses=NOT_FOUND)
async def open_lots(hub: Hub, staff: Staff, state: Annotated[str, Query(pattern="^open$")] = "open",
                    gtin: GtinQ = None, days: Days = None) -> list[dict[str, Any]]:
    """Open lots with units, first to expire first, with their days left in the shop's time zone."""
    return views.open_lots(hub, parse_gtin(gtin) if gtin else None, days)


@router.get("/expiring", response_model=ExpiringOut)
async def expiring(hub: Hub, staff: Staff, days: Days = None) -> dict[str, Any]:
    """Lots reaching their date within ``days`` (default: each category's warn days), use-by dates passed with
    units still here, older lots left behind newer ones."""
    return views.expiring(hub, days)


@router.post("/lots/{lot_id}/count", response_model=LotOut, responses=REFUSED)
async def count_lot(lot_id: RowId, body: LotCountIn, hub: Hub, staff: Staff) -> dict[str, Any]:
    """A count by lot: the lot holds ``units`` now (0 closes it)."""
    now = views.moment(hub)
    with fresh_errors():
        lot = lots.count_lot(hub.db, hub.ingest.fusion.lots, lot_id, body.units, now)
    _recheck(hub, lot["gtin"], now)
    return views.one_lot(hub, lot_id)


def _resolve(hub: HubState, body: WasteIn) -> tuple[str, int | None]:
    """The product and lot a waste names: by gtin and lot_id, or by a scanned GS1 code."""
    if body.code is None:
        if body.gtin is None:
            raise LotError("gtin", "name the product (gtin) or scan its code (code)")
        return body.gtin, body.lot_id
    try:
        read = parse_element_string(body.code)
    except Gs1Error as exc:
        raise LotError("code", str(exc)) from None
    if body.gtin is not None and body.gtin != read.gtin:
        raise LotError("code", f"the code is of {read.gtin}, not {body.gtin}")
    lot_id = body.lot_id
    if lot_id is None and read.expiry is not None:
        row = hub.db.execute("SELECT id FROM lots WHERE gtin = ? AND expiry = ? AND (? IS NULL OR lot = ?) "
                             "ORDER BY closed IS NOT NULL, id LIMIT 1",
                             (read.gtin, read.expiry.isoformat(), read.lot, read.lot)).fetchone()
        lot_id = row[0] if row else None
    return read.gtin, lot_id


@router.post("/waste", response_model=WasteOut, responses=REFUSED)
async def record_waste(body: WasteIn, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Record units thrown away or given: the stock falls (one adjustment), the lot's units too; valued at cost."""
    fusion, now = hub.ingest.fusion, views.moment(hub)
    with fresh_errors():
        gtin, lot_id = _resolve(hub, body)
        stock = waste.Stock(hub.db, fusion.products, fusion.stock_book, fusion.lots, lambda g: fusion.figure(g, now),
                            fusion.settings)
        row = waste.record(stock, waste.WasteIn(gtin, body.quantity, body.reason, lot_id, body.note,
                                                tuple(e.upper() for e in body.epcs)), Actor(staff.username, staff.role),
                           now)
    _recheck(hub, gtin, now)
    return {**row, "time": iso(row["time"])}


def _recheck(hub: HubState, gtin: str, now: float) -> None:
    """The expiry alerts and the product's figures follow a staff change at once."""
    with hub.db.conn:
        hub.ingest.check_expiry(now)
        view = hub.ingest.alerts.evaluate_sku(gtin, now)
    hub.ingest.publish_pending({gtin: view})


def _log(hub: HubState, since: str | None, until: str | None, reason: str | None, limit: int,
         offset: int) -> list[dict[str, Any]]:
    first, last = views.day_bounds(hub, _day("since", since), _day("until", until))
    return waste.search(hub.db, since=first, until=last, reason=reason, limit=limit, offset=offset)


Day = Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", json_schema_extra={"format": "date"},
                                  description="a day, YYYY-MM-DD, in the shop's time zone (included)")]


def _day(name: str, text: str | None) -> date | None:
    """A day the pattern let through; one that is no date (month 13) is a 422 naming the parameter."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"{name}: {text!r} is not a day such as 2026-03-12") from None


@router.get("/waste", response_model=list[WasteOut])
async def waste_log(hub: Hub, staff: Staff, since: Day = None, until: Day = None, reason: WasteReason | None = None,
                    limit: Limit = 200, offset: Offset = 0) -> list[dict[str, Any]]:
    """The waste log, newest first."""
    return [{**r, "time": iso(r["time"])} for r in _log(hub, since, until, reason, limit, offset)]


@router.get("/waste.csv", response_class=PlainTextResponse, responses={
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the waste log as CSV"}})
async def waste_csv(hub: Hub, staff: Staff, since: Day = None, until: Day = None,
                    reason: WasteReason | None = None) -> PlainTextResponse:
    rows = _log(hub, since, until, reason, 100_000, 0)
    return PlainTextResponse(waste.as_csv(rows, iso), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="waste.csv"'})


