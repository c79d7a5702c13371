"""The dashboard's alert work list: the three lists (open, in hand, resolved), a page of one with filters, search
and repeats folded, one alert (for a live update), resolving by hand and undoing it. Staff only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from hub.alerts import AlertNotReopened
from hub.api.alerts.queries import LATEST_RESOLVED, WORK_ORDER, inbox
from hub.api.alerts.worklist import Reader, grouped, matches, with_times, work_item
from hub.http.deps import Hub, HubState, Staff
from hub.http.params import NOT_FOUND, RowId
from hub.timeutil import iso, ts
from hub.web.i18n import pick_language
from hub.web.models import AlertPage, DashboardAlert

router = APIRouter(tags=["dashboard"])  # included under /api by hub/web/data.py

AlertList = Literal["open", "acknowledged", "resolved"]
ALERT_WHERE = {
    "open": "a.state = 'open' AND a.acknowledged_at IS NULL",
    "acknowledged": "a.state = 'open' AND a.acknowledged_at IS NOT NULL",
    "resolved": "a.state = 'resolved'",
}
#: A search or a grouping reads at most this many of the latest alerts of a list (a shop's day is a few hundred).
SCAN_MAX = 2000


def _reader(request: Request, hub: HubState) -> Reader:
    return Reader(pick_language(request), hub.config.zone, ts(hub.clock.now()))


def _items(request: Request, hub: HubState, where: str, args: list[Any], limit: int, view: AlertList = "open",
           offset: int = 0, times: bool = True) -> list[dict[str, Any]]:
    """Alerts in the order of ``view``'s list, as the work list shows them."""
    reader = _reader(request, hub)
    kinds = {d.device: d.kind for d in hub.ingest.devices.values()}
    order = LATEST_RESOLVED if view == "resolved" else WORK_ORDER
    rows = inbox(hub.db, where, args, limit, reader.lang, order, offset)
    return [work_item(row, kinds, reader, times) for row in rows]


def _one(request: Request, hub: HubState, alert_id: int) -> dict[str, Any]:
    found = _items(request, hub, "a.id = ?", [alert_id], 1)
    if not found:
        raise HTTPException(404, f"no alert {alert_id}")
    return found[0]


@router.get("/dashboard/alerts", response_model=list[DashboardAlert])
async def dashboard_alerts(request: Request, hub: Hub, staff: Staff, view: Annotated[AlertList, Query()] = "open",
                           limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[dict[str, Any]]:
    """One list in work order (open, in hand: what to do first; resolved: the latest first)."""
    return _items(request, hub, ALERT_WHERE[view], [], limit, view)


@router.get("/dashboard/alerts/page", response_model=AlertPage)
async def alert_page(
    request: Request, hub: Hub, staff: Staff, view: Annotated[AlertList, Query()] = "open",
    kind: Annotated[str | None, Query(max_length=40)] = None,
    severity: Annotated[Literal["critical", "warning", "info"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="words to find, accents and case folded")] = None,
    group: Annotated[bool, Query(description="fold repeats (same kind, same place) into one item")] = False,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0, limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """A page of one list, filtered, searched, repeats folded; the three lists' sizes and the hub's clock."""
    where, args = [ALERT_WHERE[view]], []
    if kind:
        where.append("a.kind = ?")
        args.append(kind)
    if severity:
        where.append("a.severity = ?")
        args.append(severity)
    condition = " AND ".join(where)
    if (q and q.strip()) or group:  # words and repeats are found in what people read: over the latest SCAN_MAX
        items = _items(request, hub, condition, args, SCAN_MAX, view, times=False)
        if q and q.strip():
            items = [i for i in items if matches(i, q)]
        if group:
            items = grouped(items)
        reader = _reader(request, hub)
        total, items = len(items), [with_times(i, reader) for i in items[offset:offset + limit]]
    else:  # the database cuts the page
        total = hub.db.execute(f"SELECT COUNT(*) FROM alerts a WHERE {condition}", args).fetchone()[0]
        items = _items(request, hub, condition, args, limit, view, offset)
    counts = {name: hub.db.execute(f"SELECT COUNT(*) FROM alerts a WHERE {w}").fetchone()[0]
              for name, w in ALERT_WHERE.items()}
    return {"now": iso(ts(hub.clock.now())), "view": view, "total": total, "offset": offset, "limit": limit,
            "counts": counts, "items": items}


@router.get("/dashboard/alerts/{alert_id}", response_model=DashboardAlert, responses=NOT_FOUND)
async def dashboard_alert(alert_id: RowId, request: Request, hub: Hub, staff: Staff) -> dict[str, Any]:
    """One alert as the work list shows it (a live update fetches only the alert that changed)."""
    return _one(request, hub, alert_id)


@router.post("/alerts/{alert_id}/resolve", response_model=DashboardAlert, responses=NOT_FOUND)
async def resolve(alert_id: RowId, request: Request, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Close an alert by hand, recording who and when (``/reopen`` undoes it). A condition that still holds is
    raised again by the hub's rules at the next change, as a new alert."""
    alerts = hub.ingest.alerts
    now = ts(hub.clock.now())
    alert = next((a for a in alerts.open.values() if a.id == alert_id), None)
    if alert is None:
        return _one(request, hub, alert_id)  # already resolved (or unknown: 404)
    with hub.db.conn:
        if alert.acknowledged_at is None:
            alerts.acknowledge(alert_id, staff.username, now)
        alerts.clear(alert.key, now)
        hub.db.conn.execute("INSERT OR REPLACE INTO alert_resolutions (alert, resolved_by, resolved_at) "
                            "VALUES (?, ?, ?)", (alert_id, staff.username, now))
    hub.ingest.publish_pending()
    return _one(request, hub, alert_id)


@router.post("/alerts/{alert_id}/reopen", response_model=DashboardAlert,
             responses={**NOT_FOUND, 409: {"description": "not resolved by staff, or raised again since"}})
async def reopen(alert_id: RowId, request: Request, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Undo a resolve: the alert is open again as it was, in hand if it was."""
    _one(request, hub, alert_id)  # 404 for an unknown alert
    try:
        with hub.db.conn:
            hub.ingest.alerts.reopen(alert_id, ts(hub.clock.now()))
    except AlertNotReopened as exc:
        raise HTTPException(409, str(exc)) from None
    hub.ingest.publish_pending()
    return _one(request, hub, alert_id)
