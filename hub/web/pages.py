"""The staff pages: sign-in, store map, alerts, products, devices, and the language switch.

Pages are server-rendered shells (Jinja2) with translated labels; small
scripts in ``static/`` fill them from /api and keep them live from the
event stream. A visitor without a valid session is sent to the sign-in page.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.auth import Session
from hub.http.deps import Hub, current_staff
from hub.http.params import Gtin, parse_gtin
from hub.i18n import money
from hub.web.i18n import LANG_COOKIE, LANGUAGES, pick_language
from hub.web.render import render

router = APIRouter(include_in_schema=False)


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


def _page_staff(request: Request, hub: Hub) -> Session:
    staff = current_staff(request, hub)
    if staff is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "sign in first", headers={"Location": f"/signin?next={quote(target, safe='/')}"})
    return staff


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
                        q: Annotated[str | None, Query(max_length=100)] = None,
                        sort: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return render(request, "products.html", _page_staff(request, hub), "products", q=q or "", sort=sort or "name")


@router.get("/products/{gtin}", response_class=HTMLResponse)
async def product_page(request: Request, hub: Hub, gtin: Gtin) -> Response:
    staff = _page_staff(request, hub)
    code = parse_gtin(gtin)
    columns = ("name", "brand", "category", "aisle", "shelf", "price_cents")
    row = hub.db.execute(f"SELECT {', '.join(columns)} FROM products WHERE gtin=?", (code,)).fetchone()
    product = dict(zip(columns, row, strict=True)) if row else None
    if product:
        product["price"] = money(product["price_cents"], pick_language(request))
    return render(request, "product.html", staff, "products", gtin=code, product=product)


@router.get("/devices", response_class=HTMLResponse)
async def devices_page(request: Request, hub: Hub) -> Response:
    return render(request, "devices.html", _page_staff(request, hub), "devices")

