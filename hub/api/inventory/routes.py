"""The staff inventory API: the catalog, a product's reorder point, fused figures per SKU and zone, one tag."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from hub.api.inventory import queries
from hub.api.inventory.models import Inventory, InventoryDetail, ItemOut, ProductOut, ReorderPointIn, ZoneCount
from hub.http.deps import Hub, Manager, Staff
from hub.http.errors import ErrorOut
from hub.http.params import NOT_FOUND, Gtin, Limit, Offset, Search, parse_gtin
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api", tags=["staff"])

_EPC = re.compile(r"^[0-9A-Fa-f]{4,124}$")


def _product(row: dict[str, Any]) -> ProductOut:
    return ProductOut(price_eur=row.pop("price_cents") / 100, **row)


@router.get("/products", response_model=list[ProductOut])
async def products(hub: Hub, staff: Staff, q: Search = None,
                   category: Annotated[str | None, Query(max_length=100)] = None,
                   limit: Limit = 100, offset: Offset = 0) -> list[ProductOut]:
    return [_product(r) for r in queries.product_rows(hub.db, q, category, limit, offset)]


@router.get("/products/{gtin}", response_model=ProductOut, responses=NOT_FOUND)
async def product(gtin: Gtin, hub: Hub, staff: Staff) -> ProductOut:
    row = queries.product_row(hub.db, parse_gtin(gtin))
    if row is None:
        raise HTTPException(404, f"no product with GTIN {gtin} in the catalog")
    return _product(row)


@router.put("/products/{gtin}/reorder-point", response_model=ProductOut,
            responses={**NOT_FOUND, 403: {"model": ErrorOut, "description": "needs the manager role"}})
async def set_reorder_point(gtin: Gtin, body: ReorderPointIn, hub: Hub, staff: Manager) -> ProductOut:
    """Set a product's reorder point by hand (null: computed from sales again)."""
    code = parse_gtin(gtin)
    product = hub.ingest.fusion.products.get(code)
    if product is None:
        raise HTTPException(404, f"no product with GTIN {gtin} in the catalog")
    with hub.db.conn:
        hub.db.conn.execute("UPDATE products SET reorder_point=? WHERE gtin=?", (body.reorder_point, code))
        product.reorder_point = body.reorder_point
        hub.ingest.alerts.evaluate_sku(code, ts(hub.clock.now()))
    hub.ingest.publish_pending()
    return _product(queries.product_row(hub.db, code) or {})


@router.get("/inventory", response_model=list[Inventory])
async def inventory(
    hub: Hub, staff: Staff, q: Search = None,
    flag: Annotated[Literal["misplaced_or_hidden", "untagged_or_unreadable", "shelf_view_blocked"] | None,
                    Query(description="only SKUs with this disagreement")] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Per SKU: on hand, backroom, floor, shelf, each with source, age and confidence."""
    gtins = queries.known_gtins(hub, q)
    if flag:
        views = (queries.sku_view(hub, g) for g in gtins)
        return [v for v in views if flag in v["flags"]][offset:offset + limit]
    return [queries.sku_view(hub, g) for g in gtins[offset:offset + limit]]


@router.get("/inventory/zones", response_model=list[ZoneCount])
async def inventory_zones(hub: Hub, staff: Staff) -> list[ZoneCount]:
    """Tagged items per zone and state."""
    zones = hub.ingest.fusion.zones
    return [ZoneCount(zone=z, kind=zones.get(z), states=s) for z, s in queries.items_by_zone(hub.db).items()]


@router.get("/inventory/{gtin}", response_model=InventoryDetail, responses=NOT_FOUND)
async def inventory_one(gtin: Gtin, hub: Hub, staff: Staff) -> dict[str, Any]:
    code = parse_gtin(gtin)
    if not queries.is_known(hub, code):
        raise HTTPException(404, f"the hub knows nothing of GTIN {gtin}")
    view = queries.sku_view(hub, code)
    view["zones"], view["snapshots"] = queries.items_by_zone(hub.db, code), queries.snapshot_counts(hub.db, code)
    return view


@router.get("/items/{epc}", response_model=ItemOut, responses=NOT_FOUND)
async def item(epc: Annotated[str, Path(pattern=_EPC.pattern, description="4-124 hexadecimal digits")], hub: Hub,
               staff: Staff) -> ItemOut:
    code = epc.upper()
    found = hub.ingest.fusion.items.get(code)
    if found is None:
        raise HTTPException(404, f"no tag {code} has been seen")
    product = hub.ingest.fusion.products.get(found.gtin or "")
    return ItemOut(epc=code, gtin=found.gtin, name=product.name if product else None, serial=found.serial,
                   state=found.state, zone=found.zone, since=iso(found.since) or "",
                   last_seen=iso(found.last_seen) or "", paid=found.paid)
