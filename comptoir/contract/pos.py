"""Till payloads: receipts of completed sales."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Cents, DeviceId, EpcHex, Gtin, Label

#: GS1 AI 10: up to 20 characters of GS1's character set 82 (no spaces)
GS1Lot = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[!-~]+$")]


class ReceiptLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gtin: Gtin
    quantity: int = Field(ge=-10_000, le=10_000, description="units sold; negative for a return")
    unit_price_cents: Cents
    epcs: list[EpcHex] = Field(default_factory=list, max_length=10_000, description="tags read at the till, if any")
    # a 2D code (GS1 DataMatrix, DataBar Expanded, a markdown label) carries the lot and date the till read
    lot: GS1Lot | None = Field(None, description="the batch/lot number read at the till (GS1 AI 10), if any")
    expiry: date | None = Field(None, description="the use-by or best-before date read at the till (AI 17/15)")


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
