"""Reorder API and page: run the forecasts, decide on suggestions, purchase orders and deliveries.

Staff only (the hub's session dependency). The forecasting itself runs in a
worker thread; the database is read and written on the event loop's thread,
as everywhere in the hub. The page at ``/reorder`` is a dashboard page (its
frame, navigation and French/English labels) whose actions are plain HTML
forms, so it needs no script of its own under the dashboard's content policy.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.api.deps import Hub, Manager, Staff
from hub.api.models import ErrorOut, whole_number
from hub.api.staff import GTIN_PATTERN, NOT_FOUND, Gtin, parse_gtin
from hub.forecast import orders, planner, promotions, wording
from hub.forecast.policy import ReorderPolicy, arrival
from hub.timeutil import iso, ts
from hub.web.i18n import Translator, pick_language
from hub.web.pages import current_staff, render

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
        inputs = planner.gather(hub.db, now, policy, lambda g: fusion.sku(g, now)["on_hand"], zone)
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


# -- the page -------------------------------------------------------------------------------------------------

def _page_rows(hub: Hub, t: Any, zone: Any) -> list[dict[str, Any]]:
    """Proposed suggestions with their reason in the page's language (the stored English one if it cannot be)."""
    policy = _policy(hub)
    facts = {r["gtin"]: r for r in hub.db.query(
        "SELECT f.gtin, f.mean_daily, f.protection_days, f.demand_quantile, f.service_level, p.lead_time_days "
        "FROM forecasts f JOIN products p ON p.gtin = f.gtin")}
    rows = []
    for r in orders.suggestions(hub.db, "proposed"):
        stored, text, notes, translated, notes_translated = r["reason"], r["reason"], "", False, False
        f = facts.get(r["gtin"])
        if f is not None:
            today = datetime.fromtimestamp(r["created"], zone).date()
            _, _, working = policy.terms(r["supplier"])
            lead = int(f["lead_time_days"])
            reason_facts = wording.ReasonFacts(
                today=today, rate=f["mean_daily"], lead_days=lead, arrives=arrival(today, lead, working),
                on_hand=max(int(r["on_hand"] or 0), 0), on_order=r["on_order"], reserved=r["reserved"],
                quantity=r["suggested_quantity"], pack_size=r["pack_size"], order_by=date.fromisoformat(r["order_by"]),
                protection_days=f["protection_days"], level=f["service_level"], target=f["demand_quantile"])
            english = wording.reason(reason_facts, Translator("en"))
            if stored.startswith(english):  # the same figures as the run's: safe to say in the reader's words
                text, translated = wording.reason(reason_facts, t), True
                notes = stored[len(english):].strip().removeprefix("(").removesuffix(")")
                if notes and (said := wording.notes(notes, t)) is not None:
                    notes, notes_translated = said, True
        rows.append({**r, "name": r["name"] or r["gtin"], "reason": text, "notes": notes, "translated": translated,
                     "notes_translated": notes_translated})
    return rows


@router.get("/reorder", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, hub: Hub) -> Response:
    """The staff page, in the dashboard's frame and language (plain forms: no script of its own)."""
    staff = current_staff(request, hub)
    if staff is None:  # a person at a browser: to the sign-in page, and back here after
        return RedirectResponse("/signin?next=/reorder", status_code=303)
    t = Translator(pick_language(request))
    zone = getattr(hub.config, "zone", UTC)
    policy = _policy(hub)
    last = next(iter(hub.db.query("SELECT started, seconds, series FROM forecast_runs ORDER BY id DESC LIMIT 1")),
                None)
    last_run = None if last is None else {
        "when": datetime.fromtimestamp(last["started"], zone).strftime("%Y-%m-%d %H:%M"), "skus": last["series"],
        "seconds": f"{last['seconds']:.1f}"}
    purchase_orders = [{"id": po["id"], "supplier": po["supplier"],
                        "lines": ", ".join(f"{line['name'] or line['gtin']} × {line['quantity']}"
                                           for line in po["lines"])}
                       for po in orders.purchase_orders(hub.db, "open")]
    planned = [{**r, "name": r["name"] or r["gtin"]} for r in promotions.listing(hub.db, _today(hub))]
    return render(request, "reorder.html", staff, "reorder", suggestions=_page_rows(hub, t, zone), promotions=planned,
                  approved=len(orders.suggestions(hub.db, "approved")), purchase_orders=purchase_orders,
                  last_run=last_run, daily_at=policy.daily_at.strftime("%H:%M") if policy.run_daily else None,
                  zone=str(zone))


@router.post("/reorder/run", include_in_schema=False)
async def page_run(hub: Hub, staff: Staff) -> RedirectResponse:
    await run_now(hub, staff.username)
    return RedirectResponse("/reorder", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    """A page's urlencoded form (read without python-multipart): each field's first value, stripped."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace")[:2000])
    return {name: values[0].strip() for name, values in fields.items() if values}


@router.post("/reorder/promotions", include_in_schema=False)
async def page_add_promotion(request: Request, hub: Hub, staff: Manager) -> RedirectResponse:
    form = await _form(request)

    def field(name: str) -> str:
        return form.get(name, "")

    days = {}
    for name in ("first_day", "last_day"):
        try:
            days[name] = date.fromisoformat(field(name))
        except ValueError:
            raise HTTPException(422, f"{name}: {field(name)!r} is not a date (YYYY-MM-DD)") from None
    try:
        body = PromotionIn(gtin=field("gtin"), note=field("note")[:200], **days)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise HTTPException(422, f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}") from None
    _add_promotion(hub, staff, body)
    return RedirectResponse("/reorder#promotions", status_code=303)


@router.post("/reorder/promotions/{promotion_id}/delete", include_in_schema=False)
async def page_remove_promotion(promotion_id: Id, hub: Hub, staff: Manager) -> RedirectResponse:
    await remove_promotion(promotion_id, hub, staff)
    return RedirectResponse("/reorder#promotions", status_code=303)


@router.post("/reorder/{suggestion_id}/{action}", include_in_schema=False)
async def page_decide(suggestion_id: Id, action: Literal["approve", "reject"], request: Request, hub: Hub,
                      staff: Manager) -> RedirectResponse:
    text = (await _form(request)).get("quantity", "")
    if text and not text.isdigit():
        raise HTTPException(422, f"quantity: {text!r} is not a whole number")
    await _decide(hub, staff, suggestion_id, action, int(text) if text else None, None)
    return RedirectResponse("/reorder", status_code=303)


@router.post("/reorder/purchase-orders", include_in_schema=False)
async def page_orders(hub: Hub, staff: Manager) -> RedirectResponse:
    orders.create_purchase_orders(hub.db, staff.username, ts(hub.clock.now()))
    return RedirectResponse("/reorder", status_code=303)
