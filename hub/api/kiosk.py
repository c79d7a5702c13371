"""Public kiosk endpoints: read-only, rate-limited, product-level only.

A customer sees a product's price, place and whether it is available; never
item counts, tags, devices, alerts or staff data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from hub.api.deps import Hub, kiosk_limit
from hub.api.models import KioskProduct
from hub.api.staff import _like, parse_gtin
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api/kiosk", tags=["kiosk (public)"], dependencies=[kiosk_limit])

#: At or below this many units on hand, the kiosk says "low" rather than "in stock".
LOW_STOCK_UNITS = 3


def _kiosk_product(hub: Hub, row: dict) -> KioskProduct:
    now = ts(hub.clock.now())
    view = hub.ingest.fusion.sku(row["gtin"], now)
    on_hand = view["on_hand"]
    if on_hand is None:
        availability = "unknown"
    elif on_hand == 0:
        availability = "out_of_stock"
    elif on_hand <= LOW_STOCK_UNITS:
        availability = "low"
    else:
        availability = "in_stock"
    ages = [a for a in (view["backroom"]["age_s"], view["shelf"]["age_s"]) if a is not None]
    return KioskProduct(gtin=row["gtin"], name=row["name"], brand=row["brand"], category=row["category"],
                        price_eur=row["price_cents"] / 100, aisle=row["aisle"], shelf=row["shelf"],
                        availability=availability, as_of=iso(now - min(ages)) if ages else None)


_SQL = "SELECT gtin, name, brand, category, price_cents, aisle, shelf FROM products"


@router.get("/products", response_model=list[KioskProduct])
async def search(hub: Hub, q: Annotated[str, Query(min_length=1, max_length=100)],
                 limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[KioskProduct]:
    """Products whose name, brand or category contains the words of ``q``."""
    words = q.split()[:5]
    where = " AND ".join(["(name LIKE ? ESCAPE '\\' OR brand LIKE ? ESCAPE '\\' OR category LIKE ? ESCAPE '\\')"]
                         * len(words))
    args = [a for w in words for a in (_like(w),) * 3]
    rows = hub.db.query(f"{_SQL} WHERE {where} ORDER BY name LIMIT ?", [*args, limit])
    return [_kiosk_product(hub, r) for r in rows]


@router.get("/products/{gtin}", response_model=KioskProduct)
async def one(gtin: str, hub: Hub) -> KioskProduct:
    rows = list(hub.db.query(f"{_SQL} WHERE gtin = ?", [parse_gtin(gtin)]))
    if not rows:
        raise HTTPException(404, f"no product with GTIN {gtin}")
    return _kiosk_product(hub, rows[0])
