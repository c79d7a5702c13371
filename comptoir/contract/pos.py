"""Till payloads: receipts of completed sales."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Cents, DeviceId, EpcHex, Gtin, Label


class ReceiptLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gtin: Gtin
    quantity: int = Field(ge=-10_000, le=10_000, description="units sold; negative for a return")
    unit_price_cents: Cents
    epcs: list[EpcHex] = Field(default_factory=list, max_length=10_000, description="tags read at the till, if any")


class PosReceipt(Message):
    """A completed sale at a till lane."""

    SCHEMA: ClassVar[str] = "comptoir.pos.receipt"
    FAMILY: ClassVar[str] = "pos"
    CHANNEL: ClassVar[str] = "receipts"

    schema_name: Literal["comptoir.pos.receipt"] = Field("comptoir.pos.receipt", alias="schema")
    version: Literal[1] = 1
    lane: DeviceId
    receipt_id: Label
    lines: list[ReceiptLine] = Field(min_length=1, max_length=1000)
    total_cents: Cents
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")

    def topic_id(self) -> str:
        return self.lane
