"""Device payloads: availability (birth and Last Will) and retained configuration."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Count, DeviceId, Label


class DeviceStatus(Message):
    """Retained availability of a device, written by its link alone (``comptoir/link/availability.py``).

    The link registers ``offline`` as its Last Will, so an agent that dies is
    marked offline by the broker, and says ``online`` or ``offline`` with the
    agent's reason at every connect and whenever the agent reports the device
    behind it (reader, camera, scale) down or up. For status messages ``seq``
    is the connection number (it rises by one at each connect); data messages
    have their own sequence.
    """

    SCHEMA: ClassVar[str] = "comptoir.device.status"
    FAMILY: ClassVar[str] = "device"
    CHANNEL: ClassVar[str] = "status"
    RETAIN: ClassVar[bool] = True

    schema_name: Literal["comptoir.device.status"] = Field("comptoir.device.status", alias="schema")
    version: Literal[1] = 1
    state: Literal["online", "offline"]
    kind: Label = Field(description="what the device is: rfid-reader, camera, scale, pos, hub, agent ...")
    software: Label = Field(description="software name and version")
    reason: Label | None = Field(
        None, description="why offline: 'shutdown', 'connection lost', or what the agent lost (reader, stream, port)"
    )
    last_seq: Count | None = Field(None, description="the last data sequence number issued when this was sent")
    dropped: Count | None = Field(None, description="messages dropped from a full outbox over the device's life")


class DeviceCommand(BaseModel):
    """A one-shot command in a retained config; devices run each id once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Label
    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,31}$")
    args: list[str | int | float] = Field(default_factory=list, max_length=16)


class DeviceConfig(Message):
    """Retained configuration from the hub to one device (the only way back)."""

    SCHEMA: ClassVar[str] = "comptoir.device.config"
    FAMILY: ClassVar[str] = "device"
    CHANNEL: ClassVar[str] = "config"
    RETAIN: ClassVar[bool] = True

    schema_name: Literal["comptoir.device.config"] = Field("comptoir.device.config", alias="schema")
    version: Literal[1] = 1
    target: DeviceId = Field(description="the device this configuration is for")
    settings: dict[str, JsonValue] = Field(default_factory=dict)
    commands: list[DeviceCommand] = Field(default_factory=list, max_length=64)

    def topic_id(self) -> str:
        return self.target
