"""An alert as the API answers it."""

from __future__ import annotations

from pydantic import BaseModel


class AlertOut(BaseModel):
    id: int
    alert_id: str
    kind: str
    state: str
    severity: str
    text: str
    gtin: str | None
    epc: str | None
    slot: str | None
    device: str | None
    quantity: int | None
    raised_at: str | None
    updated_at: str | None
    resolved_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
