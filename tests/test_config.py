"""Config files: errors name the file, the key and what is wrong; secrets come from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from comptoir.config import ConfigError, load_config
from comptoir.link import BrokerSettings


class DeviceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store: str
    broker: BrokerSettings = BrokerSettings()
    antennas: list[int] = []


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edge.yaml"
    path.write_text(text)
    return path


def test_a_good_file_with_a_secret_from_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "store: rue-des-lilas\nbroker:\n  url: mqtts://hub.local:8883\n"
        "  username: edge-1\n  password: ${MQTT_PASSWORD}\n",
    )
    config = load_config(path, DeviceConfig, env={"MQTT_PASSWORD": "s3cret"})
    assert config.broker.password is not None and config.broker.password.get_secret_value() == "s3cret"
    assert (config.broker.host, config.broker.port, config.broker.tls) == ("hub.local", 8883, True)
    assert "s3cret" not in repr(config)


def test_a_missing_secret_names_the_key_and_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "store: s\nbroker:\n  password: ${MQTT_PASSWORD}\n")
    with pytest.raises(ConfigError, match=r"edge.yaml: broker.password: environment variable MQTT_PASSWORD"):
        load_config(path, DeviceConfig, env={})


def test_a_default_for_an_unset_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "store: ${STORE:-demo}\n")
    assert load_config(path, DeviceConfig, env={}).store == "demo"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("store: s\nbroker:\n  url: http://hub:1883\n", r"broker.url: .*must start with mqtt://"),
        ("store: s\nbroker:\n  url: mqtt://hub:99999\n", r"broker.url: .*invalid port"),
        ("store: s\nantennas: [1, two]\n", r"antennas.1: Input should be a valid integer.*'two'"),
        ("broker: {}\n", r"store: Field required"),
        ("store: s\nbrokr: {}\n", r"brokr: Extra inputs are not permitted"),
        ("store: [unclosed\n", r"not valid YAML at line 2"),
        ("- a\n- b\n", r"must hold a mapping"),
    ],
)
def test_errors_name_file_key_and_problem(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as info:
        load_config(write(tmp_path, text), DeviceConfig, env={})
    assert str(info.value).startswith(str(tmp_path / "edge.yaml"))


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "nope.yaml", DeviceConfig)
