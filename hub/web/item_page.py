"""``/items/<epc>``: one tagged item's movements; ``/items?gtin=``: a product's tagged items, each linking there.

Rendered by the server from the tag history (hub/inventory/tag_history.py):
the history does not change while one reads it, so the page needs no script.
Times are said in the shop's time zone and the reader's language (Babel).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub.http.deps import Hub
from hub.http.params import GTIN_PATTERN, parse_gtin
from hub.i18n.catalog import locale
from hub.inventory.tag_history import tag_events
from hub.web.i18n import pick_language
from hub.web.pages import _page_staff
from hub.web.render import render

router = APIRouter(include_in_schema=False)

#: Items listed per product, the most recently changed first.
MAX_ITEMS = 200
Epc = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Fa-f]+$",
                          description="the tag's EPC, hexadecimal")]


def _when(seconds: float, hub: Hub, lang: str) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, UTC), "short", tzinfo=hub.config.zone,
                           locale=locale(lang))


@router.get("/items/{epc}", response_class=HTMLResponse)
async def item_page(request: Request, hub: Hub, epc: Epc) -> Response:
    staff = _page_staff(request, hub)
    lang = pick_language(request)
    code = epc.upper()
    row = hub.db.execute(
        "SELECT i.gtin, i.serial, i.state, i.zone, i.since, p.name FROM items i "
        "LEFT JOIN products p ON p.gtin = i.gtin WHERE i.epc = ?", (code,)).fetchone()
    item: dict[str, Any] | None = None
    if row is not None:
        item = dict(zip(("gtin", "serial", "state", "zone", "since", "name"), row, strict=True))
        item["since_text"] = _when(item["since"], hub, lang)
    moves = [{"kind": m.kind.value, "when": _when(m.time, hub, lang), "zone": m.zone, "device": m.device}
             for m in tag_events(hub.db.conn, code)]
    return render(request, "item.html", staff, "products", epc=code, item=item, moves=moves,
                  retention_days=round(hub.config.tag_history.retention_days))


@router.get("/items", response_class=HTMLResponse)
async def items_page(request: Request, hub: Hub,
                     gtin: Annotated[str, Query(pattern=GTIN_PATTERN)]) -> Response:
    staff = _page_staff(request, hub)
    lang = pick_language(request)
    code = parse_gtin(gtin)
    name = hub.db.execute("SELECT name FROM products WHERE gtin = ?", (code,)).fetchone()
    items = [{"epc": epc, "state": state, "zone": zone, "since_text": _when(since, hub, lang)}
             for epc, state, zone, since in hub.db.execute(
                 "SELECT epc, state, zone, since FROM items WHERE gtin = ? ORDER BY since DESC LIMIT ?",
                 (code, MAX_ITEMS))]
    return render(request, "items.html", staff, "products", gtin=code, name=name[0] if name else None,
                  items=items, limit=MAX_ITEMS)
