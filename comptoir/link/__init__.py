"""The MQTT link with its store-and-forward outbox."""

from comptoir.link.consumer import ConsumerState, RetryPolicy
from comptoir.link.errors import StoreUnavailable
from comptoir.link.mqtt import LinkStats, MqttLink
from comptoir.link.outbox import Outbox, Pending
from comptoir.link.settings import BrokerSettings

__all__ = ["BrokerSettings", "ConsumerState", "LinkStats", "MqttLink", "Outbox", "Pending", "RetryPolicy",
           "StoreUnavailable"]
