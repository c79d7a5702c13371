"""The live event stream: an in-process fan-out to the web pages' SSE connections.

Each listener has a bounded queue; a listener too slow to keep up loses its
oldest events (counted in ``dropped``) rather than slowing ingest down.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any


class EventBus:
    def __init__(self, queue_size: int = 10_000) -> None:
        self.queue_size = queue_size
        self._listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        self._ids = itertools.count(1)
        self.published = 0
        self.dropped = 0

    @property
    def active(self) -> bool:
        return bool(self._listeners)

    def listen(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self.queue_size)
        self._listeners.add(queue)
        return queue

    def forget(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._listeners.discard(queue)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        if not self._listeners:
            return
        event = {"id": next(self._ids), "type": kind, "data": data}
        self.published += 1
        for queue in self._listeners:
            if queue.full():
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(event)
