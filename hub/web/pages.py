"""The staff pages: sign-in, store map, alerts, products, devices, and the language switch.

Pages are server-rendered shells (Jinja2) with translated labels; small
scripts in ``static/`` fill them from /api and keep them live from the
event stream. A visitor without a valid session is sent to the sign-in page.
"""

from __future__ import annotations

import json
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from hub.api.deps import Hub, session_token
from hub.api.staff import Gtin, parse_gtin
from hub.auth import Session, session_for
from hub.timeutil import ts
from hub.web.i18n import LANG_COOKIE, LANGUAGES, Translator, pick_language

router = APIRouter(include_in_schema=False)

#: The pages load nothing from elsewhere: scripts, styles and data come from the hub itself.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")

#: Labels the scripts need, sent with each page (the rest is rendered by the server).
SCRIPT_KEYS = (
    "live", "reconnecting", "state_ok", "state_low", "state_empty", "state_occluded", "state_no_data",
    "source_camera", "source_scale", "source_rfid", "source_shelf", "ago_unknown", "acknowledge", "resolve",
    "acknowledged_by", "resolved_by",
    "resolved_auto", "raised", "no_alerts", "units_of", "none", "online", "offline", "unknown", "failed",
    "sev_critical", "sev_warning", "sev_info", "chart_on_hand", "chart_backroom", "chart_shelf", "chart_sales",
    "no_results", "slot_label", "kind_shelf_empty_backroom_stock", "kind_out_of_stock", "kind_below_reorder_point",
    "kind_unpaid_item_exit", "kind_device_offline", "kind_device_silent", "kind_messages_lost", "per_min",
    "confidence", "chart_summary", "flag_misplaced_or_hidden", "flag_untagged_or_unreadable", "flag_shelf_view_blocked",
)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: the switch and sign-in never redirect away.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    ``/<tab>/evil.example`` or ``/\\evil.example`` would become ``//evil.example``, another site:
    any control character or backslash is refused, as is a path that does not start with one slash.
    """
    if (not target or not target.startswith("/") or target.startswith("//")
            or any(c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target)):
        return "/map"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/map"
    return target


def current_staff(request: Request, hub: Any) -> Session | None:
    token = session_token(request)
    return session_for(hub.db, token, ts(hub.clock.now())) if token else None


def _page_staff(request: Request, hub: Hub) -> Session:
    staff = current_staff(request, hub)
    if staff is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "sign in first", headers={"Location": f"/signin?next={quote(target, safe='/')}"})
    return staff


def render(request: Request, template: str, staff: Session | None, page: str, **context: Any) -> HTMLResponse:
    lang = pick_language(request)
    t = Translator(lang)
    labels = {key: t(key) for key in SCRIPT_KEYS}
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = templates.TemplateResponse(request, template, {
        "t": t, "lang": lang, "languages": LANGUAGES, "staff": staff, "page": page, "here": here,
        "labels_json": json.dumps(labels, ensure_ascii=False).replace("</", "<\\/"), **context,
    })
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@router.get("/", response_class=RedirectResponse)
async def home() -> RedirectResponse:
    return RedirectResponse("/map", status_code=303)


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(request: Request, hub: Hub,
                      next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    target = _safe_next(next)
    if current_staff(request, hub) is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, "signin.html", None, "signin", next_url=target)


@router.get("/lang/{code}", response_class=RedirectResponse)
async def switch_language(code: str, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if code not in LANGUAGES:
        raise HTTPException(404, f"no language {code!r}; choose one of {', '.join(LANGUAGES)}")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/map", response_class=HTMLResponse)
async def map_page(request: Request, hub: Hub) -> Response:
    return render(request, "map.html", _page_staff(request, hub), "map")


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(request: Request, hub: Hub) -> Response:
    return render(request, "alerts.html", _page_staff(request, hub), "alerts")


@router.get("/products", response_class=HTMLResponse)
async def products_page(request: Request, hub: Hub,
                        q: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    return render(request, "products.html", _page_staff(request, hub), "products", q=q or "")


@router.get("/products/{gtin}", response_class=HTMLResponse)
async def product_page(request: Request, hub: Hub, gtin: Gtin) -> Response:
    staff = _page_staff(request, hub)
    code = parse_gtin(gtin)
    row = hub.db.execute("SELECT name, brand, category, aisle, shelf FROM products WHERE gtin=?", (code,)).fetchone()
    product = dict(zip(("name", "brand", "category", "aisle", "shelf"), row, strict=True)) if row else None
    return render(request, "product.html", staff, "products", gtin=code, product=product)


@router.get("/devices", response_class=HTMLResponse)
async def devices_page(request: Request, hub: Hub) -> Response:
    return render(request, "devices.html", _page_staff(request, hub), "devices")

