"""The link owns device/<id>/status: the agent says the device behind it is up or down, the link says it."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.contract import DeviceStatus
from comptoir.link import MqttLink
from comptoir.mosquitto import Mosquitto
from tests.conftest import BrokerHandle
from tests.test_link import listener

STATUS = "comptoir/v1/test/device/r6/status"


def states(messages: list) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    return [(m.state, m.reason) for m in messages if isinstance(m, DeviceStatus)]


async def test_the_device_behind_the_agent_is_said_down_with_its_reason_then_up(
    tmp_path: Path, mqtt_broker: BrokerHandle
) -> None:
    hub, got = await listener(mqtt_broker, pattern=STATUS)
    link = MqttLink(mqtt_broker.settings(), store="test", device="r6", kind="rfid-reader", outbox=tmp_path / "r6.db")
    link.device_down("reader: cannot connect to 127.0.0.1:5084")  # before the first connect: the birth says it
    await link.start()
    await got.wait_for(lambda c: len(states(c.messages)) >= 1)
    assert states(got.messages) == [("offline", "reader: cannot connect to 127.0.0.1:5084")]

    link.device_up()
    await got.wait_for(lambda c: ("online", None) in states(c.messages))
    link.device_up()  # no change, nothing said
    link.device_down("reader: no report nor keepalive for 30 s")
    await got.wait_for(lambda c: len(states(c.messages)) >= 3)
    assert states(got.messages) == [
        ("offline", "reader: cannot connect to 127.0.0.1:5084"),
        ("online", None),
        ("offline", "reader: no report nor keepalive for 30 s"),
    ]
    # the status is state, not data: it never takes a data sequence number
    assert link.last_seq == 0 and len(link.outbox) == 0
    # the link's own reasons override the device's when the agent itself stops
    await link.stop()
    await got.wait_for(lambda c: ("offline", "shutdown") in states(c.messages))
    link.outbox.close()
    await hub.stop()

    late, late_got = await listener(mqtt_broker, pattern=STATUS)  # retained: a newcomer learns it at once
    await late_got.wait_for(lambda c: len(c.messages) >= 1)
    assert states(late_got.messages) == [("offline", "shutdown")]
    await late.stop()


async def test_a_device_lost_while_the_broker_was_away_is_offline_at_the_reconnect(
    tmp_path: Path, stopped_broker: BrokerHandle
) -> None:
    if not isinstance(stopped_broker.impl, Mosquitto):
        pytest.skip("restarts the broker (CI always has mosquitto)")
    stopped_broker.start()
    link = MqttLink(stopped_broker.settings(), store="test", device="r6", kind="camera", outbox=tmp_path / "r6.db")
    await link.start()
    assert await link.wait_connected(10)
    stopped_broker.stop()
    link.device_down("stream: cannot open stream")  # nobody to tell now
    stopped_broker.start()
    assert await link.wait_connected(20)
    # the birth of the new connection says what is true now, not 'online'
    hub, got = await listener(stopped_broker, pattern=STATUS)
    await got.wait_for(lambda c: len(c.messages) >= 1)
    assert states(got.messages)[-1] == ("offline", "stream: cannot open stream")
    await link.stop()
    link.outbox.close()
    await hub.stop()


async def test_only_the_link_writes_its_status(tmp_path: Path, mqtt_broker: BrokerHandle) -> None:
    link = MqttLink(mqtt_broker.settings(), store="test", device="r6", kind="camera")
    forged = DeviceStatus.create(device="r6", seq=1, time=link.clock.now(), state="online", kind="camera", software="t")
    with pytest.raises(ValueError, match="device_up"):
        link.publish(forged)
    with pytest.raises(ValueError, match="reason"):
        link.device_down("  ")
    assert len(link.outbox) == 0
    link.outbox.close()
