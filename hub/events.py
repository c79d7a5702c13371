"""The live event stream: an in-process fan-out to the web pages' SSE connections.

Each listener has a bounded queue; a listener too slow to keep up loses its
oldest events (counted in ``dropped``) rather than slowing ingest down.
A batch of ingest publishes its events together (:meth:`EventBus.publish_many`):
one wake-up per listener per batch, not one per event, because at thousands of
events a second the fan-out would otherwise cost more than the fusion itself.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Iterable
from typing import Any

Event = dict[str, Any]


class EventQueue:
    """One listener's events, oldest first; the subset of ``asyncio.Queue`` the listeners use."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._events: deque[Event] = deque()
        self._ready = asyncio.Event()

    def qsize(self) -> int:
        return len(self._events)

    def empty(self) -> bool:
        return not self._events

    def full(self) -> bool:
        return len(self._events) >= self.size

    def put_many(self, events: list[Event]) -> int:
        """Append ``events``; return how many of the oldest were dropped to stay within ``size``."""
        queue = self._events
        queue.extend(events)
        dropped = 0
        while len(queue) > self.size:
            queue.popleft()
            dropped += 1
        self._ready.set()
        return dropped

    def get_nowait(self) -> Event:
        if not self._events:
            raise asyncio.QueueEmpty
        return self._events.popleft()

    async def get(self) -> Event:
        while not self._events:
            self._ready.clear()
            await self._ready.wait()
        return self._events.popleft()


class EventBus:
    def __init__(self, queue_size: int = 10_000) -> None:
        self.queue_size = queue_size
        self._listeners: set[EventQueue] = set()
        self._ids = itertools.count(1)
        self.published = 0
        self.dropped = 0

    @property
    def active(self) -> bool:
        return bool(self._listeners)

    def listen(self) -> EventQueue:
        queue = EventQueue(self.queue_size)
        self._listeners.add(queue)
        return queue

    def forget(self, queue: EventQueue) -> None:
        self._listeners.discard(queue)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        self.publish_many(kind, (data,))

    def publish_many(self, kind: str, payloads: Iterable[dict[str, Any]]) -> None:
        """Publish events of one kind in order, with one wake-up per listener."""
        if not self._listeners:
            return
        ids = self._ids
        events = [{"id": next(ids), "type": kind, "data": data} for data in payloads]
        if not events:
            return
        self.published += len(events)
        for queue in self._listeners:
            self.dropped += queue.put_many(events)
