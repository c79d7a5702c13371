"""What an integrator types: `comptoir sim scale` and `comptoir bridge`, watched with mosquitto_sub."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BrokerHandle


def wait_for_path(path: Path, proc: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the simulator exited: {proc.stderr.read() if proc.stderr else ''}"
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def test_sim_scale_plus_bridge_shows_weights_in_mosquitto_sub(mqtt_broker: BrokerHandle, tmp_path: Path) -> None:
    sub_binary = shutil.which("mosquitto_sub")
    if sub_binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs mosquitto-clients; mosquitto_sub is missing")
        pytest.skip("mosquitto_sub is not installed")
    link = tmp_path / "scale-3.tty"
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    sim = subprocess.Popen(
        [sys.executable, "-m", "comptoir", "sim", "scale", "--link", str(link), "--units", "4"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    bridge = sub = None
    try:
        wait_for_path(link, sim, 30)
        sub = subprocess.Popen(
            [
                sub_binary,
                "-h",
                mqtt_broker.host,
                "-p",
                str(mqtt_broker.port),
                "-t",
                "comptoir/v1/demo/scale/+/weight",
                "-C",
                "1",
                "-W",
                "60",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        bridge = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "comptoir",
                "bridge",
                "--serial",
                str(link),
                "--device",
                "scale-3",
                "--broker",
                mqtt_broker.url,
                "--unit-grams",
                "250",
            ],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        out, _ = sub.communicate(timeout=60)
        weight = json.loads(out)
        assert weight["schema"] == "comptoir.scale.weight" and weight["device"] == "scale-3"
        assert weight["status"] == "ok" and abs(weight["grams"] - 1350.0) < 5  # 4 x 250 g on a 350 g tray
        assert weight["units"] == 5  # untared: the tray counts as an item until a TARE
    finally:
        for proc in (bridge, sim, sub):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
