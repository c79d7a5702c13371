"""The devices API: every device the hub has heard of, with its health and message counts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from hub.api.devices.models import DeviceOut
from hub.devices import device_view
from hub.http.deps import Hub, Manager, Staff
from hub.http.params import NOT_FOUND
from hub.timeutil import ts

router = APIRouter(prefix="/api", tags=["staff"])


@router.get("/devices", response_model=list[DeviceOut])
async def devices(hub: Hub, staff: Staff) -> list[dict[str, Any]]:
    return [device_view(d) for d in sorted(hub.ingest.devices.values(), key=lambda d: d.device)]


@router.delete("/devices/{device}", status_code=204, responses=NOT_FOUND)
async def retire(device: str, hub: Hub, manager: Manager) -> Response:
    """Retire a device taken out of the shop (manager): it leaves the list, its alerts end, and Home Assistant's
    entities for it are removed (docs/integrations.md)."""
    with hub.db.conn:
        retired = hub.ingest.device_book.retire(device, ts(hub.clock.now()))
    if not retired:
        raise HTTPException(404, f"no device {device!r}")
    hub.ingest.publish_pending()
    return Response(status_code=204)
