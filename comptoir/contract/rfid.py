"""RFID payloads: zone events (one per message, or batched), zone snapshots and gate passages.

The edge publishes meaning, not raw reads: a tag arrived in a zone, moved
between zones, departed; a tag passed a gate in a direction. A busy reader
reports hundreds of tags a second, so its zone events may travel batched,
many to a message (as EdgeX's RFID inventory service does); each event of a
batch is checked exactly as a single zone event is, because both are built
from :class:`ZoneChange`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Count, DeviceId, EpcHex, Fraction, Gtin, Label

#: Most events in one batched message; with the 256 KiB payload limit this leaves ~500 bytes per event.
MAX_BATCH_EVENTS = 500


class TagFields(BaseModel):
    """Which tag: its EPC and, when the EPC is an SGTIN, what it decodes to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    epc: EpcHex
    scheme: str | None = Field(
        None, description="EPC scheme when decoded, e.g. 'sgtin-96'; null for an EPC kept as raw hex"
    )
    gtin: Gtin | None = Field(None, description="GTIN-14 of the item, when the EPC is an SGTIN")
    serial: str | None = Field(None, max_length=40, description="serial number of the SGTIN")


class ZoneChange(TagFields):
    """What a zone event says about one tag, whether it travels alone or in a batch."""

    event: Literal["arrived", "moved", "departed"]
    location: Label = Field(description="the zone alias the tag is in (for 'departed', the zone it was last seen in)")
    from_location: Label | None = Field(None, description="the previous zone, for 'moved'")
    antenna: int | None = Field(None, ge=0, le=65535)
    rssi: float | None = Field(None, ge=-200, le=50, description="smoothed peak RSSI in dBm")
    last_seen: AwareDatetime | None = Field(None, description="time of the last read of the tag")

    @model_validator(mode="after")
    def _moved_has_origin(self) -> ZoneChange:
        if (self.event == "moved") != (self.from_location is not None):
            raise ValueError("from_location is required for 'moved' and only for 'moved'")
        return self


class ZoneEvent(ZoneChange, Message):
    """A tag arrived in a zone, moved to another, or departed (not seen for a while)."""

    SCHEMA: ClassVar[str] = "comptoir.rfid.zone_event"
    FAMILY: ClassVar[str] = "rfid"
    CHANNEL: ClassVar[str] = "events"

    schema_name: Literal["comptoir.rfid.zone_event"] = Field("comptoir.rfid.zone_event", alias="schema")
    version: Literal[1] = 1


class BatchedZoneEvent(ZoneChange):
    """One event of a :class:`ZoneEvents` batch: a zone event without the envelope, with its own time."""

    time: AwareDatetime = Field(description="when this event happened, by the device's clock")


class ZoneEvents(Message):
    """Several zone events of one reader in one message; the envelope's time is when the batch was made."""

    SCHEMA: ClassVar[str] = "comptoir.rfid.zone_events"
    FAMILY: ClassVar[str] = "rfid"
    CHANNEL: ClassVar[str] = "event_batch"

    schema_name: Literal["comptoir.rfid.zone_events"] = Field("comptoir.rfid.zone_events", alias="schema")
    version: Literal[1] = 1
    events: list[BatchedZoneEvent] = Field(
        min_length=1, max_length=MAX_BATCH_EVENTS, description="the events, in the order the device produced them"
    )


class ZoneSnapshot(Message):
    """Counts per zone and GTIN of the tags an RFID agent sees, for reconciliation."""

    SCHEMA: ClassVar[str] = "comptoir.rfid.zone_snapshot"
    FAMILY: ClassVar[str] = "rfid"
    CHANNEL: ClassVar[str] = "snapshot"

    schema_name: Literal["comptoir.rfid.zone_snapshot"] = Field("comptoir.rfid.zone_snapshot", alias="schema")
    version: Literal[1] = 1
    zones: dict[Label, dict[Gtin, Count]] = Field(description="zone -> GTIN-14 -> tags present")
    other: dict[Label, Count] = Field(default_factory=dict, description="zone -> tags present without a GTIN")


class GatePassage(TagFields, Message):
    """A tag passed a gate; ``in`` means into the shop (or room) the gate guards."""

    SCHEMA: ClassVar[str] = "comptoir.rfid.gate_passage"
    FAMILY: ClassVar[str] = "gate"
    CHANNEL: ClassVar[str] = "passages"

    schema_name: Literal["comptoir.rfid.gate_passage"] = Field("comptoir.rfid.gate_passage", alias="schema")
    version: Literal[1] = 1
    gate: DeviceId
    direction: Literal["in", "out"]
    confidence: Fraction = 1.0

    def topic_id(self) -> str:
        return self.gate
