"""Helpers for the hub tests: reference CSVs, a hub process, a raw MQTT publisher, waiting."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import paho.mqtt.client as paho
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from comptoir.contract import Message, encode
from comptoir.contract.fields import gtin_check_digit
from comptoir.mosquitto import free_port

if TYPE_CHECKING:
    import sqlite_utils

    from comptoir.clock import ManualClock
    from hub.config import HubConfig
    from hub.events import EventBus
    from hub.ingest import Ingest

T = TypeVar("T")
STORE = "test"


def make_gtin(n: int) -> str:
    body = f"376000{n:06d}"
    return body + str(gtin_check_digit(body))


NUTELLA, OIL, FLOUR = make_gtin(1), make_gtin(2), make_gtin(3)
CATALOG = f"""gtin,name,brand,category,price_eur,unit_weight_g,aisle,shelf,pack_size,supplier,lead_time_days
{NUTELLA},Pâte à tartiner 400 g,Ferrero,épicerie sucrée,3.89,400,A2,S3,1,Ferrero France,3
{OIL},Huile d'olive vierge extra 1 L,Puget,épicerie salée,8.49,920,A3,S1,1,Lesieur,5
{FLOUR},Farine de blé T55 1 kg,Francine,épicerie salée,1.35,1000,A3,S2,1,Francine,4
"""
PLANOGRAM = f"""slot,gtin,camera,capacity,scale
A2-B1-S3-04,{NUTELLA},cam-a2,6,
A3-B1-S1-01,{OIL},cam-a3,4,
A3-B1-S2-02,{FLOUR},,8,scale-7
"""
ZONES = """alias,kind,reader,antenna
backroom,backroom,reader-1,1
floor-a2,floor,reader-1,2
floor-a3,floor,reader-1,3
exit,exit,gate-1,
dock,dock,reader-2,1
"""


def epc(n: int) -> str:
    return f"3034B82E5029{n:012X}"


def now() -> datetime:
    return datetime.now(UTC)


def wait_for(check: Callable[[], T], timeout: float = 15.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (httpx.HTTPError, AssertionError, KeyError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last: {last!r}")


def write_reference(directory: Path) -> dict[str, Path]:
    files = {"catalog": CATALOG, "planogram": PLANOGRAM, "zones": ZONES}
    paths = {}
    for name, text in files.items():
        paths[name] = directory / f"{name}.csv"
        paths[name].write_text(text)
    return paths


def reference_database(directory: Path) -> Any:
    """``directory/hub.sqlite`` with the test catalog, planogram and zones imported (an in-process hub's start)."""
    from hub.catalog import import_planogram, import_products, import_zones
    from hub.store import open_database

    db = open_database(directory / "hub.sqlite")
    paths = write_reference(directory)
    import_products(db, paths["catalog"])
    import_planogram(db, paths["planogram"])
    import_zones(db, paths["zones"])
    return db


def comptoir(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "comptoir", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


@dataclass
class HubProcess:
    """``comptoir hub --config`` as a real process, with its own database and API port."""

    workdir: Path
    broker_url: str
    fusion: dict[str, Any] = field(default_factory=dict)
    api: dict[str, Any] = field(default_factory=dict)
    hub_id: str = "hub"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def config_path(self) -> Path:
        return self.workdir / "hub.yaml"

    @property
    def db_path(self) -> Path:
        return self.workdir / "hub.sqlite"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = {
            "store": STORE,
            "hub_id": self.hub_id,
            "db": str(self.db_path),
            "broker": {"url": self.broker_url, "reconnect_min_s": 0.1, "reconnect_max_s": 0.5},
            "api": {"port": self.port, "kiosk_rate_per_minute": 600, **self.api},
            "fusion": {"check_every_s": 0.2, **self.fusion},
        }
        self.config_path.write_text(yaml.safe_dump(config))

    def prepare(self, users: dict[str, str] | None = None, role: str = "manager") -> None:
        """Import the reference data and create accounts (managers unless told), with the functions that
        ``comptoir hub`` import-catalog, import-planogram, import-zones and create-user call, in this process: a
        command each as a process cost every hub ~3.5 s of start-up. :meth:`prepare_by_cli` runs the commands."""
        from hub import auth, catalog
        from hub.cli_config import command_config
        from hub.store import open_database

        self.write_config()
        paths = write_reference(self.workdir)
        db = open_database(command_config(self.config_path, None).db)
        try:
            catalog.import_products(db, paths["catalog"])
            catalog.import_planogram(db, paths["planogram"])
            catalog.import_zones(db, paths["zones"])
            for user, password in (users or {"marie": "croissant-42"}).items():
                assert not auth.exists(db, user), f"user {user} already exists"
                auth.create_user(db, user, password, role, time.time())
        finally:
            db.close()

    def prepare_by_cli(self, users: dict[str, str] | None = None, role: str = "manager") -> None:
        """What :meth:`prepare` does, through the CLI commands as real processes."""
        self.write_config()
        paths = write_reference(self.workdir)
        for command, key in (
            ("import-catalog", "catalog"),
            ("import-planogram", "planogram"),
            ("import-zones", "zones"),
        ):
            done = comptoir("hub", "--config", str(self.config_path), command, str(paths[key]))
            assert done.returncode == 0, done.stderr
        for user, password in (users or {"marie": "croissant-42"}).items():
            done = comptoir(
                "hub", "--config", str(self.config_path), "create-user", user, "--role", role, "--password-stdin",
                stdin=password + "\n",
            )
            assert done.returncode == 0, done.stderr

    def start(self) -> None:
        # the free port found when the config was written may be taken by another process before the hub binds
        # it (a loaded CI machine saw it once): then the same hub starts again on a fresh port
        for attempt in range(3):
            log = open(self.workdir / "hub.log", "ab")  # noqa: SIM115 - kept open for the process's life
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "comptoir", "hub", "--config", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            try:
                wait_for(self.ready, 30, "the hub's API and MQTT link")
                return
            except RuntimeError:
                if attempt == 2 or "address already in use" not in (self.workdir / "hub.log").read_text():
                    raise
            self.port = free_port()
            config = yaml.safe_load(self.config_path.read_text())
            config.setdefault("api", {})["port"] = self.port
            self.config_path.write_text(yaml.safe_dump(config))

    def ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"hub exited with {self.proc.returncode}: {(self.workdir / 'hub.log').read_text()}")
        try:
            health = httpx.get(f"{self.url}/api/health", timeout=2).json()
        except httpx.HTTPError:
            return False
        return health["mqtt_connected"]

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def client(self, user: str = "marie", password: str = "croissant-42") -> httpx.Client:
        """An HTTP client signed in as a staff member."""
        # a browser on the hub's pages sends its Origin with every state-changing request (the origin rule)
        client = httpx.Client(base_url=self.url, timeout=10, headers={"Origin": self.url})
        response = client.post("/api/session", json={"username": user, "password": password})
        assert response.status_code == 200, response.text
        return client


class Publisher:
    """A bare MQTT client that publishes exactly the bytes given (good or bad) at QoS 1."""

    def __init__(self, host: str, port: int, client_id: str = "test-publisher") -> None:
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.max_inflight_messages_set(1000)
        connected = threading.Event()
        self.client.on_connect = lambda *a: connected.set()
        self.client.connect(host, port)
        self.client.loop_start()
        if not connected.wait(10):
            raise RuntimeError("publisher could not connect")

    def raw(self, topic: str, payload: bytes | str) -> None:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(10)
        assert info.is_published()

    def send(self, *messages: Message) -> None:
        infos = [self.client.publish(m.topic(STORE), encode(m), qos=1) for m in messages]
        for info in infos:
            info.wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def json_of(response: httpx.Response) -> Any:
    assert response.status_code == 200, f"{response.status_code}: {response.text}"
    return json.loads(response.text)


class Devices:
    """Makes contract messages with a correct per-device sequence, as a real device's link would."""

    def __init__(self) -> None:
        self.seq: dict[str, int] = {}

    def make(self, model: type[Message], device: str, seq: int | None = None, **fields: Any) -> Any:
        if seq is None:
            seq = self.seq.get(device, 0) + 1
        self.seq[device] = max(self.seq.get(device, 0), seq)
        fields.setdefault("time", now())
        return model.create(device=device, seq=seq, **fields)


@dataclass
class LocalHub:
    """What the web app and the reorder schedule need from a running hub, without MQTT: messages go straight
    to ingest (``create_app`` takes it as the hub state)."""

    config: HubConfig
    db: sqlite_utils.Database
    ingest: Ingest
    bus: EventBus
    clock: ManualClock
    mqtt_connected: bool = True
