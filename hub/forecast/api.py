"""Reorder API: run the forecasts, decide on suggestions, purchase orders and deliveries (the page: page.py).

Staff only (the hub's session dependency); decisions, orders, promotions and
reservations need a manager. The forecasting itself runs in a worker thread;
the database is read and written on the event loop's thread, as everywhere
in the hub.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from hub.api.deps import Hub, Manager, Staff
from hub.api.models import ErrorOut, whole_number
from hub.api.staff import GTIN_PATTERN, NOT_FOUND, Gtin, parse_gtin
from hub.forecast import orders, planner, promotions
from hub.forecast.policy import ReorderPolicy
from hub.timeutil import iso, ts

router = APIRouter(tags=["reorder"])
_MANAGER = {403: {"model": ErrorOut, "description": "needs the manager role"}}
_CONFLICT = {409: {"model": ErrorOut, "description": "the suggestion or order is not in a state that allows it"}}
DECISION = {**NOT_FOUND, **_MANAGER, **_CONFLICT}
Id = Annotated[int, Path(ge=1, le=2**62)]
_run_lock = asyncio.Lock()


class SuggestionOut(BaseModel):
    id: int
    gtin: str
    name: str | None
    supplier: str
    state: Literal["proposed", "approved", "rejected", "ordered", "superseded"]
    suggested_quantity: int
    quantity: int
    pack_size: int
    order_by: str
    reason: str
    on_hand: int | None
    on_order: int
    reserved: int
    created: str
    decided_by: str | None
    decided_at: str | None
    note: str | None
    po_id: int | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: whole_number(1, 1_000_000) | None = Field(None, description="units; whole packs")
    note: str | None = Field(None, max_length=500)


class EditIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: whole_number(1, 1_000_000) = Field(description="units; whole packs")
    note: str | None = Field(None, max_length=500)


class RunOut(BaseModel):
    run_id: int
    skus: int
    suggestions: int
    seconds: float


class ForecastOut(BaseModel):
    gtin: str
    demand_class: str
    adi: float | None
    cv2: float | None
    model: str | None
    mase: float | None
    mean_daily: float
    protection_days: int
    demand_quantile: float
    service_level: float
    note: str


class ReservationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: whole_number(0, 1_000_000) = Field(description="units set aside")
    note: str = Field("", max_length=200)


class PoLine(BaseModel):
    gtin: str
    name: str | None
    quantity: int
    received: int
    pack_size: int | None


class PurchaseOrderOut(BaseModel):
    id: int
    supplier: str
    state: Literal["open", "received"]
    created: str
    created_by: str
    closed_at: str | None
    closed_by: str | None
    closed_via: str | None
    lines: list[PoLine]


class ReceiveLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    gtin: str = Field(pattern=GTIN_PATTERN)
    quantity: whole_number(0, 1_000_000) = Field(description="units received so far for this product")


class ReceiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    lines: list[ReceiveLine] = Field(default_factory=list, max_length=1000)
    from_dock: bool = Field(False, description="count the tags read at the dock since the order")
    close: bool = Field(False, description="close the order even if lines are short")


class PromotionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    gtin: str = Field(pattern=GTIN_PATTERN)
    first_day: date = Field(strict=False, description="first day of the promotion (the store's calendar)")
    last_day: date = Field(strict=False, description="last day, included")
    note: str = Field("", max_length=200, description="what the promotion is: '2 for 1', the flyer's name...")


class PromotionOut(BaseModel):
    id: int
    gtin: str
    name: str | None
    first_day: date
    last_day: date
    note: str
    created_by: str | None
    created: str


def _policy(hub: Hub) -> ReorderPolicy:
    return getattr(hub.config, "reorder", None) or ReorderPolicy()


def _suggestion(row: dict[str, Any]) -> SuggestionOut:
    return SuggestionOut(**{**row, "created": iso(row["created"]) or "", "decided_at": iso(row["decided_at"])})


def _po(po: dict[str, Any]) -> PurchaseOrderOut:
    return PurchaseOrderOut(**{**po, "created": iso(po["created"]) or "", "closed_at": iso(po["closed_at"]),
                               "lines": [PoLine(**line) for line in po["lines"]]})


def _fail(exc: orders.OrderError | promotions.PromotionError) -> HTTPException:
    return HTTPException(exc.status, str(exc))


def _promotion(row: dict[str, Any]) -> PromotionOut:
    return PromotionOut(**{**row, "created": iso(row["created"]) or ""})


def _today(hub: Hub) -> date:
    return datetime.fromtimestamp(ts(hub.clock.now()), getattr(hub.config, "zone", UTC)).date()


def _add_promotion(hub: Hub, staff: Manager, body: PromotionIn) -> PromotionOut:
    code = parse_gtin(body.gtin)
    if code not in hub.ingest.fusion.products:
        raise HTTPException(404, f"no product with GTIN {body.gtin} in the catalog")
    try:
        row = promotions.add(hub.db, code, body.first_day, body.last_day, body.note.strip(), staff.username,
                             ts(hub.clock.now()))
    except promotions.PromotionError as exc:
        raise _fail(exc) from None
    return _promotion(row)


async def run_now(hub: Hub, user: str | None) -> RunOut:
    """Forecast and suggest now; one run at a time."""
    if _run_lock.locked():
        raise HTTPException(409, "a reorder run is already going on")
    async with _run_lock:
        now = ts(hub.clock.now())
        policy = _policy(hub)
        fusion = hub.ingest.fusion
        zone = getattr(hub.config, "zone", UTC)
        inputs = planner.gather(hub.db, now, policy, lambda g: fusion.sku(g, now).on_hand, zone)
        plan = await asyncio.to_thread(planner.compute, inputs, policy)
        run_id = planner.save(hub.db, plan, now, user)
    return RunOut(run_id=run_id, skus=len(plan.lines), suggestions=len(plan.suggestions),
                  seconds=round(plan.seconds, 3))


@router.post("/api/reorder/run", response_model=RunOut,
             responses={409: {"model": ErrorOut, "description": "a run is already going on"}})
async def run(hub: Hub, staff: Staff) -> RunOut:
    """Forecast every product from its sales and propose orders; earlier undecided suggestions are superseded."""
    return await run_now(hub, staff.username)


@router.get("/api/reorder/suggestions", response_model=list[SuggestionOut])
async def list_suggestions(
    hub: Hub, staff: Staff,
    state: Annotated[Literal["proposed", "approved", "rejected", "ordered", "superseded", "all"], Query()] = "proposed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SuggestionOut]:
    rows = orders.suggestions(hub.db, None if state == "all" else state, limit, offset)
    return [_suggestion(r) for r in rows]


async def _decide(hub: Hub, staff: Manager, suggestion_id: int, action: str, quantity: int | None,
                  note: str | None) -> SuggestionOut:
    try:
        row = orders.decide(hub.db, suggestion_id, action, staff.username, ts(hub.clock.now()), quantity, note)
    except orders.OrderError as exc:
        raise _fail(exc) from None
    return _suggestion(row)


@router.post("/api/reorder/suggestions/{suggestion_id}/approve", response_model=SuggestionOut, responses=DECISION)
async def approve(suggestion_id: Id, hub: Hub, staff: Manager, body: DecisionIn | None = None) -> SuggestionOut:
    """Approve, optionally with another quantity (whole packs)."""
    body = body or DecisionIn()
    return await _decide(hub, staff, suggestion_id, "approve", body.quantity, body.note)


@router.post("/api/reorder/suggestions/{suggestion_id}/reject", response_model=SuggestionOut, responses=DECISION)
async def reject(suggestion_id: Id, hub: Hub, staff: Manager, body: DecisionIn | None = None) -> SuggestionOut:
    body = body or DecisionIn()
    return await _decide(hub, staff, suggestion_id, "reject", None, body.note)


@router.patch("/api/reorder/suggestions/{suggestion_id}", response_model=SuggestionOut, responses=DECISION)
async def edit(suggestion_id: Id, body: EditIn, hub: Hub, staff: Manager) -> SuggestionOut:
    """Change the quantity and leave the suggestion proposed."""
    return await _decide(hub, staff, suggestion_id, "edit", body.quantity, body.note)


@router.get("/api/reorder/forecasts/{gtin}", response_model=ForecastOut, responses=NOT_FOUND)
async def forecast_of(gtin: Gtin, hub: Hub, staff: Staff) -> dict[str, Any]:
    rows = list(hub.db.query("SELECT * FROM forecasts WHERE gtin = ?", [parse_gtin(gtin)]))
    if not rows:
        raise HTTPException(404, f"no forecast for {gtin} yet: POST /api/reorder/run")
    return rows[0]


@router.put("/api/reorder/reservations/{gtin}", status_code=204, responses={**NOT_FOUND, **_MANAGER})
async def reserve(gtin: Gtin, body: ReservationIn, hub: Hub, staff: Manager) -> None:
    """Units set aside (a customer's order): subtracted from the inventory position."""
    code = parse_gtin(gtin)
    if code not in hub.ingest.fusion.products:
        raise HTTPException(404, f"no product with GTIN {gtin} in the catalog")
    orders.set_reservation(hub.db, code, body.quantity, body.note, staff.username, ts(hub.clock.now()))


@router.get("/api/reorder/promotions", response_model=list[PromotionOut])
async def list_promotions(hub: Hub, staff: Staff,
                          past: Annotated[bool, Query(description="include promotions already over")] = False,
                          ) -> list[PromotionOut]:
    """The promotion calendar the forecasts read: planned and running promotions (and past ones on request)."""
    return [_promotion(r) for r in promotions.listing(hub.db, None if past else _today(hub))]


@router.post("/api/reorder/promotions", response_model=PromotionOut, status_code=201,
             responses={**NOT_FOUND, **_MANAGER})
async def add_promotion(body: PromotionIn, hub: Hub, staff: Manager) -> PromotionOut:
    """Enter a promotion, planned or past: the next run forecasts its days with the lift the product's earlier
    promotions showed."""
    return _add_promotion(hub, staff, body)


@router.delete("/api/reorder/promotions/{promotion_id}", status_code=204, responses={**NOT_FOUND, **_MANAGER})
async def remove_promotion(promotion_id: Id, hub: Hub, staff: Manager) -> None:
    try:
        promotions.remove(hub.db, promotion_id)
    except promotions.PromotionError as exc:
        raise _fail(exc) from None


@router.post("/api/purchase-orders", response_model=list[PurchaseOrderOut], responses=_MANAGER)
async def create_orders(hub: Hub, staff: Manager) -> list[PurchaseOrderOut]:
    """Turn the approved suggestions into one purchase order per supplier."""
    ids = orders.create_purchase_orders(hub.db, staff.username, ts(hub.clock.now()))
    return [_po(orders.purchase_order(hub.db, i)) for i in ids]


@router.get("/api/purchase-orders", response_model=list[PurchaseOrderOut])
async def list_orders(hub: Hub, staff: Staff,
                      state: Annotated[Literal["open", "received", "all"], Query()] = "all") -> list[PurchaseOrderOut]:
    return [_po(po) for po in orders.purchase_orders(hub.db, None if state == "all" else state)]


@router.get("/api/purchase-orders/{po_id}", response_model=PurchaseOrderOut, responses=NOT_FOUND)
async def get_order(po_id: Id, hub: Hub, staff: Staff) -> PurchaseOrderOut:
    try:
        return _po(orders.purchase_order(hub.db, po_id))
    except orders.OrderError as exc:
        raise _fail(exc) from None


@router.get("/api/purchase-orders/{po_id}/csv", response_class=PlainTextResponse, responses={
    **NOT_FOUND, 200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                       "description": "one line per product; cells a spreadsheet would run as formulas are quoted"}})
async def order_csv(po_id: Id, hub: Hub, staff: Staff) -> PlainTextResponse:
    try:
        text = orders.purchase_order_csv(hub.db, po_id)
    except orders.OrderError as exc:
        raise _fail(exc) from None
    return PlainTextResponse(text, media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="purchase-order-{po_id}.csv"'})


@router.post("/api/purchase-orders/{po_id}/receive", response_model=PurchaseOrderOut,
             responses={**NOT_FOUND, **_CONFLICT})
async def receive(po_id: Id, body: ReceiveIn, hub: Hub, staff: Staff) -> PurchaseOrderOut:
    """Record a delivery, by hand or from the tags read at the dock; a complete delivery closes the order."""
    lines = {parse_gtin(line.gtin): line.quantity for line in body.lines}
    try:
        po = orders.receive(hub.db, po_id, staff.username, ts(hub.clock.now()), lines, body.from_dock, body.close)
    except orders.OrderError as exc:
        raise _fail(exc) from None
    return _po(po)
