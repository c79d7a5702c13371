"""A shelf camera installed from the hub, all real: mosquitto, a ``comptoir hub`` process with the demo shop's
planogram, the MJPEG camera simulator, and a ``comptoir edge`` process counting it. Shared by the stills, rollout
and slot editor tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as paho
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from comptoir.contract import ShelfCounts, decode
from hub.auth import create_user
from hub.store import open_database
from simulators.camera.live import WorldCamera
from tests.dashboard.support import PASSWORD, USER, WORLD, DashboardHub
from tests.hub.support import STORE, wait_for

BAY = "A6-B2"  # a small bay: quick to render and count
MANAGER, MANAGER_PASSWORD = "paul", "baguette-77"


class CountsListener:
    """Every ``ShelfCounts`` the camera publishes, in order, as {slot: (state, facings)}."""

    def __init__(self, host: str, port: int, camera: str) -> None:
        self.counts: list[dict[str, tuple[str, int | None]]] = []
        self._lock = threading.Lock()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"counts-{camera}")
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.on_connect = lambda c, *a: c.subscribe(f"comptoir/v1/{STORE}/vision/{camera}/shelf", qos=1)
        self.client.connect(host, port)
        self.client.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError("the counts listener could not subscribe")

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        decoded = decode(message.topic, message.payload)
        if isinstance(decoded, ShelfCounts):
            with self._lock:
                self.counts.append({s.slot: (s.state, s.facings) for s in decoded.slots})

    def seen(self) -> int:
        with self._lock:
            return len(self.counts)

    def after(self, mark: int) -> list[dict[str, tuple[str, int | None]]]:
        with self._lock:
            return self.counts[mark:]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@dataclass
class CameraRig:
    workdir: Path
    broker_host: str
    broker_port: int
    broker_url: str
    hub: DashboardHub = field(init=False)
    camera: WorldCamera = field(init=False)
    agent: subprocess.Popen[bytes] | None = None
    listener: CountsListener | None = None

    @property
    def cam(self) -> str:
        return self.camera.bay.camera_id

    @property
    def models_dir(self) -> Path:
        """The hub's models folder (beside its database)."""
        return self.hub.db_path.parent / "models"

    @property
    def stills_dir(self) -> Path:
        return self.hub.db_path.parent / "stills" / "images"

    def start(self) -> CameraRig:
        self.hub = DashboardHub(self.workdir / "hub", self.broker_url)
        self.hub.prepare()
        db = open_database(self.hub.db_path)
        try:
            create_user(db, MANAGER, MANAGER_PASSWORD, "manager", 0.0)
        finally:
            db.close()
        self.hub.start()
        self.camera = WorldCamera(WORLD, BAY, port=0, fps=4, shopper_s=0).start()
        self.listener = CountsListener(self.broker_host, self.broker_port, self.cam)
        self.start_agent()
        return self

    def edge_config(self) -> Path:
        path = self.workdir / "edge.yaml"
        path.write_text(yaml.safe_dump({
            "store": STORE,
            "broker": {"url": self.broker_url, "reconnect_min_s": 0.1, "reconnect_max_s": 0.5},
            "state_dir": str(self.workdir / "edge-state"),
            "cameras": [{
                "id": self.cam, "url": self.camera.server.url,
                "slots": self.camera.server.url.replace("stream.mjpg", "slots.json"),
                "max_fps": 4, "still_frames": 2, "confirm_frames": 2, "heartbeat_s": 1.0, "threads": 1,
                "open_timeout_s": 2, "read_timeout_s": 1, "backoff_min_s": 0.2, "backoff_max_s": 1,
                "unsettled_occluded_s": 60,
                "hub": {"url": self.hub.url, "models_dir": str(self.workdir / "edge-models"), "probation_frames": 2},
            }],
        }))
        return path

    def start_agent(self) -> None:
        log = open(self.workdir / "edge.log", "ab")  # noqa: SIM115 - kept open for the process's life
        command = [sys.executable, "-m", "comptoir", "-v", "edge", "--config", str(self.edge_config())]
        self.agent = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                      env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.wait_counts(1, "the agent's first counts")

    def stop_agent(self) -> None:
        if self.agent is not None and self.agent.poll() is None:
            self.agent.send_signal(signal.SIGTERM)
            try:
                self.agent.wait(20)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait(5)
        self.agent = None

    def stop(self) -> None:
        self.stop_agent()
        if self.listener is not None:
            self.listener.close()
        self.camera.stop()
        self.hub.stop()

    def edge_log(self) -> str:
        return (self.workdir / "edge.log").read_text(errors="replace")

    def alive(self) -> bool:
        if self.agent is None or self.agent.poll() is not None:
            raise AssertionError(f"the camera agent exited: {self.edge_log()[-3000:]}")
        return True

    # -- what a person (or a test) does ----------------------------------------------------------
    def staff(self) -> httpx.Client:
        return self.hub.client(USER, PASSWORD)

    def manager(self) -> httpx.Client:
        return self.hub.client(MANAGER, MANAGER_PASSWORD)

    def wait_counts(self, new: int, what: str, mark: int | None = None, timeout: float = 60) -> int:
        """Wait for ``new`` more counts messages after ``mark`` (default: now); returns the new mark."""
        assert self.listener is not None
        start = self.listener.seen() if mark is None else mark
        wait_for(lambda: self.alive() and self.listener.seen() >= start + new, timeout, what)
        return self.listener.seen()

    def running_model(self, client: httpx.Client) -> str | None:
        rows = client.get("/api/devices").json()
        return next((r["model"] for r in rows if r["device"] == self.cam), None)

    def token(self) -> str:
        """The camera's device token, as the hub keeps it (and sends it in the camera's retained config)."""
        db = open_database(self.hub.db_path)
        try:
            return db.execute("SELECT token FROM camera_configs WHERE camera = ?", [self.cam]).fetchone()[0]
        finally:
            db.close()

    def take_still(self, client: httpx.Client) -> dict[str, Any]:
        before = set(self.stills_dir.glob("*.jpg")) if self.stills_dir.is_dir() else set()
        response = client.post(f"/api/cameras/{self.cam}/stills/request")
        assert response.status_code == 202, response.text
        wait_for(lambda: self.alive() and self.stills_dir.is_dir() and set(self.stills_dir.glob("*.jpg")) - before,
                 60, "the camera's still at the hub")
        return client.get(f"/api/cameras/{self.cam}").json()
