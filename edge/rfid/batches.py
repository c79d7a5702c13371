"""Zone events cut into the batched messages they travel in (``rfid/<reader>/event_batch``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from comptoir.contract import MAX_BATCH_EVENTS, MAX_PAYLOAD_BYTES

#: Bytes of one zone event's JSON in a batch besides its texts (keys, times, numbers), an upper bound.
EVENT_JSON_BYTES = 250
#: A batch's payload is kept under half the contract's limit, whatever the zone aliases' length.
BATCH_BYTES = MAX_PAYLOAD_BYTES // 2


def event_batches(items: list[dict[str, Any]], publish_batch: int) -> Iterator[list[dict[str, Any]]]:
    """At most ``publish_batch`` events a message, and never near the contract's payload limit
    (long zone aliases make long events)."""
    most = min(publish_batch, MAX_BATCH_EVENTS)
    chunk: list[dict[str, Any]] = []
    size = 0
    for item in items:
        # the JSON of one event: its texts plus ~250 bytes of keys, times and numbers
        cost = EVENT_JSON_BYTES + sum(len(v) for v in item.values() if isinstance(v, str))
        if chunk and (len(chunk) >= most or size + cost > BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += cost
    if chunk:
        yield chunk
