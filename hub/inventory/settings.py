"""Parameters of the fusion rules and of the alerts ingest raises (``fusion:`` in the hub config, docs/fusion.md).

They live in the core, which reads them; hub/config.py assembles them into
the hub's configuration file with the rest.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FusionSettings(BaseModel):
    """Parameters of the fusion rules and alert thresholds (see docs/fusion.md)."""

    model_config = ConfigDict(extra="forbid")

    fresh_s: float = Field(600.0, gt=0, description="a figure younger than this keeps its full confidence")
    stale_s: float = Field(3600.0, gt=0, description="a figure this old has lost half its confidence")
    paid_credit_hours: float = Field(2.0, gt=0, description="how long a sale by GTIN waits to be matched to a tag")
    device_silent_s: float = Field(300.0, gt=0, description="an online device that says nothing this long is silent")
    check_every_s: float = Field(5.0, gt=0, description="how often time-based alerts (silence) are checked")
    message_ids_days: float = Field(
        14.0, gt=0, description="how long message ids are kept to recognise a redelivery (older ones are pruned)"
    )
    zone_switch_db: float = Field(
        3.0,
        ge=0,
        le=60,
        description="when two readers' zones both claim a tag, a newer claim takes it from the zone holding it only "
        "if its RSSI is stronger by at least this many dB (a claim without RSSI is the weakest)",
    )
    exit_grace_s: float = Field(
        30.0,
        ge=0,
        le=3600,
        description="an unpaid item seen leaving is held this long (hub clock, from when the hub learns of it) for "
        "a till receipt delayed upstream before its alert is raised; 0 raises at once",
    )
    book_half_life_days: float = Field(
        7.0,
        gt=0,
        le=365,
        description="a book figure (a product no sensor counts: last count + received - sold +/- adjustments) "
        "loses half its confidence for every this many days since the count or delivery it starts from",
    )
    adjust_manager_units: int = Field(
        20, ge=0, le=1_000_000, description="an adjustment moving more units than this needs the manager role"
    )
    adjust_manager_eur: float = Field(
        100.0, ge=0, le=1_000_000, description="an adjustment worth more than this (at shelf price) needs the manager "
        "role"
    )
