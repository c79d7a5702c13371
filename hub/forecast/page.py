"""The reorder page at ``/reorder``: a dashboard page (its frame, navigation and French/English labels)
whose actions are plain HTML forms, so it needs no script of its own under the dashboard's content policy.

Its forms do what the reorder API does (api.py), with the same roles.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from hub.api.deps import Hub, Manager, Staff
from hub.forecast import orders, promotions, wording
from hub.forecast.api import Id, PromotionIn, _add_promotion, _decide, _policy, _today, remove_promotion, run_now
from hub.timeutil import ts
from hub.web.i18n import Translator, pick_language
from hub.web.pages import current_staff, render

router = APIRouter(tags=["reorder"], include_in_schema=False)


def _page_rows(hub: Hub, t: Any) -> list[dict[str, Any]]:
    """Proposed suggestions with their reason in the page's language (the stored English one for older rows)."""
    rows = []
    for r in orders.suggestions(hub.db, "proposed"):
        text, notes, translated = wording.for_reader(r, t)
        rows.append({**r, "name": r["name"] or r["gtin"], "reason": text, "notes": notes, "translated": translated,
                     "notes_translated": translated})
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
    return render(request, "reorder.html", staff, "reorder", suggestions=_page_rows(hub, t), promotions=planned,
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
