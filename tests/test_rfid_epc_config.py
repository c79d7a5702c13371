"""EPC decoding (an unknown scheme is kept, never dropped) and the edge.yaml model."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.config import ConfigError, load_config
from comptoir.contract import ZoneEvents, ZoneSnapshot, decode
from comptoir.link import BrokerSettings, MqttLink
from edge.config import EdgeConfig, ReaderConfig
from edge.rfid.agent import RfidAgent
from edge.rfid.epc import decode_epc
from edge.rfid.tracker import TrackerParams
from simulators.world import sgtin96

T0_US = 1_767_600_000_000_000


def test_sgtin96_gives_gtin14_and_serial() -> None:
    epc = sgtin96("03424388004912", 1234)
    info = decode_epc(epc.lower())
    assert (info.epc, info.scheme, info.gtin, info.serial) == (epc, "sgtin-96", "03424388004912", "1234")
    assert not info.flagged


@pytest.mark.parametrize(
    "epc",
    [
        "E2801160600002054E5E2C5A",  # a chip's TID-like value, no EPC header
        "3500A1B2C3D4E5F600000001",  # GID-96: a valid EPC, but not an SGTIN
        "AD000000",  # too short for any scheme
    ],
)
def test_other_epcs_are_kept_raw_and_flagged(epc: str) -> None:
    info = decode_epc(epc)
    assert info.epc == epc and info.scheme is None and info.gtin is None and info.flagged and info.problem


def test_agent_publishes_unknown_epcs_as_raw_hex(tmp_path: Path) -> None:
    # the real link, not started: what it would send waits in its outbox, where we read it
    link = MqttLink(BrokerSettings(), store="demo", device="reader-1", kind="rfid-reader", outbox=tmp_path / "o.sqlite")
    config = ReaderConfig(
        id="reader-1", host="127.0.0.1", antennas={1: "backroom"}, tracker=TrackerParams(arrival_settle_s=0)
    )
    agent = RfidAgent(config, link)
    good = sgtin96("03424388004912", 7).lower().encode()
    agent.process_tags(
        [
            {"EPC-96": b"e2801160600002054e5e2c5a", "AntennaID": 1, "PeakRSSI": -50, "LastSeenTimestampUTC": T0_US},
            {"EPC-96": good, "AntennaID": 1, "PeakRSSI": -52, "LastSeenTimestampUTC": T0_US + 10},
            {"AntennaID": 1, "PeakRSSI": -52},  # no EPC at all: counted, not tracked
        ]
    )
    agent.tick()
    agent.snapshot()
    messages = [decode(row.topic, row.payload) for row in link.outbox.peek()]
    events = {e.epc: e for m in messages if isinstance(m, ZoneEvents) for e in m.events}
    assert events["E2801160600002054E5E2C5A"].scheme is None and events["E2801160600002054E5E2C5A"].gtin is None
    assert events[good.decode().upper()].gtin == "03424388004912"
    snapshot = next(m for m in messages if isinstance(m, ZoneSnapshot))
    assert snapshot.zones == {"backroom": {"03424388004912": 1}} and snapshot.other == {"backroom": 1}
    assert agent.stats.flagged_epcs == 1 and agent.stats.bad_reads == 1
    link.outbox.close()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edge.yaml"
    path.write_text(text)
    return path


def test_edge_yaml_with_cameras_and_a_scales_section(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """store: demo
broker: {url: "mqtt://hub.local:1883", password: "${MQTT_PASSWORD}"}
readers:
  - id: reader-1
    host: 192.168.1.30
    antennas: {1: backroom, 2: exit, 3: exit}
    gates: [{id: gate-exit, inside: 2, outside: 3}]
    tracker: {departed_after_s: 120}
cameras:
  - {id: cam-a1-b1, url: "http://192.168.1.40/stream.mjpg", slots: cam.json}
scales:
  port: /dev/ttyUSB0
  anything: [the bridge reads this]
""",
    )
    config = load_config(path, EdgeConfig, env={"MQTT_PASSWORD": "s3cret"})
    assert config.broker.password.get_secret_value() == "s3cret"
    reader = config.readers[0]
    assert reader.port == 5084 and reader.tracker.departed_after_s == 120 and reader.tracker.move_margin_db == 6.0
    assert config.cameras[0].id == "cam-a1-b1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("readers:\n  - {id: r1, host: h, antennas: {1: a}}\n", "store"),
        ("store: demo\nreaders:\n  - {id: r1, host: h, antennas: {1: a}, sesion: 2}\n", "readers.0.sesion"),
        (
            "store: demo\nreaders:\n  - {id: r1, host: h, antennas: {1: a}, gates: [{id: g, inside: 1, outside: 5}]}\n",
            "antenna 5 is not listed",
        ),
        (
            "store: demo\nreaders:\n  - {id: r1, host: h, antennas: {1: a}, tracker: {rssi_window: 0}}\n",
            "readers.0.tracker.rssi_window",
        ),
        (
            "store: demo\nreaders:\n  - {id: r1, host: h, antennas: {1: a}}\n"
            "  - {id: r1, host: h2, antennas: {1: a}}\n",
            "repeated: r1",
        ),
    ],
)
def test_edge_yaml_errors_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"edge\.yaml") as err:
        load_config(write(tmp_path, body), EdgeConfig)
    assert message in str(err.value)
