"""Public kiosk endpoints: read-only, rate-limited, product-level only.

A customer sees a product's price, place and whether it is available; never
item counts, tags, devices, alerts or staff data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from hub.api.inventory.models import KioskProduct
from hub.api.inventory.queries import kiosk_row, kiosk_rows
from hub.http.deps import Hub, kiosk_limit
from hub.http.errors import RATE_LIMITED
from hub.http.params import NOT_FOUND, Gtin, parse_gtin
from hub.timeutil import iso, ts

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


@router.get("/products", response_model=list[KioskProduct])
async def search(hub: Hub, q: Annotated[str, Query(min_length=1, max_length=100, pattern=r"\S",
                                                  description="words to find; at least one non-space character")],
                 limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[KioskProduct]:
    """Products whose name, brand or category contains the words of ``q`` (only spaces: 422, by the pattern)."""
    words = q.split()[:5]
    if not words:  # a space the pattern does not see (Unicode): nothing to look for
        return []
    return [_kiosk_product(hub, r) for r in kiosk_rows(hub.db, words, limit)]


@router.get("/products/{gtin}", response_model=KioskProduct, responses=NOT_FOUND)
async def one(gtin: Gtin, hub: Hub) -> KioskProduct:
    row = kiosk_row(hub.db, parse_gtin(gtin))
    if row is None:
        raise HTTPException(404, f"no product with GTIN {gtin}")
    return _kiosk_product(hub, row)
