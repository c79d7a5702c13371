"""The envelope every payload carries: schema, version, id, device, sequence, time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from comptoir.contract.fields import Count, DeviceId, MessageId
from comptoir.contract.topics import topic


class Message(BaseModel):
    """Base of every payload model.

    Subclasses set the class variables that tie them to a topic family and
    declare ``schema_name`` and ``version`` as literals, so that the generated
    JSON Schema states both as constants.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    SCHEMA: ClassVar[str]
    VERSION: ClassVar[int] = 1
    FAMILY: ClassVar[str]
    CHANNEL: ClassVar[str]
    #: Whether the publisher should ask the broker to retain the message.
    RETAIN: ClassVar[bool] = False

    schema_name: str = Field(alias="schema")
    version: int
    msg_id: MessageId
    device: DeviceId = Field(description="the device that produced the message")
    seq: Count = Field(description="per-device sequence number; a gap means messages were lost upstream")
    time: AwareDatetime = Field(description="when the event happened, by the device's clock")

    def topic_id(self) -> str:
        """The id level of this message's topic (the device, unless a family says otherwise)."""
        return self.device

    def topic(self, store: str) -> str:
        return topic(store, self.FAMILY, self.topic_id(), self.CHANNEL)

    @classmethod
    def create(cls, *, device: str, seq: int, time: datetime, **fields: Any) -> Self:
        """Build a message with a fresh id; the link calls this with its sequence and clock."""
        return cls(
            schema=cls.SCHEMA,
            version=cls.VERSION,
            msg_id=uuid.uuid4().hex,
            device=device,
            seq=seq,
            time=time,
            **fields,
        )
