from __future__ import annotations

import pytest

from comptoir.contract import Topic, TopicError, parse_topic, store_filter, topic


def test_build_and_parse_are_inverse() -> None:
    name = topic("rue-des-lilas", "gate", "exit-1", "passages")
    assert name == "comptoir/v1/rue-des-lilas/gate/exit-1/passages"
    assert parse_topic(name) == Topic("rue-des-lilas", "gate", "exit-1", "passages")
    assert str(parse_topic(name)) == name


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("s1", "rfid", "r/1", "events"), "not a valid id"),
        (("s1", "rfid", "r+", "events"), "not a valid id"),
        (("s#", "rfid", "r1", "events"), "store"),
        (("s1", "lidar", "r1", "events"), "unknown family"),
        (("s1", "rfid", "r1", "weight"), "no channel"),
        (("s1", "rfid", "", "events"), "not a valid id"),
    ],
)
def test_bad_levels_are_refused(args: tuple[str, str, str, str], words: str) -> None:
    with pytest.raises(TopicError, match=words):
        topic(*args)


def test_store_filter() -> None:
    assert store_filter("s1") == "comptoir/v1/s1/#"
