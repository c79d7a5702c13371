"""The bridge and the simulated scale over a real pty, publishing to a real broker (mosquitto in CI)."""

from __future__ import annotations

import logging
from pathlib import Path

from comptoir.contract import DeviceCommand
from simulators.scale.noise import LineNoise
from tests.bridge.rig import scale_rig, start_bridge, stop_bridge
from tests.conftest import BrokerHandle


def after(messages: list, first: object, then: object) -> bool:  # type: ignore[type-arg]
    """``then`` came after ``first`` (both received, compared by identity)."""
    order = [id(m) for m in messages]
    return id(then) in order and order.index(id(then)) > order.index(id(first))


def near(grams: float | None, expected: float, tolerance: float = 3.0) -> bool:
    return grams is not None and abs(grams - expected) <= tolerance


async def test_weights_arrive_and_a_tare_from_the_config_topic_reaches_the_scale(
    mqtt_broker: BrokerHandle, tmp_path: Path
) -> None:
    async with scale_rig(mqtt_broker, tmp_path) as rig:
        # 8 items of 250 g on a 350 g tray, not tared yet
        first = await rig.weights.wait_for(lambda m: m.stable)
        assert first.status == "ok" and near(first.grams, 2350.0)
        assert first.units == 9 and first.unit_grams == 250.0 and first.device == "scale-7"

        rig.load.units = 0  # staff empty the shelf to tare it
        await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 350.0))
        await rig.send_config(DeviceCommand(id="tare-1", name="TARE"))
        tared = await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 0.0))
        assert tared.units == 0
        assert [line.split(b" ")[1] for line in rig.sim.commands].count(b"TARE") == 1
        rig.load.units = 8  # and restock it
        restocked = await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 2000.0))
        assert restocked.units == 8

        rig.load.units = 5  # a shopper takes three
        taken = await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 1250.0))
        assert taken.units == 5
        assert rig.bridge.stats.refused_total == 0 and rig.bridge.stats.seq_gaps == 0

        # The same retained config again (a reconnect): the TARE is not repeated.
        await rig.send_config(DeviceCommand(id="tare-1", name="TARE"))
        await rig.send_config(DeviceCommand(id="tare-1", name="TARE"), DeviceCommand(id="info-1", name="INFO"))
        await rig.bridge.wait_for(lambda b: b.stats.commands_acked >= 3, timeout=10)  # INFO at open, tare-1, info-1
        assert [line.split(b" ")[1] for line in rig.sim.commands].count(b"TARE") == 1
        assert rig.bridge.firmware["fw"] == "1.0.0"


async def test_done_commands_survive_a_bridge_restart(mqtt_broker: BrokerHandle, tmp_path: Path) -> None:
    async with scale_rig(mqtt_broker, tmp_path) as rig:
        rig.load.units = 0
        await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 350.0))
        await rig.send_config(DeviceCommand(id="tare-7", name="TARE"))
        await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 0.0))
        await stop_bridge(rig.bridge)
        # A new bridge process gets the retained config again at subscribe time.
        rig.bridge = await start_bridge(mqtt_broker, rig.path, tmp_path / "state")
        await rig.bridge.wait_for(lambda b: b.stats.commands_acked >= 1, timeout=10)  # its INFO at open
        rig.load.units = 6
        await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 1500.0))
        assert [line.split(b" ")[1] for line in rig.sim.commands].count(b"TARE") == 1


async def test_bad_commands_and_settings_are_refused_and_named(
    mqtt_broker: BrokerHandle, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="firmware_bridge")
    async with scale_rig(mqtt_broker, tmp_path) as rig:
        await rig.weights.wait_for(lambda m: m.stable)
        await rig.send_config(
            DeviceCommand(id="x-1", name="EXPLODE"),
            DeviceCommand(id="cal-1", name="CAL", args=["heavy"]),
            unit_grams=-3,
        )
        await rig.send_config(DeviceCommand(id="cal-2", name="CAL", args=[500]), unit_grams=500.0)
        # the technician declares the load a 500 g mass: the firmware rescales (2350 g now reads 500 g)
        reading = await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 500.0) and m.unit_grams == 500.0)
        assert reading.units == 1
        text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
        assert "unknown scale command 'EXPLODE'" in text
        assert "CAL needs one mass in grams" in text
        assert "settings.unit_grams" in text


