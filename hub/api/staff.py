"""Staff endpoints: sign-in, products, inventory, items, alerts, devices, dead letters."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from comptoir.contract import gtin14
from hub.alerts import Alert
from hub.api.deps import SESSION_COOKIE, Hub, Manager, Staff, login_limit, session_token
from hub.api.models import (
    AlertOut,
    DeadLetter,
    DeviceOut,
    ErrorOut,
    Health,
    Inventory,
    InventoryDetail,
    ItemOut,
    ProductOut,
    ReorderPointIn,
    SessionOut,
    SignIn,
    ZoneCount,
)
from hub.auth import open_session, sign_out, stored_hash, verify_password
from hub.ingest import alert_view, device_view
from hub.store import schema_version
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api")

_EPC = re.compile(r"^[0-9A-Fa-f]{4,124}$")
#: GTIN-8, -12, -13 or -14 as digits; the check digit is checked by :func:`parse_gtin` (JSON Schema cannot)
GTIN_PATTERN = r"^([0-9]{8}|[0-9]{12,14})$"
Gtin = Annotated[str, Path(pattern=GTIN_PATTERN, description="GTIN-8, -12, -13 or -14 (a wrong check digit: 404)")]
NOT_FOUND = {404: {"model": ErrorOut, "description": "nothing by that name (a GTIN with a wrong check digit names "
                                                      "no product either)"}}
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Search = Annotated[str | None, Query(max_length=100, description="words in the name, brand or category")]


def parse_gtin(gtin: str) -> str:
    """The GTIN-14 of a GTIN the schema let through; one whose check digit is wrong names no product: 404."""
    try:
        return gtin14(gtin)
    except ValueError as exc:
        raise HTTPException(404, f"no product with GTIN {gtin[:20]}: {exc}") from None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@router.get("/health", response_model=Health, tags=["public"],
            responses={503: {"model": Health, "description": "ingest is stalled or its storage is failing"}})
async def health(hub: Hub, response: Response) -> Health:
    """Ingest's real state: 200 while it works, 503 (same body, with the reason) when it does not."""
    stats = hub.ingest.stats
    state = hub.ingest.watch.health()
    try:
        version = schema_version(hub.db)
    except sqlite3.Error:
        version = -1  # the database cannot even be read; status says why
    if state.status != "ok":
        response.status_code = 503
    return Health(status=state.status, reason=state.reason, last_batch=iso(ts(state.last_batch))
                  if state.last_batch else None, queued=state.queued, held_back=state.held_back,
                  mqtt_connected=hub.mqtt_connected, schema_version=version,
                  received=stats.received + stats.dead_letters, stored=stats.stored, duplicates=stats.duplicates,
                  dead_letters=stats.dead_letters)


@router.post("/session", response_model=SessionOut, tags=["session"], dependencies=[login_limit],
             responses={401: {"model": ErrorOut, "description": "wrong username or password (or account disabled)"},
                        429: {"model": ErrorOut, "description": "too many sign-in attempts from this address"}})
async def create_session(body: SignIn, hub: Hub, response: Response) -> SessionOut:
    """Sign in; the session token comes back as a cookie and in the body. Argon2 runs in a worker thread."""
    hashed = stored_hash(hub.db, body.username)
    if not await asyncio.to_thread(verify_password, hashed, body.password):
        raise HTTPException(401, "wrong username or password")
    now = ts(hub.clock.now())
    hours = hub.config.api.session_hours
    if stored_hash(hub.db, body.username) != hashed:  # disabled or given a new password meanwhile
        raise HTTPException(401, "wrong username or password")
    token = open_session(hub.db, body.username, now, hours)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(hours * 3600), httponly=True, samesite="strict",
                        secure=hub.config.api.cookie_secure)
    role = hub.db.execute("SELECT role FROM users WHERE username=?", (body.username,)).fetchone()[0]
    return SessionOut(username=body.username, role=role, expires=iso(now + hours * 3600) or "", token=token)


@router.get("/session", response_model=SessionOut, tags=["session"])
async def current_session(staff: Staff) -> SessionOut:
    return SessionOut(username=staff.username, role=staff.role, expires=iso(staff.expires) or "")


