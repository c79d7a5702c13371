"""A device as the API answers it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DeviceOut(BaseModel):
    device: str
    kind: str | None
    software: str | None
    model: str | None = Field(None, description="a camera's detector version, from its status")
    state: str
    state_since: str | None
    reason: str | None = Field(description="why it is offline, as its retained status says; null while online")
    last_seen: str | None
    connection: int | None
    last_seq: int | None
    lost: int
    dropped: int
    messages: int