async def test_corrupt_lines_are_counted_and_dropped_and_the_next_good_line_goes_through(
    mqtt_broker: BrokerHandle, tmp_path: Path
) -> None:
    async with scale_rig(mqtt_broker, tmp_path) as rig:
        await rig.weights.wait_for(lambda m: m.stable)
        good = b"1 WEIGHT 1234.5 STABLE *259B"
        rig.sim.port.write(good[:-1] + b"0\r\n")  # bad CRC
        rig.sim.port.write(good[:12] + b"\r\n")  # truncated
        rig.sim.port.write(b"\x00\xff\xfe\x80\x81 noise \x13\r\n")  # binary noise
        rig.sim.port.write(b"#" * 300 + b"\r\n")  # over-long
        await rig.bridge.wait_for(lambda b: sum(b.stats.refused.values()) >= 4, timeout=10)
        refused = rig.bridge.stats.refused
        assert refused["bad_crc"] == 1 and refused["bad_frame"] == 1
        assert refused["bad_char"] == 1 and refused["too_long"] == 1
        published = rig.bridge.stats.published
        rig.load.units = 4
        after = await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 1350.0))
        assert after.units == 5 and rig.bridge.stats.published > published


async def test_line_noise_counts_gaps_and_never_publishes_a_wrong_weight(
    mqtt_broker: BrokerHandle, tmp_path: Path
) -> None:
    # rate_hz: the bridge asks for 40 reports a second (RATE), through the noise
    async with scale_rig(mqtt_broker, tmp_path, noise=LineNoise(0.3, seed=4), rate_hz=40) as rig:
        await rig.bridge.wait_for(lambda b: b.stats.lines_ok >= 40 and b.stats.refused_total >= 5, timeout=20)
        assert rig.sim.firmware.rate_hz == 40
        rig.load.units = 3
        await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 1100.0))
        stats = rig.bridge.stats
        assert stats.seq_gaps > 0 and stats.lines_missing >= stats.seq_gaps
        assert {"bad_crc", "too_long"} <= set(stats.refused)
        # Every weight that reached MQTT is one the shelf really had.
        assert all(
            m.grams is None or near(m.grams, 2350.0, 30) or near(m.grams, 1100.0, 30) or not m.stable
            for m in rig.weights.messages
        )


async def test_wrong_baud_rate_garbage_is_dropped_with_a_hint_and_the_bridge_recovers(
    mqtt_broker: BrokerHandle, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="firmware_bridge")
    async with scale_rig(mqtt_broker, tmp_path, bad_line_warning=10, silence_s=1.0) as rig:
        await rig.weights.wait_for(lambda m: m.stable)
        rig.sim.garbage = True
        await rig.bridge.wait_for(lambda b: b.stats.refused_total >= 15, timeout=15)
        assert any("is the baud rate right?" in r.getMessage() for r in caplog.records)
        # no reading for a second: the scale is said offline on its status, not by a made-up weight
        silent = await rig.statuses.wait_for(lambda m: m.state == "offline")
        assert silent.reason == "no reading for 1 s (silence_s)"
        assert not [m for m in rig.weights.messages if m.status != "ok"]
        rig.sim.garbage = False
        rig.load.units = 2
        back = await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 850.0))
        assert back.units == 3
        await rig.statuses.wait_for(lambda m: m.state == "online" and after(rig.statuses.messages, silent, m))


async def test_unplug_and_replug_the_bridge_reconnects_by_itself(mqtt_broker: BrokerHandle, tmp_path: Path) -> None:
    async with scale_rig(mqtt_broker, tmp_path) as rig:
        await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 2350.0))
        first_pty = rig.sim.port.slave_name
        rig.sim.unplug()
        await rig.bridge.wait_for(lambda b: b.stats.losses == 1, timeout=10)
        assert not rig.path.exists()
        gone = await rig.statuses.wait_for(lambda m: m.state == "offline")
        assert gone.reason == "serial port lost"  # the scale is said offline: its weight is unknown, not zero
        assert not [m for m in rig.weights.messages if m.status != "ok"]
        rig.load.units = 1  # restocked... or emptied, while unplugged
        rig.sim.plug()  # a new pty behind the same stable path; the firmware boots again
        await rig.bridge.wait_for(lambda b: b.stats.opens == 2, timeout=10)
        back = await rig.weights.wait_for(lambda m: m.stable and near(m.grams, 600.0))
        assert back.units == 2
        await rig.statuses.wait_for(lambda m: m.state == "online" and after(rig.statuses.messages, gone, m))
        assert rig.bridge.firmware["fw"] == "1.0.0"  # it asked the firmware again (INFO at every open)
        assert rig.bridge.stats.commands_acked == 2
        assert rig.bridge.stats.seq_gaps == 0  # a reboot is not a gap
        assert rig.sim.port.slave_name != first_pty or rig.path.resolve() == Path(rig.sim.port.slave_name)
