"""The reorder JSON API: run the forecasts, decide on suggestions, purchase orders and deliveries, promotions
(the page: page.py; the bodies and answers: schemas.py).

Staff only (the hub's session dependency); decisions, orders, promotions and
reservations need a manager. The forecasting itself runs in a worker thread
(runs.py); the database is read and written on the event loop's thread, as
everywhere in the hub. Domain errors become HTTP answers here, at the edge.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from hub.forecast import actions, orders, promotions
from hub.forecast.responses import CONFLICT, DECISION, RUN_GOING, domain_errors
from hub.forecast.schemas import (
    DecisionIn,
    EditIn,
    ForecastOut,
    PromotionIn,
    PromotionOut,
    PurchaseOrderOut,
    ReceiveIn,
    ReservationIn,
    RunOut,
    SuggestionOut,
    promotion_out,
    purchase_order_out,
    suggestion_out,
)
from hub.http.deps import Hub, Manager, Staff
from hub.http.errors import MANAGER_ONLY
from hub.http.params import NOT_FOUND, Gtin, Offset, RowId, parse_gtin
from hub.timeutil import ts

router = APIRouter(tags=["reorder"])


@router.post("/api/reorder/run", response_model=RunOut, responses=RUN_GOING)
async def run(hub: Hub, staff: Staff) -> RunOut:
    """Forecast every product from its sales and propose orders; earlier undecided suggestions are superseded."""
    with domain_errors():
        summary = await actions.run_now(hub, staff.username)
    return RunOut(run_id=summary.run_id, skus=summary.skus, suggestions=summary.suggestions, seconds=summary.seconds)


@router.get("/api/reorder/suggestions", response_model=list[SuggestionOut])
async def list_suggestions(
    hub: Hub, staff: Staff,
    state: Annotated[Literal["proposed", "approved", "rejected", "ordered", "superseded", "all"], Query()] = "proposed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0,
) -> list[SuggestionOut]:
    rows = orders.suggestions(hub.db, None if state == "all" else state, limit, offset)
    return [suggestion_out(r) for r in rows]


async def _decide(hub: Hub, staff: Manager, suggestion_id: int, action: str, quantity: int | None,
                  note: str | None) -> SuggestionOut:
    with domain_errors():
        return suggestion_out(actions.decide(hub, staff.username, suggestion_id, action, quantity, note))


@router.post("/api/reorder/suggestions/{suggestion_id}/approve", response_model=SuggestionOut, responses=DECISION)
async def approve(suggestion_id: RowId, hub: Hub, staff: Manager, body: DecisionIn | None = None) -> SuggestionOut:
    """Approve, optionally with another quantity (whole packs)."""
    body = body or DecisionIn()
    return await _decide(hub, staff, suggestion_id, "approve", body.quantity, body.note)


@router.post("/api/reorder/suggestions/{suggestion_id}/reject", response_model=SuggestionOut, responses=DECISION)
async def reject(suggestion_id: RowId, hub: Hub, staff: Manager, body: DecisionIn | None = None) -> SuggestionOut:
    body = body or DecisionIn()
    return await _decide(hub, staff, suggestion_id, "reject", None, body.note)


@router.patch("/api/reorder/suggestions/{suggestion_id}", response_model=SuggestionOut, responses=DECISION)
async def edit(suggestion_id: RowId, body: EditIn, hub: Hub, staff: Manager) -> SuggestionOut:
    """Change the quantity and leave the suggestion proposed."""
    return await _decide(hub, staff, suggestion_id, "edit", body.quantity, body.note)


@router.get("/api/reorder/forecasts/{gtin}", response_model=ForecastOut, responses=NOT_FOUND)
async def forecast_of(gtin: Gtin, hub: Hub, staff: Staff) -> dict[str, Any]:
    rows = list(hub.db.query("SELECT * FROM forecasts WHERE gtin = ?", [parse_gtin(gtin)]))
    if not rows:
        raise HTTPException(404, f"no forecast for {gtin} yet: POST /api/reorder/run")
    return rows[0]


@router.put("/api/reorder/reservations/{gtin}", status_code=204, responses={**NOT_FOUND, **MANAGER_ONLY})
async def reserve(gtin: Gtin, body: ReservationIn, hub: Hub, staff: Manager) -> None:
    """Units set aside (a customer's order): subtracted from the inventory position."""
    code = parse_gtin(gtin)
    with domain_errors():
        actions.require_product(hub, code, gtin)
    orders.set_reservation(hub.db, code, body.quantity, body.note, staff.username, ts(hub.clock.now()))


@router.get("/api/reorder/promotions", response_model=list[PromotionOut])
async def list_promotions(hub: Hub, staff: Staff,
                          past: Annotated[bool, Query(description="include promotions already over")] = False,
                          ) -> list[PromotionOut]:
    """The promotion calendar the forecasts read: planned and running promotions (and past ones on request)."""
    return [promotion_out(r) for r in promotions.listing(hub.db, None if past else actions.today_of(hub))]


@router.post("/api/reorder/promotions", response_model=PromotionOut, status_code=201,
             responses={**NOT_FOUND, **MANAGER_ONLY})
async def add_promotion(body: PromotionIn, hub: Hub, staff: Manager) -> PromotionOut:
    """Enter a promotion, planned or past: the next run forecasts its days with the lift the product's earlier
    promotions showed."""
    code = parse_gtin(body.gtin)
    with domain_errors():
        return promotion_out(actions.add_promotion(hub, staff.username, code, body))


@router.delete("/api/reorder/promotions/{promotion_id}", status_code=204, responses={**NOT_FOUND, **MANAGER_ONLY})
async def remove_promotion(promotion_id: RowId, hub: Hub, staff: Manager) -> None:
    with domain_errors():
        actions.remove_promotion(hub, promotion_id)


@router.post("/api/purchase-orders", response_model=list[PurchaseOrderOut], responses=MANAGER_ONLY)
async def create_orders(hub: Hub, staff: Manager) -> list[PurchaseOrderOut]:
    """Turn the approved suggestions into one purchase order per supplier."""
    ids = orders.create_purchase_orders(hub.db, staff.username, ts(hub.clock.now()))
    return [purchase_order_out(orders.purchase_order(hub.db, i)) for i in ids]


@router.get("/api/purchase-orders", response_model=list[PurchaseOrderOut])
async def list_orders(hub: Hub, staff: Staff,
                      state: Annotated[Literal["open", "received", "all"], Query()] = "all") -> list[PurchaseOrderOut]:
    return [purchase_order_out(po) for po in orders.purchase_orders(hub.db, None if state == "all" else state)]


@router.get("/api/purchase-orders/{po_id}", response_model=PurchaseOrderOut, responses=NOT_FOUND)
async def get_order(po_id: RowId, hub: Hub, staff: Staff) -> PurchaseOrderOut:
    with domain_errors():
        return purchase_order_out(orders.purchase_order(hub.db, po_id))


@router.get("/api/purchase-orders/{po_id}/csv", response_class=PlainTextResponse, responses={
    **NOT_FOUND, 200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                       "description": "one line per product; cells a spreadsheet would run as formulas are quoted"}})
async def order_csv(po_id: RowId, hub: Hub, staff: Staff) -> PlainTextResponse:
    with domain_errors():
        text = orders.purchase_order_csv(hub.db, po_id)
    return PlainTextResponse(text, media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="purchase-order-{po_id}.csv"'})


@router.post("/api/purchase-orders/{po_id}/receive", response_model=PurchaseOrderOut,
             responses={**NOT_FOUND, **CONFLICT})
async def receive(po_id: RowId, body: ReceiveIn, hub: Hub, staff: Staff) -> PurchaseOrderOut:
    """Record a delivery, by hand or from the tags read at the dock; a complete delivery closes the order."""
    lines = {parse_gtin(line.gtin): line.quantity for line in body.lines}
    with domain_errors():
        po = orders.receive(hub.ingest.fusion, po_id, staff.username, staff.role, ts(hub.clock.now()), lines,
                            body.from_dock, body.close)
    return purchase_order_out(po)
