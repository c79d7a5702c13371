"""The live stream for the staff pages: Server-Sent Events.

Event types: ``item`` (a tag changed state or zone), ``inventory`` (an SKU's
figures changed), ``alert`` (raised, updated, acknowledged, resolved),
``device`` (health), ``dead_letter``. Each event's ``id`` rises by one; a
comment line every ``heartbeat_s`` keeps proxies from closing the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from hub.http.deps import Hub, Staff

router = APIRouter(prefix="/api", tags=["staff"])

HEARTBEAT_S = 15.0
MAX_EVENTS_PER_WRITE = 500


def _format(event: dict) -> str:
    data = json.dumps(event["data"], separators=(",", ":"))
    return f"id: {event['id']}\nevent: {event['type']}\ndata: {data}\n\n"


@router.get("/stream", response_class=StreamingResponse)
async def stream(request: Request, hub: Hub, staff: Staff) -> StreamingResponse:
    """Live events as text/event-stream (EventSource in a browser)."""
    queue = hub.bus.listen()

    async def events() -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield b": heartbeat\n\n"
                    continue
                # send what has piled up in one write: far fewer sends when ingest is busy
                batch = [event]
                while len(batch) < MAX_EVENTS_PER_WRITE and not queue.empty():
                    batch.append(queue.get_nowait())
                yield "".join(_format(e) for e in batch).encode()
        finally:
            with contextlib.suppress(Exception):
                hub.bus.forget(queue)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
