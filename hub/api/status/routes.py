"""Is ingest working (``/api/health``, public, 503 when not), and what did it refuse (``/api/dead-letters``)."""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, Response

from hub.api.status.models import DeadLetter, Health
from hub.http.deps import Hub, Staff
from hub.http.params import Limit, Offset
from hub.store import schema_version
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api")


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


@router.get("/dead-letters", response_model=list[DeadLetter], tags=["staff"])
async def dead_letters(hub: Hub, staff: Staff, limit: Limit = 100, offset: Offset = 0) -> list[DeadLetter]:
    rows = hub.db.query(
        "SELECT id, topic, reason, field, received, size, excerpt FROM dead_letters ORDER BY id DESC LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [DeadLetter(**{**r, "received": iso(r["received"]) or ""}) for r in rows]
