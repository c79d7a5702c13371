"""The hub's configuration file (``comptoir hub --config hub.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from comptoir.contract.topics import check_id
from comptoir.link import BrokerSettings
from hub.assistant.settings import KioskSettings
from hub.forecast.policy import ReorderPolicy
from hub.inventory.settings import FusionSettings


class ApiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="address the web server listens on")
    port: int = Field(8080, ge=0, le=65535, description="0 picks a free port (tests)")
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="how long a staff sign-in lasts")
    kiosk_rate_per_minute: int = Field(120, ge=1, le=100_000, description="requests per minute per client, kiosk")
    login_rate_per_minute: int = Field(10, ge=1, le=10_000, description="sign-in attempts per minute per client")
    cookie_secure: bool = Field(False, description="send the session cookie over HTTPS only (behind a TLS proxy)")
    openapi: Literal["public", "staff", "off"] = Field(
        "staff", description="who may read /openapi.json and /docs: anyone, signed-in staff, or nobody")
    max_body_bytes: int = Field(262_144, ge=1024, le=64 * 1024 * 1024,
                                description="largest request body accepted; a bigger one gets 413")
    max_header_bytes: int = Field(16_384, ge=4096, le=1024 * 1024,
                                  description="largest total of request headers (cookies included); more gets 431")
    trusted_origins: list[str] = Field(
        default_factory=list, max_length=20,
        description="origins besides the hub's own address allowed to send state-changing requests from a "
        "browser, e.g. https://hub.shop.example behind a TLS proxy (docs/api.md, origin rule)")
    kiosk_token_minutes: float = Field(
        5.0, gt=0, le=60, description="how long a customer token issued at the till opens personalised suggestions")


class AdmissionSettings(BaseModel):
    """Who may say what, and when: the hub's rules beyond the contract (hub/admission.py, docs/fusion.md)."""

    model_config = ConfigDict(extra="forbid")

    future_tolerance_s: float = Field(
        300.0,
        ge=0,
        le=86_400,
        description="a message or event dated more than this ahead of the hub's clock is dead-lettered, never "
        "applied (a device clock set wrong would otherwise freeze the items it names)",
    )
    lanes: dict[str, str] = Field(
        default_factory=dict,
        description="till lane -> the device id of the till that writes its receipts; when set, a receipt is "
        "accepted only from its lane's till and only for these lanes; empty: the broker's ACL alone decides",
    )
    strict: bool = Field(
        False,
        description="also dead-letter data about zones, gates and slots the reference data binds to no device "
        "(default: accept it and log it once, so a shop that has not imported its zones yet loses nothing)",
    )

    @field_validator("lanes")
    @classmethod
    def _lane_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for lane, till in value.items():
            check_id(lane, "lane")
            check_id(till, "till")
        return value

class StorageSettings(BaseModel):
    """Durability of the database and what ingest does when it cannot write (docs/operations.md)."""

    model_config = ConfigDict(extra="forbid")

    synchronous: Literal["FULL", "NORMAL"] = Field(
        "FULL",
        description="FULL: every committed batch (and so every message acknowledged to the broker) survives a power "
        "cut, at one fsync per batch; NORMAL: survives a killed process only (bench/durability.py measures the cost)",
    )
    busy_timeout_ms: int = Field(
        100, ge=0, le=10_000,
        description="how long one write waits for a lock held by another process (an import) before ingest backs "
        "off; the wait blocks the API, so keep it short",
    )
    retry_max_s: float = Field(5.0, gt=0, le=300, description="longest wait between two tries of a held-back batch")
    stall_after_s: float = Field(
        60.0, gt=0, le=86_400,
        description="a batch in hand this long while the store works makes /api/health say stalled (503)",
    )


class HubConfig(BaseModel):
    """Everything ``comptoir hub`` needs; see docs/api.md for an example file."""

    model_config = ConfigDict(extra="forbid")

    store: str = Field(description="store id, the third level of every topic")
    timezone: str | None = Field(None, description="the store's IANA time zone (e.g. Europe/Paris): sales days "
                                 "and the daily reorder run follow it; unset: the kiosk's (kiosk.timezone)")
    hub_id: str = Field("hub", description="this hub's device id on MQTT")
    db: Path = Field(Path("hub.sqlite"), description="the SQLite database file")
    outbox: Path | None = Field(None, description="outbox for published alerts; default: next to the database")
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    fusion: FusionSettings = Field(default_factory=FusionSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    reorder: ReorderPolicy = Field(default_factory=ReorderPolicy, description="docs/forecasting.md")
    kiosk: KioskSettings = Field(default_factory=KioskSettings)
    admission: AdmissionSettings = Field(default_factory=AdmissionSettings, description="docs/fusion.md")
    batch_max: int = Field(
        200, ge=1, le=100_000,
        description="most messages written in one transaction (a batched message holds up to 500 events)",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        try:
            if value is not None:
                ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris or UTC") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The store's time zone: ``timezone``, else the kiosk's (one shop, one zone)."""
        return ZoneInfo(self.timezone or self.kiosk.timezone)

    @property
    def outbox_path(self) -> Path:
        return self.outbox or self.db.with_name(self.db.name + ".outbox")
