"""The notifications API: each configured channel's health, and the record of deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub.api.notify.models import ChannelOut, DeliveryOut
from hub.http.deps import Hub, Staff
from hub.notify import records
from hub.timeutil import iso

router = APIRouter(prefix="/api/notify", tags=["staff"])
_TIMES = ("since", "last_attempt", "last_sent", "created", "due", "sent_at")


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {k: iso(v) if k in _TIMES else v for k, v in row.items()}


@router.get("/channels", response_model=list[ChannelOut])
async def channels(hub: Hub, staff: Staff) -> list[dict[str, Any]]:
    """Every channel of the config: ok, failing (with the last error) or unknown, and what waits for it."""
    known = records.channel_rows(hub.db.conn)
    out = []
    for name, channel in sorted(hub.config.notify.channels.items()):
        row = known.get(name) or {"channel": name, "state": "unknown", "since": None, "last_error": None,
                                  "last_attempt": None, "last_sent": None, "failures": 0, "waiting": 0}
        out.append(_shown({**row, "type": channel.type}))
    return out


@router.get("/deliveries", response_model=list[DeliveryOut])
async def deliveries(hub: Hub, staff: Staff,
                     alert_id: Annotated[int | None, Query(ge=1, le=2**62, description="an alert's id")] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    """The newest deliveries first, of one alert when ``alert_id`` is given."""
    return [_shown(r) for r in records.deliveries_of(hub.db.conn, limit, alert_id)]
