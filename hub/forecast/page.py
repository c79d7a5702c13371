"""The reorder page at ``/reorder``: a dashboard page (its frame, navigation and French/English labels)
whose actions are plain HTML forms, so it needs no script of its own under the dashboard's content policy.

Its forms do what the reorder API does, through the same actions (actions.py) and with the same roles; the
forms are read by forms.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from babel.dates import format_datetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.forecast import actions, forms, orders, promotions, wording
from hub.forecast.backtest import MIN_TRAIN_DAYS
from hub.forecast.responses import domain_errors
from hub.http.deps import Hub, Manager, Staff, current_staff
from hub.http.params import RowId, parse_gtin
from hub.i18n import number
from hub.i18n.catalog import locale
from hub.timeutil import ts
from hub.web.i18n import Translator, pick_language
from hub.web.render import render

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
    policy = actions.policy_of(hub)
    last = next(iter(hub.db.query("SELECT started, seconds, series FROM forecast_runs ORDER BY id DESC LIMIT 1")),
                None)
    lang = pick_language(request)
    last_run = None if last is None else {  # the date, time and decimals as the reader's language writes them
        "when": format_datetime(datetime.fromtimestamp(last["started"], zone), "short", locale=locale(lang)),
        "skus": last["series"], "seconds": number(round(last["seconds"], 1), lang)}
    purchase_orders = [{"id": po["id"], "supplier": po["supplier"],
                        "lines": ", ".join(f"{line['name'] or line['gtin']} × {line['quantity']}"
                                           for line in po["lines"])}
                       for po in orders.purchase_orders(hub.db, "open")]
    planned = [{**r, "name": r["name"] or r["gtin"]} for r in promotions.listing(hub.db, actions.today_of(hub))]
    catalog = [{"gtin": gtin, "name": name or gtin}
               for gtin, name in hub.db.execute("SELECT gtin, name FROM products ORDER BY name")]
    return render(request, "reorder.html", staff, "reorder", suggestions=_page_rows(hub, t), promotions=planned,
                  approved=len(orders.suggestions(hub.db, "approved")), purchase_orders=purchase_orders,
                  last_run=last_run, daily_at=policy.daily_at.strftime("%H:%M") if policy.run_daily else None,
                  zone=str(zone), history=sales_history(hub), catalog=catalog)


def sales_history(hub: Hub) -> dict[str, int]:
    """Whole past days of till sales the hub has (``have``), and how many the forecasts need to choose their
    method for a product (``needed``: the backtest's windows and the training before them; with fewer, a product
    gets a rough estimate, and one with few sales no suggestion)."""
    policy = actions.policy_of(hub)
    needed = policy.horizon_days * policy.backtest_windows + MIN_TRAIN_DAYS
    first = hub.db.execute("SELECT MIN(time) FROM sales").fetchone()[0]
    if first is None:
        return {"have": 0, "needed": needed}
    zone = getattr(hub.config, "zone", UTC)
    have = (actions.today_of(hub) - datetime.fromtimestamp(first, zone).date()).days
    return {"have": max(0, min(have, policy.history_days)), "needed": needed}


@router.post("/reorder/run", include_in_schema=False)
async def page_run(hub: Hub, staff: Staff) -> RedirectResponse:
    with domain_errors():
        await actions.run_now(hub, staff.username)
    return RedirectResponse("/reorder", status_code=303)


@router.post("/reorder/promotions", include_in_schema=False)
async def page_add_promotion(request: Request, hub: Hub, staff: Manager) -> RedirectResponse:
    form = await forms.read_form(request)
    if "product" in form:  # picked by name, or a GTIN typed or scanned
        form["gtin"] = forms.product_gtin(form["product"], hub.db.execute("SELECT gtin, name FROM products"))
    body = forms.promotion(form)
    code = parse_gtin(body.gtin)
    with domain_errors():
        actions.add_promotion(hub, staff.username, code, body)
    return RedirectResponse("/reorder#promotions", status_code=303)


@router.post("/reorder/promotions/{promotion_id}/delete", include_in_schema=False)
async def page_remove_promotion(promotion_id: RowId, hub: Hub, staff: Manager) -> RedirectResponse:
    with domain_errors():
        actions.remove_promotion(hub, promotion_id)
    return RedirectResponse("/reorder#promotions", status_code=303)


@router.post("/reorder/{suggestion_id}/{action}", include_in_schema=False)
async def page_decide(suggestion_id: RowId, action: Literal["approve", "reject"], request: Request, hub: Hub,
                      staff: Manager) -> RedirectResponse:
    quantity = forms.quantity(await forms.read_form(request))
    with domain_errors():
        actions.decide(hub, staff.username, suggestion_id, action, quantity, None)
    return RedirectResponse("/reorder", status_code=303)


@router.post("/reorder/purchase-orders", include_in_schema=False)
async def page_orders(hub: Hub, staff: Manager) -> RedirectResponse:
    orders.create_purchase_orders(hub.db, staff.username, ts(hub.clock.now()))
    return RedirectResponse("/reorder", status_code=303)
