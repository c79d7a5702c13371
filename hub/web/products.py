"""The products page's list: the catalog searched with accents and case folded, sorted, in pages, with a total
and each price written by Babel in the reader's language (``/api/dashboard/products``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from hub.api.inventory.queries import matching_rows
from hub.http.deps import Hub, Staff
from hub.http.params import Search
from hub.i18n import money
from hub.timeutil import ts
from hub.web.i18n import pick_language
from hub.web.models import ProductPage

router = APIRouter(prefix="/api", tags=["dashboard"])

Sort = Literal["name", "-name", "price", "-price", "on_hand", "-on_hand"]


@router.get("/dashboard/products", response_model=ProductPage)
async def product_list(request: Request, hub: Hub, staff: Staff, q: Search = None, sort: Sort = "name",
                       limit: Annotated[int, Query(ge=1, le=200)] = 50,
                       offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
    """One page of the catalog rows matching ``q``, and how many match in all."""
    lang = pick_language(request)
    rows = matching_rows(hub.db, q, "gtin, name, brand, category, price_cents")
    now = ts(hub.clock.now())
    fusion = hub.ingest.fusion
    key = sort.lstrip("-")
    if key == "on_hand":  # figures are needed for every match to sort by them
        for row in rows:
            row["view"] = fusion.sku(row["gtin"], now).as_json()
        rows.sort(key=lambda r: (r["view"]["on_hand"] is None, r["view"]["on_hand"] or 0, r["name"] or ""),
                  reverse=sort.startswith("-"))
    elif key == "price":
        rows.sort(key=lambda r: (r["price_cents"], r["name"] or ""), reverse=sort.startswith("-"))
    elif sort.startswith("-"):
        rows.reverse()
    page = rows[offset:offset + limit]
    items = []
    for row in page:
        view = row.get("view") or fusion.sku(row["gtin"], now).as_json()
        items.append({"gtin": row["gtin"], "name": row["name"], "brand": row["brand"], "category": row["category"],
                      "price_cents": row["price_cents"], "price_text": money(row["price_cents"], lang),
                      "on_hand": view["on_hand"], "backroom": view["backroom"]["units"],
                      "shelf": view["shelf"]["units"]})
    return {"total": len(rows), "offset": offset, "limit": limit, "sort": sort, "items": items}
