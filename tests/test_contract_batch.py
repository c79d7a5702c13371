"""Batched zone events: each event checked as a single zone event is, the whole message rejected for one bad event."""

from __future__ import annotations

import copy
import json

import pytest

from comptoir.contract import MAX_BATCH_EVENTS, ContractError, ZoneEvent, ZoneEvents, decode, encode
from tests.contract_examples import doc_examples

EXAMPLES = {json.loads(payload)["schema"]: (topic, json.loads(payload)) for topic, payload in doc_examples()}
BATCH_TOPIC, BATCH = EXAMPLES["comptoir.rfid.zone_events"]
SINGLE_TOPIC, SINGLE = EXAMPLES["comptoir.rfid.zone_event"]
ENVELOPE = ("schema", "version", "msg_id", "device", "seq")


def _decode(topic: str, data: dict) -> object:
    return decode(topic, json.dumps(data).encode())


def _error(topic: str, data: dict) -> ContractError:
    with pytest.raises(ContractError) as info:
        _decode(topic, data)
    return info.value


def test_a_batch_carries_each_event_with_its_own_time() -> None:
    batch = _decode(BATCH_TOPIC, BATCH)
    assert isinstance(batch, ZoneEvents)
    assert [e.event for e in batch.events] == ["moved", "arrived", "departed"]
    assert batch.events[0].time < batch.events[1].time
    assert batch.events[2].gtin is None and batch.events[2].epc == "E2801160600002084C5E1A3B"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rssi": 99}, "rssi"),
        ({"event": "vanished"}, "event"),
        ({"gtin": "03017620422004"}, "gtin"),
        ({"epc": "XYZ"}, "epc"),
        ({"colour": "red"}, "colour"),
        ({"time": "2026-11-26T09:15:02"}, "time"),
        ({"from_location": None}, "events.1"),  # 'moved' without its origin
    ],
)
def test_one_bad_event_rejects_the_batch_naming_its_index_and_field(change: dict, field: str) -> None:
    """The same change made to a single zone event is rejected for the same field."""
    single = {**SINGLE, **change}
    single_error = _error(SINGLE_TOPIC, single)
    batch = copy.deepcopy(BATCH)
    moved = batch["events"][0]
    batch["events"] = [batch["events"][1], {**moved, **change}, batch["events"][2]]
    error = _error(BATCH_TOPIC, batch)
    expected = field if field.startswith("events.") else f"events.1.{field}"
    assert error.field == expected
    assert single_error.field == (field if not field.startswith("events.") else "payload")


def test_a_batch_is_bounded_and_never_empty() -> None:
    event = BATCH["events"][1]
    assert _error(BATCH_TOPIC, {**BATCH, "events": []}).field == "events"
    too_many = _error(BATCH_TOPIC, {**BATCH, "events": [event] * (MAX_BATCH_EVENTS + 1)})
    assert too_many.field == "events" and str(MAX_BATCH_EVENTS) in str(too_many)
    full = _decode(BATCH_TOPIC, {**BATCH, "events": [event] * MAX_BATCH_EVENTS})
    assert len(full.events) == MAX_BATCH_EVENTS
    assert len(encode(full)) < 256 * 1024  # a full batch of typical events fits the payload limit


def test_batches_and_single_events_each_keep_their_own_channel() -> None:
    assert "belongs on rfid/<id>/event_batch" in str(_error(SINGLE_TOPIC, BATCH))
    assert "belongs on rfid/<id>/events" in str(_error(BATCH_TOPIC, SINGLE))
    assert isinstance(_decode(SINGLE_TOPIC, SINGLE), ZoneEvent)  # version 1 single events stay valid


def test_the_envelope_is_the_batchs_not_each_events() -> None:
    batch = copy.deepcopy(BATCH)
    batch["events"][0]["msg_id"] = "0123456789abcdef"
    assert _error(BATCH_TOPIC, batch).field == "events.0.msg_id"
    assert all(key in BATCH for key in ENVELOPE)
