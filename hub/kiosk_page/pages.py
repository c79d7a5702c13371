"""Serves the kiosk page, its privacy page and their two static files. No sign-in, no cookies.

The pages are plain HTML and a small script: everything the customer sees
from the hub is put on screen as text (``textContent``), never as HTML.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

HERE = Path(__file__).parent
STATIC = {"kiosk.js": "text/javascript", "kiosk.css": "text/css"}
#: Strict: only this page's own script and style; nothing from elsewhere, no inline script.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(tags=["kiosk pages"], include_in_schema=False)


@router.get("/kiosk")
async def kiosk_page(request: Request) -> HTMLResponse:
    """The page, told the shop's time zone so that cards say times as the answers do."""
    zone = request.app.state.hub.config.kiosk.timezone
    html = (HERE / "kiosk.html").read_text(encoding="utf-8").replace("{{SHOP_TIMEZONE}}", _attribute(zone))
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def _attribute(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c in "/_+-")


@router.get("/kiosk/privacy")
async def privacy_page() -> FileResponse:
    return FileResponse(HERE / "privacy.html", media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/kiosk/static/{name}")
async def static(name: str) -> FileResponse:
    if name not in STATIC:
        raise HTTPException(404, "no such file")
    return FileResponse(HERE / "static" / name, media_type=STATIC[name], headers=SECURITY_HEADERS)
