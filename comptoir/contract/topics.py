"""Topic names of the contract: ``comptoir/v1/<store>/<family>/<id>/<channel>``.

One function builds a topic and one parses it, so that no module of the
project writes a topic string by hand. Ids are single topic levels: they may
not contain ``/``, ``+``, ``#`` or whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROOT = "comptoir"
VERSION = "v1"

#: family -> the channels it carries (the last topic level).
CHANNELS: dict[str, frozenset[str]] = {
    "rfid": frozenset({"events", "event_batch", "snapshot"}),
    "gate": frozenset({"passages"}),
    "vision": frozenset({"shelf"}),
    "scale": frozenset({"weight"}),
    "pos": frozenset({"receipts"}),
    "device": frozenset({"status", "config"}),
    "hub": frozenset({"alerts"}),
}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


class TopicError(ValueError):
    """A topic that is not part of the contract; the message says why."""


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it can stand as one topic level, else raise TopicError."""
    if not isinstance(value, str) or not _ID.match(value):
        raise TopicError(
            f"{what} {value!r} is not a valid id: use 1-64 letters, digits, '.', '_', ':' or '-', "
            "starting with a letter or digit"
        )
    return value


@dataclass(frozen=True, slots=True)
class Topic:
    """A parsed contract topic."""

    store: str
    family: str
    id: str
    channel: str

    def __str__(self) -> str:
        return f"{ROOT}/{VERSION}/{self.store}/{self.family}/{self.id}/{self.channel}"


def topic(store: str, family: str, id: str, channel: str) -> str:
    """Build a contract topic, checking every level."""
    check_id(store, "store")
    if family not in CHANNELS:
        raise TopicError(f"unknown family {family!r}; known: {', '.join(sorted(CHANNELS))}")
    if channel not in CHANNELS[family]:
        raise TopicError(
            f"family {family!r} has no channel {channel!r}; known: {', '.join(sorted(CHANNELS[family]))}"
        )
    check_id(id, f"{family} id")
    return f"{ROOT}/{VERSION}/{store}/{family}/{id}/{channel}"


def parse_topic(name: str) -> Topic:
    """Parse a contract topic; raise TopicError naming the level that is wrong."""
    parts = name.split("/")
    if len(parts) != 6:
        raise TopicError(
            f"topic {name!r} has {len(parts)} levels; expected "
            f"{ROOT}/{VERSION}/<store>/<family>/<id>/<channel>"
        )
    root, version, store, family, id_, channel = parts
    if root != ROOT:
        raise TopicError(f"topic {name!r} does not start with {ROOT!r}")
    if version != VERSION:
        raise TopicError(f"topic {name!r} has contract version {version!r}; this build speaks {VERSION!r}")
    if family not in CHANNELS:
        raise TopicError(f"topic {name!r} has unknown family {family!r}")
    if channel not in CHANNELS[family]:
        raise TopicError(f"topic {name!r}: family {family!r} has no channel {channel!r}")
    check_id(store, "store")
    check_id(id_, f"{family} id")
    return Topic(store, family, id_, channel)


def store_filter(store: str) -> str:
    """The subscription filter that matches every topic of one store."""
    check_id(store, "store")
    return f"{ROOT}/{VERSION}/{store}/#"
