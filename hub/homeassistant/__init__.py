"""Home Assistant MQTT discovery: the shop's devices, open alerts and watched shelves (docs/integrations.md).

``discovery`` builds the config and state messages from the hub's tables;
``publisher`` keeps them retained on the broker and removes what is retired.
"""

from hub.homeassistant.publisher import HomeAssistantPublisher
from hub.homeassistant.settings import HomeAssistantSettings

__all__ = ["HomeAssistantPublisher", "HomeAssistantSettings"]
