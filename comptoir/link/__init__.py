"""The MQTT link with its store-and-forward outbox."""

from comptoir.link.mqtt import LinkStats, MqttLink
from comptoir.link.outbox import Outbox, Pending
from comptoir.link.settings import BrokerSettings

__all__ = ["BrokerSettings", "LinkStats", "MqttLink", "Outbox", "Pending"]
