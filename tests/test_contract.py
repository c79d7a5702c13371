"""The payload models: round trips, and rejection with a reason that names the field."""

from __future__ import annotations

import json

import pytest

from comptoir.contract import MAX_PAYLOAD_BYTES, MODELS, ContractError, decode, encode, gtin14, parse_topic
from tests.contract_examples import doc_examples

EXAMPLES = doc_examples()


def test_docs_show_an_example_of_every_model() -> None:
    shown = {json.loads(payload)["schema"] for _, payload in EXAMPLES}
    assert shown == {m.SCHEMA for m in MODELS}


@pytest.mark.parametrize(("topic", "payload"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_every_doc_example_validates_and_round_trips(topic: str, payload: str) -> None:
    message = decode(topic, payload.encode())
    assert message.topic(parse_topic(topic).store) == topic
    again = decode(topic, encode(message))
    assert again == message
    assert json.loads(encode(again))["schema"] == json.loads(payload)["schema"]


def _example(schema: str) -> tuple[str, dict]:
    for topic, payload in EXAMPLES:
        data = json.loads(payload)
        if data["schema"] == schema:
            return topic, data
    raise AssertionError(schema)


def _reject(topic: str, data: dict | bytes) -> ContractError:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pytest.raises(ContractError) as info:
        decode(topic, raw)
    return info.value


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"seq": "forty-two"}, "seq", "valid integer"),
        ({"seq": -1}, "seq", "greater than or equal"),
        ({"seq": 10**30}, "seq", "less than or equal"),
        ({"time": "yesterday"}, "time", "datetime"),
        ({"time": "2026-11-26T09:15:02"}, "time", "timezone"),
        ({"event": "vanished"}, "event", "arrived"),
        ({"gtin": "03017620422004"}, "gtin", "check digit"),
        ({"epc": "XYZ"}, "epc", "pattern"),
        ({"colour": "red"}, "colour", "Extra inputs"),
        ({"version": 2}, "version", "unsupported version 2"),
        ({"version": True}, "version", "unsupported version"),
        ({"schema": "comptoir.rfid.teleport"}, "schema", "unknown schema"),
    ],
)
def test_a_bad_field_is_rejected_with_its_name(change: dict, field: str, words: str) -> None:
    topic, data = _example("comptoir.rfid.zone_event")
    err = _reject(topic, {**data, **change})
    assert err.field == field
    assert words in str(err)


@pytest.mark.parametrize("missing", ["msg_id", "device", "seq", "time", "epc", "location", "schema"])
def test_a_missing_field_is_named(missing: str) -> None:
    topic, data = _example("comptoir.rfid.zone_event")
    del data[missing]
    err = _reject(topic, data)
    assert err.field == missing


def test_moved_needs_its_origin() -> None:
    topic, data = _example("comptoir.rfid.zone_event")
    del data["from_location"]
    assert "from_location" in str(_reject(topic, data))


def test_occluded_slot_has_no_count_and_a_count_is_not_occluded() -> None:
    topic, data = _example("comptoir.vision.shelf_counts")
    data["slots"][2]["facings"] = 0
    err = _reject(topic, data)
    assert err.field == "slots.2"
    assert "occluded" in str(err)


def test_the_topic_must_match_the_payload() -> None:
    topic, data = _example("comptoir.rfid.zone_event")
    assert "reader-1" in str(_reject(topic.replace("reader-1", "reader-9"), data))
    err = _reject(topic.replace("rfid/reader-1/events", "scale/reader-1/weight"), data)
    assert err.field == "topic" and "belongs on rfid" in str(err)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"seq": 1e999}', "out of range"),  # infinity is no JSON number, rejected while parsing
        (b'{"schema": "comptoir.rfid.zone_event", "version": 1, "seq": ' + b"9" * 5000 + b"}", "not valid JSON"),
    ],
)
def test_garbage_is_rejected_with_a_reason(raw: bytes, words: str) -> None:
    topic, _ = _example("comptoir.rfid.zone_event")
    assert words in str(_reject(topic, raw))


def test_an_oversized_payload_is_rejected_before_parsing() -> None:
    topic, data = _example("comptoir.rfid.zone_event")
    data["location"] = "x" * (MAX_PAYLOAD_BYTES + 1)
    assert "exceeds the limit" in str(_reject(topic, data))


@pytest.mark.parametrize(
    "topic",
    [
        "comptoir/v2/demo/rfid/r1/events",
        "comptoir/v1/demo/rfid/r1",
        "comptoir/v1/demo/teleport/r1/events",
        "comptoir/v1/demo/rfid/r1/weight",
        "comptoir/v1/de mo/rfid/r1/events",
        "other/v1/demo/rfid/r1/events",
    ],
)
def test_a_topic_outside_the_contract_is_rejected(topic: str) -> None:
    _, data = _example("comptoir.rfid.zone_event")
    assert _reject(topic, data).field == "topic"


def test_gtin14_pads_and_checks() -> None:
    assert gtin14("3017620422003") == "03017620422003"
    assert gtin14("96385074") == "00000096385074"
    with pytest.raises(ValueError, match="check digit"):
        gtin14("3017620422004")
    with pytest.raises(ValueError, match="digits"):
        gtin14("30176204220")
