"""Encoding and decoding of contract messages, with errors that name the field.

``decode`` is the one gate every received payload passes: size, topic,
JSON, schema name, version, fields, and that the topic matches the payload.
Whatever the bytes (any size, nesting, encoding or JSON value), it returns a
message or raises :class:`ContractError`, never anything else: a consumer
that dead-letters ContractError and carries on can then never be stopped by
a payload.
"""

from __future__ import annotations

import json
import math
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


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _parse_json(payload: bytes | str) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no lone surrogate, bounded nesting.

    A key repeated in an object is left to JSON's usual rule (the last one
    wins), as every parser an integrator is likely to use does: rejecting it
    would cost a Python call per object, about a third more parsing time per
    zone event, to guard against two parsers disagreeing when only one reads.
    """
    if isinstance(payload, str):
        text = payload
        text.encode("utf-8")  # a str holding a lone surrogate cannot be stored or sent on
    else:
        text = payload.decode("utf-8")
    data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    if "\\u" in text:
        # an escaped lone surrogate (\ud800) decodes to a str that SQLite and UTF-8 refuse later on
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    return data


def decode(topic: str, payload: bytes | str) -> Message:
    """Check and parse a payload received on ``topic``; raise ContractError on any fault, and nothing else."""
    try:
        return _decode(topic, payload)
    except ContractError:
        raise
    except RecursionError:
        raise ContractError("payload is not valid JSON: nested too deeply") from None
    except Exception as exc:  # the gate's promise: a bad payload is a ContractError
        raise ContractError(f"payload could not be decoded: {type(exc).__name__}: {str(exc)[:200]}") from None


def _decode(topic: str, payload: bytes | str) -> Message:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ContractError(f"payload of {len(payload)} bytes exceeds the limit of {MAX_PAYLOAD_BYTES}")
    try:
        where: Topic = parse_topic(topic)
    except TopicError as exc:
        raise ContractError(str(exc), "topic") from None
    try:
        data = _parse_json(payload)
    except RecursionError:
        raise ContractError("payload is not valid JSON: nested too deeply") from None
    except (ValueError, UnicodeError) as exc:
        raise ContractError(f"payload is not valid JSON: {str(exc)[:200]}") from None
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
