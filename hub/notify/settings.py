"""The ``notify:`` section of the hub config: channels (where a notice goes) and rules (which alerts, when).

A channel is one destination: an ntfy topic (a phone, a team), a webhook
receiver, an e-mail address list on the shop's SMTP server. A rule says which
alert kinds go to which channels, when not to disturb (quiet hours), how often
to repeat while nobody acknowledges, and after how long to escalate to other
channels (the manager's). docs/integrations.md shows a whole file.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from hub.i18n import CatalogLanguage

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class _Channel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_s: float = Field(5.0, gt=0, le=60, description="longest wait for the server to answer one delivery")


class NtfyChannel(_Channel):
    """A push to phones through an ntfy server: ``POST <server>/<topic>``, the title, priority and tags as headers."""

    type: Literal["ntfy"]
    server: str = Field(pattern=r"^https?://[^\s/]+",
                        description="the ntfy server's base URL, e.g. https://ntfy.shop.example")
    topic: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the topic the staff's phones subscribe to")
    token: SecretStr | None = Field(None, description="access token of a protected topic (sent as Bearer)")
    priority: int = Field(4, ge=1, le=5, description="ntfy priority, 1 (min) to 5 (max); escalations send 5")
    tags: list[str] = Field(default_factory=lambda: ["rotating_light"], max_length=10,
                            description="ntfy tags (emoji short codes or words); the alert kind is added")


class WebhookChannel(_Channel):
    """A JSON POST to the shop's own system, signed with HMAC-SHA256 (docs/integrations.md, how to verify)."""

    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://[^\s/]+", description="the receiver's URL (http:// or https://)")
    secret: SecretStr = Field(description="shared secret of the HMAC-SHA256 signature (16 characters or more)")

    @field_validator("secret")
    @classmethod
    def _long_secret(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("the webhook secret needs at least 16 characters (a guessable one signs nothing)")
        return value


class EmailChannel(_Channel):
    """A mail through the shop's SMTP server (smtplib); STARTTLS when asked, a login when given."""

    type: Literal["email"]
    host: str = Field(description="the SMTP server")
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = Field(True, description="upgrade the connection with STARTTLS before sending")
    ca_file: Path | None = Field(None, description="CA certificate(s) that sign the server's (a shop's own CA); "
                                 "default: the system's")
    username: str | None = Field(None, description="login, when the server wants one")
    password: SecretStr | None = None
    sender: str = Field(description="the From address")
    to: list[str] = Field(min_length=1, max_length=50, description="the addresses that receive it")


Channel = Annotated[NtfyChannel | WebhookChannel | EmailChannel, Field(discriminator="type")]


class QuietHours(BaseModel):
    """A daily window (the hub's time zone) in which a rule's notices wait; ``start > end`` spans midnight."""

    model_config = ConfigDict(extra="forbid")

    start: time = Field(description="HH:MM, local")
    end: time = Field(description="HH:MM, local; notices held during the window are sent from then")


class Rule(BaseModel):
    """Which alerts go where, and what happens while nobody acknowledges them."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[str] = Field(min_length=1, description="alert kinds (e.g. unpaid_item_exit, kiosk_help), or '*'")
    channels: list[str] = Field(min_length=1, description="channels that get the alert when it is raised")
    quiet_hours: QuietHours | None = Field(None, description="hold this rule's notices during this window")
    repeat_every_min: float | None = Field(
        None, gt=0, le=24 * 60, description="send again this often while the alert is open and unacknowledged")
    escalate_after_min: float | None = Field(
        None, gt=0, le=7 * 24 * 60, description="still unacknowledged after this long: send once to `escalate_to`")
    escalate_to: list[str] = Field(default_factory=list, description="the manager's channels")

    @model_validator(mode="after")
    def _escalation_has_targets(self) -> Rule:
        if (self.escalate_after_min is None) != (not self.escalate_to):
            raise ValueError("escalate_after_min and escalate_to go together: set both or neither")
        return self

    def matches(self, kind: str) -> bool:
        return "*" in self.kinds or kind in self.kinds


class NotifySettings(BaseModel):
    """Notifications of alerts to people (hub/notify/); off until a channel and a rule are configured."""

    model_config = ConfigDict(extra="forbid")

    language: CatalogLanguage = Field("fr", description="language of the notices (a catalog language of hub/i18n)")
    channels: dict[str, Channel] = Field(default_factory=dict, description="channel name -> where it delivers")
    rules: dict[str, Rule] = Field(default_factory=dict, description="rule name -> which alerts go where")
    poll_s: float = Field(0.5, gt=0, le=60, description="how often the worker looks for new alerts (real time)")
    retry_min_s: float = Field(5.0, gt=0, le=3600, description="first wait after a failed delivery; doubles")
    retry_max_s: float = Field(300.0, gt=0, le=86_400, description="longest wait between two tries")
    give_up_after_h: float = Field(
        24.0, gt=0, le=24 * 30, description="a delivery still failing this long after it was queued is marked failed")
    max_pending: int = Field(
        10_000, ge=10, le=1_000_000,
        description="most deliveries waiting at once; past it a new one is recorded as dropped (queue full)")
    keep_days: float = Field(30.0, gt=0, le=3650, description="sent and failed deliveries are deleted after this")

    @field_validator("channels", "rules")
    @classmethod
    def _names(cls, value: dict[str, object]) -> dict[str, object]:
        for name in value:
            if not NAME.match(name):
                raise ValueError(f"name {name!r}: use lower-case letters, digits, '-' and '_' (40 at most)")
        return value

    @model_validator(mode="after")
    def _known_channels(self) -> NotifySettings:
        for name, rule in self.rules.items():
            for channel in (*rule.channels, *rule.escalate_to):
                if channel not in self.channels:
                    raise ValueError(f"rule {name!r} names channel {channel!r}, which is not in notify.channels")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.channels and self.rules)