@router.delete("/session", status_code=204, tags=["session"])
async def end_session(request: Request, hub: Hub, staff: Staff) -> Response:
    token = session_token(request)
    if token:
        sign_out(hub.db, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _product(row: dict[str, Any]) -> ProductOut:
    return ProductOut(price_eur=row.pop("price_cents") / 100, **row)


_PRODUCT_SQL = ("SELECT gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, pack_size, supplier, "
                "lead_time_days, reorder_point FROM products")


@router.get("/products", response_model=list[ProductOut], tags=["staff"])
async def products(hub: Hub, staff: Staff, q: Search = None,
                   category: Annotated[str | None, Query(max_length=100)] = None,
                   limit: Limit = 100, offset: Offset = 0) -> list[ProductOut]:
    where, args = [], []
    if q:
        where.append("(name LIKE ? ESCAPE '\\' OR brand LIKE ? ESCAPE '\\' OR category LIKE ? ESCAPE '\\')")
        args += [_like(q)] * 3
    if category:
        where.append("category = ?")
        args.append(category)
    sql = _PRODUCT_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY name LIMIT ? OFFSET ?"
    return [_product(dict(r)) for r in hub.db.query(sql, [*args, limit, offset])]


@router.get("/products/{gtin}", response_model=ProductOut, tags=["staff"], responses=NOT_FOUND)
async def product(gtin: Gtin, hub: Hub, staff: Staff) -> ProductOut:
    rows = list(hub.db.query(_PRODUCT_SQL + " WHERE gtin = ?", [parse_gtin(gtin)]))
    if not rows:
        raise HTTPException(404, f"no product with GTIN {gtin} in the catalog")
    return _product(rows[0])


@router.put("/products/{gtin}/reorder-point", response_model=ProductOut, tags=["staff"],
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
    return _product(next(iter(hub.db.query(_PRODUCT_SQL + " WHERE gtin = ?", [code]))))


def inventory_view(hub: Hub, gtin: str) -> dict[str, Any]:
    now = ts(hub.clock.now())
    view = hub.ingest.fusion.sku(gtin, now).as_json()
    point, why = hub.ingest.fusion.reorder_point(gtin, now)
    view["reorder_point"], view["reorder_reason"] = point, why
    return view


@router.get("/inventory", response_model=list[Inventory], tags=["staff"])
async def inventory(
    hub: Hub, staff: Staff, q: Search = None,
    flag: Annotated[Literal["misplaced_or_hidden", "untagged_or_unreadable", "shelf_view_blocked"] | None,
                    Query(description="only SKUs with this disagreement")] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Per SKU: on hand, backroom, floor, shelf, each with source, age and confidence."""
    fusion = hub.ingest.fusion
    if q:
        gtins = [r[0] for r in hub.db.execute(
            "SELECT gtin FROM products WHERE name LIKE ? ESCAPE '\\' OR brand LIKE ? ESCAPE '\\' ORDER BY gtin",
            (_like(q), _like(q)))]
    else:
        gtins = sorted(set(fusion.products) | {g for g in fusion.rfid if g} | set(fusion.slots_by_gtin))
    if flag:
        views = (inventory_view(hub, g) for g in gtins)
        return [v for v in views if flag in v["flags"]][offset:offset + limit]
    return [inventory_view(hub, g) for g in gtins[offset:offset + limit]]


@router.get("/inventory/zones", response_model=list[ZoneCount], tags=["staff"])
async def inventory_zones(hub: Hub, staff: Staff) -> list[ZoneCount]:
    """Tagged items per zone and state."""
    zones: dict[str, dict[str, int]] = {}
    for zone, state, count in hub.db.execute(
        "SELECT COALESCE(zone, '(none)'), state, COUNT(*) FROM items GROUP BY zone, state ORDER BY zone"
    ):
        zones.setdefault(zone, {})[state] = count
    fusion = hub.ingest.fusion
    return [ZoneCount(zone=z, kind=fusion.zones.get(z), states=s) for z, s in zones.items()]


@router.get("/inventory/{gtin}", response_model=InventoryDetail, tags=["staff"], responses=NOT_FOUND)
async def inventory_one(gtin: Gtin, hub: Hub, staff: Staff) -> dict[str, Any]:
    code = parse_gtin(gtin)
    fusion = hub.ingest.fusion
    if code not in fusion.products and code not in fusion.rfid and code not in fusion.slots_by_gtin:
        raise HTTPException(404, f"the hub knows nothing of GTIN {gtin}")
    view = inventory_view(hub, code)
    zones: dict[str, dict[str, int]] = {}
    for zone, state, count in hub.db.execute(
        "SELECT COALESCE(zone, '(none)'), state, COUNT(*) FROM items WHERE gtin = ? GROUP BY zone, state", (code,)
    ):
        zones.setdefault(zone, {})[state] = count
    snapshots: dict[str, dict[str, int]] = {}
    for reader, zone, count in hub.db.execute(
        "SELECT reader, zone, count FROM snapshot_counts WHERE gtin = ?", (code,)
    ):
        snapshots.setdefault(reader, {})[zone] = count
    view["zones"], view["snapshots"] = zones, snapshots
    return view


@router.get("/items/{epc}", response_model=ItemOut, tags=["staff"], responses=NOT_FOUND)
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


@router.get("/alerts", response_model=list[AlertOut], tags=["staff"])
async def alerts(
    hub: Hub, staff: Staff,
    state: Annotated[Literal["open", "resolved", "all"], Query()] = "open",
    kind: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> list[dict[str, Any]]:
    where, args = [], []
    if state != "all":
        where.append("state = ?")
        args.append(state)
    if kind:
        where.append("kind = ?")
        args.append(kind)
    sql = ("SELECT * FROM alerts" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?")
    return [alert_view(Alert(**r)) for r in hub.db.query(sql, [*args, limit, offset])]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, tags=["staff"], responses=NOT_FOUND)
async def acknowledge(alert_id: Annotated[int, Path(ge=1, le=2**62)], hub: Hub, staff: Staff) -> dict[str, Any]:
    """Record that a staff member has seen the alert; an event alert (unpaid exit, lost messages) ends there."""
    view = hub.ingest.acknowledge(alert_id, staff.username)
    if view is None:
        raise HTTPException(404, f"no alert {alert_id}")
    return view


@router.get("/devices", response_model=list[DeviceOut], tags=["staff"])
async def devices(hub: Hub, staff: Staff) -> list[dict[str, Any]]:
    return [device_view(d) for d in sorted(hub.ingest.devices.values(), key=lambda d: d.device)]


@router.get("/dead-letters", response_model=list[DeadLetter], tags=["staff"])
async def dead_letters(hub: Hub, staff: Staff, limit: Limit = 100, offset: Offset = 0) -> list[DeadLetter]:
    rows = hub.db.query(
        "SELECT id, topic, reason, field, received, size, excerpt FROM dead_letters ORDER BY id DESC LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [DeadLetter(**{**r, "received": iso(r["received"]) or ""}) for r in rows]
