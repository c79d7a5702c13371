"""Parameters of the fusion rules and of the alerts ingest raises (``fusion:`` in the hub config, docs/fusion.md).

They live in the core, which reads them; hub/config.py assembles them into
the hub's configuration file with the rest.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SilenceRule(BaseModel):
    """When a device kind's silence means something is wrong (docs/configuration.md, "Device silence")."""

    model_config = ConfigDict(extra="forbid")

    after_s: float | None = Field(
        description="an online device of this kind that says nothing this long (hub clock) is silent; null: "
        "silence is normal for this kind and never raises an alert (its death still shows through its status)",
        gt=0,
    )
    opening_hours_only: bool = Field(
        False, description="count silence only while the shop is open (`opening_hours`): at night it says nothing "
        "that is not expected",
    )


def _default_silence() -> dict[str, SilenceRule]:
    # Readers, cameras and scales publish at least every minute (snapshot_every_s, heartbeat_s), so a few minutes
    # of nothing is a symptom; cameras may be switched off at night; a till or a kiosk speaks only when a
    # customer does.
    return {
        "rfid-reader": SilenceRule(after_s=300),
        "camera": SilenceRule(after_s=300, opening_hours_only=True),
        "scale": SilenceRule(after_s=300),
        "pos": SilenceRule(after_s=None),
        "kiosk": SilenceRule(after_s=None),
    }


class SilenceSettings(BaseModel):
    """Silence rules per device kind (the ``kind`` of its retained status), with a default for other kinds."""

    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, SilenceRule] = Field(
        default_factory=_default_silence,
        description="rule per device kind; a kind listed here replaces its default, kinds not listed keep theirs",
    )
    opening_hours: tuple[time, time] = Field(
        (time(8, 0), time(20, 0)),
        description="when the shop is open, local time of the store's time zone, [opens, closes] (HH:MM); "
        "closes before opens means open past midnight",
    )

    @model_validator(mode="after")
    def _keep_defaults(self) -> SilenceSettings:
        self.kinds = {**_default_silence(), **self.kinds}
        return self

    def rule(self, kind: str | None, default_s: float) -> SilenceRule:
        """The rule for ``kind``; an unknown kind is silent after ``default_s`` at any hour."""
        return self.kinds.get(kind or "", SilenceRule(after_s=default_s))

    def is_open(self, local: time) -> bool:
        opens, closes = self.opening_hours
        if opens <= closes:
            return opens <= local < closes
        return local >= opens or local < closes

    def last_opening(self, now: float, zone: tzinfo) -> float:
        """The latest opening time (Unix seconds) at or before ``now``, in ``zone``."""
        local = datetime.fromtimestamp(now, zone)
        opening = datetime.combine(local.date(), self.opening_hours[0], zone)
        if opening > local:
            opening = datetime.combine(local.date() - timedelta(days=1), self.opening_hours[0], zone)
        return opening.timestamp()


class FusionSettings(BaseModel):
    """Parameters of the fusion rules and alert thresholds (see docs/fusion.md)."""

    model_config = ConfigDict(extra="forbid")

    fresh_s: float = Field(600.0, gt=0, description="a figure younger than this keeps its full confidence")
    stale_s: float = Field(3600.0, gt=0, description="a figure this old has lost half its confidence")
    paid_credit_hours: float = Field(2.0, gt=0, description="how long a sale by GTIN waits to be matched to a tag")
    device_silent_s: float = Field(
        300.0, gt=0, description="an online device of a kind without a silence rule (`silence.kinds`) that says "
        "nothing this long is silent",
    )
    silence: SilenceSettings = Field(default_factory=SilenceSettings, description="silence rules per device kind")
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
