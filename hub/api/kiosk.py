"""Public kiosk endpoints: read-only, rate-limited, product-level only.

A customer sees a product's price, place and whether it is available; never
item counts, tags, devices, alerts or staff data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from hub.api.deps import Hub, kiosk_limit
from hub.api.models import ErrorOut, KioskProduct
from hub.api.staff import NOT_FOUND, Gtin, _like, parse_gtin
from hub.timeutil import iso, ts

#: Every public answer may be a 429 (the per-address budget, with Retry-After).
RATE_LIMITED = {429: {"model": ErrorOut, "description": "too many requests from this address; see Retry-After"}}
router = APIRouter(prefix="/api/kiosk", tags=["kiosk (public)"], dependencies=[kiosk_limit], responses=RATE_LIMITED)

#: At or below this many units on hand, the kiosk says "low" rather than "in stock".
LOW_STOCK_UNITS = 3


def _kiosk_product(hub: Hub, row: dict) -> KioskProduct:
    now = ts(hub.clock.now())
    view = hub.ingest.fusion.sku(row["gtin"], now).as_json()
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
async def search(hub: Hub, q: Annotated[str, Query(min_length=1, max_length=100, pattern=r"\S",
                                                  description="words to find; at least one non-space character")],
                 limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[KioskProduct]:
    """Products whose name, brand or category contains the words of ``q`` (only spaces: 422, by the pattern)."""
    words = q.split()[:5]
    if not words:  # a space the pattern does not see (Unicode): nothing to look for
        return []
    where = " AND ".join(["(name LIKE ? ESCAPE '\\' OR brand LIKE ? ESCAPE '\\' OR category LIKE ? ESCAPE '\\')"]
                         * len(words))
    args = [a for w in words for a in (_like(w),) * 3]
    rows = hub.db.query(f"{_SQL} WHERE {where} ORDER BY name LIMIT ?", [*args, limit])
    return [_kiosk_product(hub, r) for r in rows]


@router.get("/products/{gtin}", response_model=KioskProduct, responses=NOT_FOUND)
async def one(gtin: Gtin, hub: Hub) -> KioskProduct:
    rows = list(hub.db.query(f"{_SQL} WHERE gtin = ?", [parse_gtin(gtin)]))
    if not rows:
        raise HTTPException(404, f"no product with GTIN {gtin}")
    return _kiosk_product(hub, rows[0])
