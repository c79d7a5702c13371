"""The command line, run as a user runs it: real processes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from comptoir import __version__
from comptoir.contract import MODELS, ZoneEvent
from comptoir.link import BrokerSettings, MqttLink
from comptoir.mosquitto import free_port, wait_for_port
from tests.contract_examples import doc_examples


def comptoir(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "comptoir", *args], capture_output=True, text=True, input=stdin, timeout=60
    )


def test_version_and_help() -> None:
    assert comptoir("--version").stdout.strip() == f"comptoir, version {__version__}"
    out = comptoir("--help").stdout
    assert "broker" in out and "contract" in out


def test_contract_schemas_writes_one_valid_schema_per_model(tmp_path: Path) -> None:
    result = comptoir("contract", "schemas", str(tmp_path / "schemas"))
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "schemas").glob("*.json"))
    assert len(files) == len(result.stdout.split()) == len(MODELS)
    zone = json.loads((tmp_path / "schemas" / "comptoir.rfid.zone_event.v1.schema.json").read_text())
    assert zone["properties"]["schema"]["const"] == "comptoir.rfid.zone_event"
    assert {"msg_id", "device", "seq", "time", "epc", "event", "location"} <= set(zone["required"])


def test_contract_check_accepts_a_good_payload_and_explains_a_bad_one() -> None:
    topic, payload = doc_examples()[0]
    ok = comptoir("contract", "check", topic, "-", stdin=payload)
    assert ok.returncode == 0 and ok.stdout.startswith("valid comptoir.rfid.zone_event v1")
    bad = comptoir("contract", "check", topic, "-", stdin=payload.replace('"seq": 42', '"seq": "x"'))
    assert bad.returncode == 1 and "seq:" in bad.stderr


async def test_the_embedded_broker_carries_messages_and_wills(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "comptoir", "broker", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        await asyncio.to_thread(wait_for_port, "127.0.0.1", port, 20)
        settings = BrokerSettings(url=f"mqtt://127.0.0.1:{port}", reconnect_min_s=0.1, reconnect_max_s=0.5)
        got: list = []
        arrived = asyncio.Event()

        def on_message(message: object) -> None:
            got.append(message)
            arrived.set()

        hub = MqttLink(settings, store="demo", device="hub", kind="hub")
        hub.subscribe("comptoir/v1/demo/rfid/#", on_message)
        await hub.start()
        assert await hub.wait_subscribed(10)
        device = MqttLink(settings, store="demo", device="r1", kind="rfid-reader", outbox=tmp_path / "o.db")
        await device.start()
        sent = device.emit(ZoneEvent, event="arrived", epc="3034B82E5029360000001267", location="floor")
        await asyncio.wait_for(arrived.wait(), 10)
        assert [m.msg_id for m in got] == [sent.msg_id]
        await device.stop()
        await hub.stop()
    finally:
        proc.terminate()
        proc.wait(10)


def test_plugin_commands_appear_only_when_their_package_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    from click.testing import CliRunner

    from comptoir.cli import PluginGroup, main

    fake = {
        "works": EntryPoint("works", "comptoir.cli:contract", "comptoir.commands"),
        "lidar-scan": EntryPoint("lidar-scan", "edge_missing_extra.lidar:cli", "comptoir.commands"),
    }
    monkeypatch.setattr(PluginGroup, "_entry_points", lambda self: fake)
    runner = CliRunner()
    help_text = runner.invoke(main, ["--help"]).output
    assert "works" in help_text and "lidar-scan" not in help_text
    result = runner.invoke(main, ["lidar-scan"])
    assert result.exit_code != 0
    assert "needs a package that is not installed" in result.output
    assert "edge_missing_extra" in result.output and "comptoir[EXTRA]" in result.output
