"""The ``homeassistant:`` section of the hub config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hub.i18n import CatalogLanguage


class HomeAssistantSettings(BaseModel):
    """The ``homeassistant:`` section of the hub config: MQTT discovery for the shop's Home Assistant."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="publish discovery and state messages for Home Assistant")
    discovery_prefix: str = Field("homeassistant", pattern=r"^[A-Za-z0-9_-]{1,64}$",
                                  description="Home Assistant's discovery prefix (its MQTT integration's setting)")
    language: CatalogLanguage = Field("fr", description="language of the entities' names and the alerts' texts")
    every_s: float = Field(5.0, gt=0, le=3600, description="how often states are refreshed (hub clock)")
