"""RFID payloads: zone events, zone snapshots and gate passages.

The edge publishes meaning, not raw reads: a tag arrived in a zone, moved
between zones, departed; a tag passed a gate in a direction.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Count, DeviceId, EpcHex, Fraction, Gtin, Label


class _TagFields(Message):
    epc: EpcHex
    scheme: str | None = Field(
        None, description="EPC scheme when decoded, e.g. 'sgtin-96'; null for an EPC kept as raw hex"
    )
    gtin: Gtin | None = Field(None, description="GTIN-14 of the item, when the EPC is an SGTIN")
    serial: str | None = Field(None, max_length=40, description="serial number of the SGTIN")


class ZoneEvent(_TagFields):
    """A tag arrived in a zone, moved to another, or departed (not seen for a while)."""

    SCHEMA: ClassVar[str] = "comptoir.rfid.zone_event"
    FAMILY: ClassVar[str] = "rfid"
    CHANNEL: ClassVar[str] = "events"

    schema_name: Literal["comptoir.rfid.zone_event"] = Field("comptoir.rfid.zone_event", alias="schema")
    version: Literal[1] = 1
    event: Literal["arrived", "moved", "departed"]
    location: Label = Field(description="the zone alias the tag is in (for 'departed', the zone it was last seen in)")
    from_location: Label | None = Field(None, description="the previous zone, for 'moved'")
    antenna: int | None = Field(None, ge=0, le=65535)
    rssi: float | None = Field(None, ge=-200, le=50, description="smoothed peak RSSI in dBm")
    last_seen: AwareDatetime | None = Field(None, description="time of the last read of the tag")

    @model_validator(mode="after")
    def _moved_has_origin(self) -> ZoneEvent:
        if (self.event == "moved") != (self.from_location is not None):
            raise ValueError("from_location is required for 'moved' and only for 'moved'")
        return self


class ZoneSnapshot(Message):
    """Counts per zone and GTIN of the tags an RFID agent sees, for reconciliation."""

    SCHEMA: ClassVar[str] = "comptoir.rfid.zone_snapshot"
    FAMILY: ClassVar[str] = "rfid"
    CHANNEL: ClassVar[str] = "snapshot"

    schema_name: Literal["comptoir.rfid.zone_snapshot"] = Field("comptoir.rfid.zone_snapshot", alias="schema")
    version: Literal[1] = 1
    zones: dict[Label, dict[Gtin, Count]] = Field(description="zone -> GTIN-14 -> tags present")
    other: dict[Label, Count] = Field(default_factory=dict, description="zone -> tags present without a GTIN")


class GatePassage(_TagFields):
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
