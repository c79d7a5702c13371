"""The alerts API: list them, and acknowledge one (the dashboard resolves them: hub/web/data.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from hub.api.alerts.models import AlertOut
from hub.api.alerts.queries import alert_list
from hub.http.deps import Hub, Staff
from hub.http.params import NOT_FOUND, Limit, Offset, RowId

router = APIRouter(prefix="/api", tags=["staff"])


@router.get("/alerts", response_model=list[AlertOut])
async def alerts(
    hub: Hub, staff: Staff,
    state: Annotated[Literal["open", "resolved", "all"], Query()] = "open",
    kind: Annotated[str | None, Query(max_length=40)] = None,
    severity: Annotated[Literal["critical", "warning", "info"] | None, Query()] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> list[dict[str, Any]]:
    return alert_list(hub.db, None if state == "all" else state, kind, limit, offset, severity)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, responses=NOT_FOUND)
async def acknowledge(alert_id: RowId, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Record that a staff member has taken the alert in hand; it stays open until resolved (an event alert too)."""
    view = hub.ingest.acknowledge(alert_id, staff.username)
    if view is None:
        raise HTTPException(404, f"no alert {alert_id}")
    return view
