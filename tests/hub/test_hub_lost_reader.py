"""A lost RFID reader shows offline: the LLRP simulator, the edge agent and the hub as real processes, on mosquitto.

The simulator is stopped (SIGSTOP: the connection stays open, nothing comes: the agent's silence limit), let go,
then killed (the connection drops). Each time the hub's devices (the API and the dashboard's rows) must say so,
with the reason, because the agent said so through its link; never because a snapshot stopped or a timer guessed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from comptoir.mosquitto import free_port
from tests.conftest import BrokerHandle
from tests.hub.support import STORE, HubProcess, json_of, wait_for

ROOT = Path(__file__).resolve().parents[2]
SILENCE_S = 3  # the reader's silence limit in this test (edge.yaml: readers[].silence_s; 30 s by default)

pytestmark = pytest.mark.timeout(240)


def spawn(*args: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "comptoir", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab"),
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )


def end(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGCONT)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def hub(broker: BrokerHandle, tmp_path: Path) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path / "hub", broker.url)
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


def reader_row(client: httpx.Client, path: str) -> dict[str, Any] | None:
    return next((d for d in json_of(client.get(path)) if d["device"] == "reader-1"), None)


def test_a_lost_reader_shows_offline_on_the_dashboard_within_its_silence_limit(
    broker: BrokerHandle, hub: HubProcess, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "edge.yaml"
    config.write_text(
        f"""store: {STORE}
broker: {{url: {broker.url}, reconnect_min_s: 0.1, reconnect_max_s: 0.5}}
state_dir: {tmp_path / "state"}
readers:
  - id: reader-1
    host: 127.0.0.1
    port: {port}
    antennas: {{1: backroom, 2: floor-a2, 3: floor-a3}}
    report_timeout_ms: 500
    keepalive_s: 1
    silence_s: {SILENCE_S}
    reconnect_min_s: 0.5
    reconnect_max_s: 2
"""
    )
    sim = spawn("sim", "reader", "--port", str(port), "--products", "10", "--speed", "5", log=tmp_path / "sim.log")
    edge = None
    staff = hub.client()

    def state(path: str = "/api/devices") -> tuple[str, str | None] | None:
        row = reader_row(staff, path)
        return (row["state"], row["reason"]) if row else None

    try:
        wait_for(lambda: listening(port), 20, "the reader simulator listening")
        edge = spawn("edge", "--config", str(config), log=tmp_path / "edge.log")
        wait_for(lambda: state() == ("online", None), 60, "reader-1 online at the hub")

        # stopped: the TCP connection stays, nothing comes any more; the agent gives up after silence_s
        os.killpg(sim.pid, signal.SIGSTOP)
        stopped_at = time.monotonic()
        offline = wait_for(lambda: state()[0] == "offline" and state(), 60, "reader-1 offline after its silence")
        took = time.monotonic() - stopped_at
        assert offline[1] == f"LLRP reader 127.0.0.1:{port}: no report nor keepalive for {SILENCE_S} s (silence_s)"
        dashboard = reader_row(staff, "/api/dashboard/devices")
        assert dashboard is not None and dashboard["state"] == "offline" and dashboard["reason"] == offline[1]
        alerts = json_of(staff.get("/api/alerts?state=open&kind=device_offline"))
        assert [a["device"] for a in alerts] == ["reader-1"] and "no report nor keepalive" in alerts[0]["text"]
        print(f"reader-1 offline at the hub {took:.1f} s after the simulator stopped (silence_s={SILENCE_S})")

        # back: the agent reconnects and the reader inventories again
        os.killpg(sim.pid, signal.SIGCONT)
        wait_for(lambda: state() == ("online", None), 60, "reader-1 online again")
        assert not json_of(staff.get("/api/alerts?state=open&kind=device_offline"))

        # killed: the connection drops at once
        os.killpg(sim.pid, signal.SIGKILL)
        sim.wait(10)
        gone = wait_for(lambda: state()[0] == "offline" and state(), 60, "reader-1 offline after the kill")
        assert gone[1] is not None and gone[1].startswith(f"LLRP reader 127.0.0.1:{port}: ")
        assert reader_row(staff, "/api/dashboard/devices")["state"] == "offline"
        # the agent is alive all along: its snapshots and sweeps do not bring the reader back
        assert edge.poll() is None
        time.sleep(2 * SILENCE_S)
        assert state()[0] == "offline"
    finally:
        if edge is not None:
            end(edge)
        end(sim)
