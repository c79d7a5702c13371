"""What ``/api/health`` and ``/api/dead-letters`` answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok", "stalled", "storage_failing"] = Field(
        description="ingest's state: ok; storage_failing (the database refuses writes: messages are held back, "
        "unacknowledged, and retried); stalled (ingest has stopped or a batch is stuck). Anything but ok is a 503"
    )
    reason: str | None = Field(None, description="why ingest is not ok, for the operator")
    last_batch: str | None = Field(None, description="when ingest last finished a batch (ISO 8601), null before any")
    queued: int = Field(0, description="messages received from the broker and not yet stored or rejected")
    held_back: int = Field(0, description="of those, messages held back while the store fails")
    mqtt_connected: bool
    schema_version: int
    received: int = Field(description="messages received since the hub started (valid or not)")
    stored: int = Field(description="messages stored since start (each message id once)")
    duplicates: int = Field(description="redelivered messages ignored since start")
    dead_letters: int = Field(description="rejected payloads since start")


class DeadLetter(BaseModel):
    id: int
    topic: str
    reason: str
    field: str | None
    received: str
    size: int
    excerpt: str
