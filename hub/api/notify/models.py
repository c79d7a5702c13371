"""A notification channel's health and one delivery, as the API answers them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ChannelOut(BaseModel):
    channel: str
    type: str = Field(description="ntfy, webhook or email")
    state: str = Field(description="ok (its last try was taken), failing (its last try failed), unknown (not tried)")
    since: str | None = Field(description="since when it is in this state")
    last_error: str | None = Field(description="why its last failed try failed")
    last_attempt: str | None
    last_sent: str | None
    failures: int = Field(description="failed tries in a row")
    waiting: int = Field(description="deliveries queued for it, not sent yet")


class DeliveryOut(BaseModel):
    id: int
    alert_id: int
    rule: str
    channel: str
    step: str = Field(description="first, repeat or escalation")
    step_no: int
    state: str = Field(description="pending, sent, failed (given up), cancelled (acknowledged first), dropped")
    created: str | None
    due: str | None
    attempts: int
    last_error: str | None
    sent_at: str | None
