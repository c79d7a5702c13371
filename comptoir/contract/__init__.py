"""The MQTT contract that edge and hub share: topics and payload models."""

from comptoir.contract.codec import MAX_PAYLOAD_BYTES, MODELS, SCHEMAS, ContractError, decode, encode, validate
from comptoir.contract.device import DeviceCommand, DeviceConfig, DeviceStatus
from comptoir.contract.envelope import Message
from comptoir.contract.fields import gtin14
from comptoir.contract.hub import HubAlert
from comptoir.contract.pos import PosReceipt, ReceiptLine
from comptoir.contract.rfid import MAX_BATCH_EVENTS, BatchedZoneEvent, GatePassage, ZoneEvent, ZoneEvents, ZoneSnapshot
from comptoir.contract.scale import ScaleWeight
from comptoir.contract.topics import Topic, TopicError, parse_topic, store_filter, topic
from comptoir.contract.vision import ShelfCounts, SlotCount

__all__ = [
    "MAX_BATCH_EVENTS",
    "MAX_PAYLOAD_BYTES",
    "MODELS",
    "SCHEMAS",
    "BatchedZoneEvent",
    "ContractError",
    "DeviceCommand",
    "DeviceConfig",
    "DeviceStatus",
    "GatePassage",
    "HubAlert",
    "Message",
    "PosReceipt",
    "ReceiptLine",
    "ScaleWeight",
    "ShelfCounts",
    "SlotCount",
    "Topic",
    "TopicError",
    "ZoneEvent",
    "ZoneEvents",
    "ZoneSnapshot",
    "decode",
    "encode",
    "gtin14",
    "parse_topic",
    "store_filter",
    "topic",
    "validate",
]
