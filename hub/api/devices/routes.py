"""The devices API: every device the hub has heard of, with its health and message counts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.api.devices.models import DeviceOut
from hub.devices import device_view
from hub.http.deps import Hub, Staff

router = APIRouter(prefix="/api", tags=["staff"])


@router.get("/devices", response_model=list[DeviceOut])
async def devices(hub: Hub, staff: Staff) -> list[dict[str, Any]]:
    return [device_view(d) for d in sorted(hub.ingest.devices.values(), key=lambda d: d.device)]
