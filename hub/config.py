"""The hub's configuration file (``comptoir hub --config hub.yaml``)."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from comptoir.contract.topics import check_id
from comptoir.link import BrokerSettings
from comptoir.metrics import MetricsSettings
from hub.epcis.settings import EpcisSettings
from hub.fresh.settings import FreshSettings
from hub.homeassistant.settings import HomeAssistantSettings
from hub.inventory.reorder import ReorderModel
from hub.inventory.settings import FusionSettings
from hub.inventory.tag_history import TagHistorySettings
from hub.notify.settings import NotifySettings


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


MON_FRI = (0, 1, 2, 3, 4)


class SupplierTerms(BaseModel):
    """What one supplier imposes; unset fields fall back to the policy's defaults."""

    model_config = ConfigDict(extra="forbid")

    review_period_days: int | None = Field(None, ge=1, le=90, description="days between two orders to this supplier")
    min_order_units: int = Field(0, ge=0, le=100_000, description="smallest order line, in units")
    working_days: tuple[int, ...] | None = Field(None, description="days the supplier works and delivers (0=Monday)")


class ReorderPolicy(ReorderModel):
    """Parameters of the reorder suggestions and, inherited, of the reorder point (``reorder:`` in the hub config)."""

    model_config = ConfigDict(extra="forbid")

    service_level: float = Field(0.95, gt=0.5, lt=1.0, description="chance of no stock-out per cycle, by default")
    service_levels: dict[str, float] = Field(default_factory=dict,
                                             description="service level per catalog category (overrides the default)")
    review_period_days: int = Field(7, ge=1, le=90, description="days between two reviews (orders) per supplier")
    order_days: tuple[int, ...] = Field(MON_FRI, description="weekdays staff place orders on (0=Monday)")
    working_days: tuple[int, ...] = Field(MON_FRI, description="weekdays suppliers work: lead times count these")
    min_order_packs: int = Field(1, ge=1, le=1000, description="smallest order line, in packs")
    suppliers: dict[str, SupplierTerms] = Field(default_factory=dict, description="terms per supplier name")
    history_days: int = Field(364, ge=28, le=3650, description="days of sales the forecasts learn from")
    backtest_windows: int = Field(6, ge=2, le=12, description="rolling-origin windows to choose each model with")
    horizon_days: int = Field(14, ge=7, le=120, description="forecast horizon (grown to the longest protection)")
    run_daily: bool = Field(True, description="forecast and suggest once a day inside the hub service")
    daily_at: time = Field(time(6, 0), description="local time of the daily run (the hub's `timezone`), HH:MM")

    def level_for(self, category: str) -> float:
        return self.service_levels.get(category, self.service_level)

    def terms(self, supplier: str) -> tuple[int, int, tuple[int, ...]]:
        """(review period, minimum order units, working days) for a supplier."""
        t = self.suppliers.get(supplier) or SupplierTerms()
        return (t.review_period_days or self.review_period_days, t.min_order_units,
                t.working_days or self.working_days)


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
    notify: NotifySettings = Field(default_factory=NotifySettings, description="docs/integrations.md")
    homeassistant: HomeAssistantSettings = Field(default_factory=HomeAssistantSettings,
                                                 description="docs/integrations.md")
    # issue 23: Prometheus endpoint, tags' movements, EPCIS (docs/integrations.md)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings, description="the /metrics endpoint")
    tag_history: TagHistorySettings = Field(default_factory=TagHistorySettings)
    epcis: EpcisSettings = Field(default_factory=EpcisSettings)
    fresh: FreshSettings = Field(default_factory=FreshSettings, description="docs/fresh.md")
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
