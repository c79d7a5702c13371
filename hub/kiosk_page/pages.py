"""Serves the kiosk page, its privacy page and their two static files. No sign-in, no cookies.

The pages are plain HTML and a small script: everything the customer sees
from the hub is put on screen as text (``textContent``), never as HTML. The
page's words are the ``kiosk_page.*`` messages of the hub's catalog
(``hub.i18n``): rendered into the page in French, and every language's given
to the script as a JSON data block (not code, so the strict policy holds).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hub.i18n import DEFAULT_LANGUAGE, messages, translate

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
PREFIX = "kiosk_page."
#: The languages the assistant answers in (``hub.assistant.language.Lang``): a language the catalog has but the
#: assistant cannot detect and answer in is not offered on the kiosk.
LANGUAGES = ("fr", "en")
_templates = Environment(loader=FileSystemLoader(HERE), autoescape=select_autoescape(["html"]))


@cache
def _texts_json() -> str:
    """Every language's page words for the script, as JSON that cannot end its ``<script>`` element."""
    texts = {lang: {code.removeprefix(PREFIX): text for code, text in messages(lang).items()
                    if code.startswith(PREFIX)} for lang in LANGUAGES}
    return json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")


@router.get("/kiosk")
async def kiosk_page(request: Request) -> HTMLResponse:
    """The page, told the shop's time zone so that cards say times as the answers do."""
    zone = request.app.state.hub.config.kiosk.timezone
    lang = DEFAULT_LANGUAGE
    html = _templates.get_template("kiosk.html").render(
        lang=lang, zone=_attribute(zone), languages=LANGUAGES, texts_json=_texts_json(),
        language_names={code: translate(f"lang_{code}", code) for code in LANGUAGES},
        t=lambda code: translate(PREFIX + code, lang))
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
