"""Encoding and decoding of contract messages, with errors that name the field.

``decode`` is the one gate every received payload passes: size, topic,
JSON, schema name, version, fields, and that the topic matches the payload.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from comptoir.contract.device import DeviceConfig, DeviceStatus
from comptoir.contract.envelope import Message
from comptoir.contract.hub import HubAlert
from comptoir.contract.pos import PosReceipt
from comptoir.contract.rfid import GatePassage, ZoneEvent, ZoneEvents, ZoneSnapshot
from comptoir.contract.scale import ScaleWeight
from comptoir.contract.topics import Topic, TopicError, parse_topic
from comptoir.contract.vision import ShelfCounts

#: Every payload model of the contract.
MODELS: tuple[type[Message], ...] = (
    ZoneEvent,
    ZoneEvents,
    ZoneSnapshot,
    GatePassage,
    ShelfCounts,
    ScaleWeight,
    PosReceipt,
    DeviceStatus,
    DeviceConfig,
    HubAlert,
)
SCHEMAS: dict[str, type[Message]] = {m.SCHEMA: m for m in MODELS}

#: Payloads above this size are rejected before parsing.
MAX_PAYLOAD_BYTES = 256 * 1024


class ContractError(ValueError):
    """A payload that breaks the contract.

    ``field`` names the offending field (dotted path) when there is one, so
    that a dead-letter entry or a log line says exactly what to fix.
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field


def encode(message: Message) -> bytes:
    """Serialise a message to the JSON bytes that go on the wire."""
    return message.model_dump_json(by_alias=True, exclude_none=True).encode()


def _first_error(exc: ValidationError) -> ContractError:
    errors = exc.errors(include_url=False)
    parts = []
    for err in errors[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "payload"
        loc = "schema" if loc == "schema_name" else loc
        parts.append((loc, err["msg"]))
    field = parts[0][0]
    reason = "; ".join(f"{loc}: {msg}" if i else msg for i, (loc, msg) in enumerate(parts))
    if len(errors) > 3:
        reason += f" (and {len(errors) - 3} more)"
    return ContractError(reason, field)


def validate(data: Any) -> Message:
    """Turn a parsed JSON object into its payload model, or raise ContractError."""
    if not isinstance(data, dict):
        raise ContractError(f"payload must be a JSON object, got {type(data).__name__}")
    name = data.get("schema")
    if not isinstance(name, str):
        raise ContractError("missing or not a string", "schema")
    model = SCHEMAS.get(name)
    if model is None:
        raise ContractError(f"unknown schema {name!r}", "schema")
    version = data.get("version")
    if version != model.VERSION or isinstance(version, bool):
        raise ContractError(
            f"unsupported version {version!r} of {name} (this build reads version {model.VERSION})", "version"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc) from None


def decode(topic: str, payload: bytes | str) -> Message:
    """Check and parse a payload received on ``topic``; raise ContractError on any fault."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ContractError(f"payload of {len(payload)} bytes exceeds the limit of {MAX_PAYLOAD_BYTES}")
    try:
        where: Topic = parse_topic(topic)
    except TopicError as exc:
        raise ContractError(str(exc), "topic") from None
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ContractError(f"payload is not valid JSON: {exc}") from None
    message = validate(data)
    if (where.family, where.channel) != (message.FAMILY, message.CHANNEL):
        raise ContractError(
            f"schema {message.SCHEMA} belongs on {message.FAMILY}/<id>/{message.CHANNEL}, "
            f"not on {where.family}/<id>/{where.channel}",
            "topic",
        )
    if where.id != message.topic_id():
        raise ContractError(f"topic id {where.id!r} does not match the payload's {message.topic_id()!r}", "topic")
    return message
