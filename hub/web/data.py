"""JSON the staff pages need beyond the hub's API: the store map, the alert work list (alert_data.py),
stock and sales history, devices with rates. Staff only, like the rest of /api."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hub.http.deps import Hub, Staff
from hub.http.params import NOT_FOUND, Gtin, parse_gtin
from hub.i18n import SOURCE_LANGUAGE, messages, number, translate
from hub.timeutil import iso, ts
from hub.web.alert_data import router as alert_router
from hub.web.i18n import pick_language
from hub.web.models import DeviceRow, History, StoreMap
from hub.web.slots import SLOT_STATES, store_map

router = APIRouter(prefix="/api", tags=["dashboard"])
router.include_router(alert_router)  # the alert work list (hub/web/alert_data.py)


@router.get("/dashboard/map", response_model=StoreMap)
async def dashboard_map(hub: Hub, staff: Staff) -> dict[str, Any]:
    """Every planogram slot by aisle, bay and shelf, with its state."""
    now = ts(hub.clock.now())
    alerts = {slot: alert for slot, alert in hub.db.execute(
        "SELECT slot, MAX(id) FROM alerts WHERE state = 'open' AND slot IS NOT NULL GROUP BY slot")}
    aisles = store_map(hub.ingest.fusion, now, set(hub.ingest.devices), alerts)
    counts = dict.fromkeys(SLOT_STATES, 0)
    for aisle in aisles:
        for bay in aisle["bays"]:
            for shelf in bay["shelves"]:
                for slot in shelf["slots"]:
                    counts[slot["state"]] += 1
    return {"aisles": aisles, "counts": counts, "as_of": iso(now)}


@router.get("/dashboard/products/{gtin}/history", response_model=History, responses=NOT_FOUND)
async def history(gtin: Gtin, hub: Hub, staff: Staff,
                  days: Annotated[float, Query(gt=0, le=365)] = 14) -> dict[str, Any]:
    """Stock at each change and units sold per hour (history up to 3 days long) or per day."""
    code = parse_gtin(gtin)
    now = ts(hub.clock.now())
    since = now - days * 86400
    stock: list[list[Any]] = [list(r) for r in hub.db.execute(
        "SELECT time, on_hand, backroom, floor, shelf FROM stock_history WHERE gtin=? AND time>=? ORDER BY time",
        (code, since))]
    view = hub.ingest.fusion.sku(code, now).as_json()
    current = [view["on_hand"], view["backroom"]["units"], view["floor"]["units"], view["shelf"]["units"]]
    if not stock or stock[-1][1:] != current:
        stock.append([now, *current])
    first_sale = hub.db.execute("SELECT MIN(time) FROM sales WHERE gtin=? AND time>=?", (code, since)).fetchone()[0]
    earliest = min(t for t in (stock[0][0], first_sale, now) if t is not None)
    bucket = 3600 if now - earliest <= 3 * 86400 else 86400  # hours for a short history, else days
    sales = [[float(b * bucket), float(units)] for b, units in hub.db.execute(
        "SELECT CAST(time / ? AS INTEGER) AS b, SUM(quantity) FROM sales WHERE gtin=? AND time>=? "
        "GROUP BY b ORDER BY b",
        (bucket, code, since))]
    return {"gtin": code, "since": iso(since), "stock": stock, "sales": sales, "bucket_s": bucket}


@router.get("/dashboard/devices", response_model=list[DeviceRow])
async def dashboard_devices(request: Request, hub: Hub, staff: Staff) -> list[dict[str, Any]]:
    """Every device the hub has heard of, and the hub itself (whose outbox it can see)."""
    now = ts(hub.clock.now())
    recorder = getattr(request.app.state, "dashboard", None)
    rows = []
    for dev in sorted(hub.ingest.devices.values(), key=lambda d: d.device):
        rows.append({
            "device": dev.device, "kind": dev.kind, "software": dev.software, "state": dev.state,
            "state_since": iso(dev.state_since), "last_seen": iso(dev.last_seen), "reason": dev.reason,
            "age_s": round(now - dev.last_seen, 1) if dev.last_seen is not None else None,
            "rate_per_min": recorder.rate_per_minute(dev.device, now) if recorder else None,
            "outbox": None, "lost": dev.lost, "dropped": dev.dropped, "messages": dev.messages,
        })
    link = getattr(hub, "link", None)
    if link is not None:
        stats = link.stats()
        rows.insert(0, {
            "device": hub.config.hub_id, "kind": "hub", "software": None,
            "state": "online" if hub.mqtt_connected else "offline", "state_since": None, "last_seen": iso(now),
            "age_s": 0.0, "rate_per_min": None, "outbox": stats.pending, "lost": 0, "dropped": stats.dropped,
            "messages": stats.acked,
        })
    lang = pick_language(request)
    for row in rows:
        row["kind_text"] = device_kind_text(row["kind"], lang)
        row["rate_text"] = number(row["rate_per_min"], lang) if row["rate_per_min"] is not None else None
    return rows


def device_kind_text(kind: str | None, lang: str) -> str | None:
    """A device kind in the reader's language; a kind the catalog does not know is shown as the device says it."""
    if kind is None:
        return None
    code = "device_kind_" + kind.replace("-", "_")
    return translate(code, lang) if code in messages(SOURCE_LANGUAGE) else kind
