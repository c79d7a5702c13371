"""The kiosk's settings (the ``kiosk:`` section of the hub's YAML config)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class KioskSettings(BaseModel):
    """What the kiosk assistant, its recommendations and its privacy rules may be tuned with."""

    model_config = ConfigDict(extra="forbid")

    faq: Path | None = Field(None, description="the shop's FAQ file (YAML); default: the one shipped with the hub")
    kinds: Path | None = Field(None, description="kinds of product customers name (YAML); default: the shipped one")
    timezone: str = Field("Europe/Paris", description="times of day in answers are said in this zone")
    confident: float = Field(0.55, ge=0, le=1, description="match score from which the assistant answers")
    ask_below: float = Field(0.35, ge=0, le=1,
                             description="between this and `confident` it asks which product; below, it hands off")
    stale_minutes: float = Field(60.0, gt=0, description="older shelf figures are said to be maybe out of date")
    log_conversations: bool = Field(False, description="keep question and answer texts (off: only counts per intent)")
    log_retention_days: float = Field(7.0, gt=0, le=365, description="conversation texts are deleted after this")
    loyalty_retention_days: float = Field(3 * 365.0, gt=0, description="loyalty receipt links are deleted after this")
    session_minutes: float = Field(2.0, gt=0, le=60, description="the assistant forgets a conversation after this")
    min_support: int = Field(2, ge=1, description="least receipts holding a pair for 'often bought together'")
    embedding_threads: int = Field(1, ge=1, le=16, description="CPU threads of the embedding model")
