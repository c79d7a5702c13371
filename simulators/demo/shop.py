"""The demo shop: one world and clock here, the broker, hub, edge agents and bridge as child processes.

Order of things: the simulated devices listen; the broker starts; the hub's
reference data and a staff account are imported with the real CLI; the hub,
the edge boxes and the bridge start as processes on the same simulated clock
(``COMPTOIR_SIM_CLOCK``); once the hub answers, the shop opens: the world
follows the clock, the till publishes receipts and the scorer samples.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import socket
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from comptoir.clock import CLOCK_ENV, SimulatedClock
from comptoir.mosquitto import Mosquitto, free_port, mosquitto_binary, wait_for_port
from simulators.demo import reference
from simulators.demo.children import Child, child_env, run_once
from simulators.demo.devices import GATE_ID, DeviceParams, Devices
from simulators.score import HubClient, HubError
from simulators.world import World, WorldParams

log = logging.getLogger("comptoir.demo")
STORE = "demo"
STAFF_USER = "demo"
SAMPLE_EVERY_S = 600.0  # the score samples every simulated 10 minutes


@dataclass
class DemoOptions:
    speed: float = 60.0
    duration_s: float | None = None  # simulated; None: until Ctrl-C
    seed: int = 1
    port: int = 8000
    products: int | None = None
    untagged: int = 0  # catalog products sold without tags on unwatched shelves (their book is scored)
    broker: str = "auto"  # auto, mosquitto, embedded
    faults: bool = False
    workdir: Path = Path("demo-shop")
    world: WorldParams | None = None
    devices: DeviceParams = field(default_factory=DeviceParams)
    warmup_s: float = 300.0  # simulated: the readers see the whole shop once before the first sample
    hub_extra: dict[str, Any] = field(default_factory=dict)  # sections added to hub.yaml (e.g. notify:)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class DemoShop:
    def __init__(self, options: DemoOptions, say: Any = print) -> None:
        self.o = options
        self.say = say
        self.workdir = options.workdir.resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)
        params = options.world or WorldParams(products=options.products, untagged_products=options.untagged)
        if options.world is not None and options.products is not None:
            params = WorldParams(**{**_fields(options.world), "products": options.products})
        if options.untagged:
            params = WorldParams(**{**_fields(params), "untagged_products": options.untagged})
        self.world = World(seed=options.seed, params=params)
        self.clock = SimulatedClock(self.world.now, speed=options.speed)
        self.password = secrets.token_urlsafe(9)
        self.children: dict[str, Child] = {}
        self.mosquitto: Mosquitto | None = None
        self.devices: Devices | None = None
        self.hub_port = options.port if options.port and _port_free(options.port) else free_port()
        self.broker_port = free_port()
        self.faults_done: list[str] = []
        self.world_lag_max_s = 0.0
        self.events: list[str] = []

    # -- start ------------------------------------------------------------------
    @property
    def broker_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.broker_port}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.hub_port}"

    def _env(self) -> dict[str, str]:
        return child_env({CLOCK_ENV: self.clock.env_value(), "PYTHONUNBUFFERED": "1"})

    def _child(self, name: str, args: list[str]) -> Child:
        child = Child(name, args, self._env(), self.workdir / "logs" / f"{name}.log", cwd=self.workdir)
        self.children[name] = child
        return child

    # Processes are started from the loop's thread, never from a worker thread: a child dies with the thread
    # that started it (comptoir.parent_death), and the loop's thread lives as long as the demo.
    async def start_broker(self) -> None:
        use_mosquitto = self.o.broker == "mosquitto" or (self.o.broker == "auto" and mosquitto_binary() is not None)
        if use_mosquitto:
            self.mosquitto = Mosquitto(self.workdir / "broker", port=self.broker_port, persistent=True,
                                       die_with_parent=True)
            await self._start_mosquitto()
        else:
            self._child("broker", ["broker", "--host", "127.0.0.1", "--port", str(self.broker_port)]).start()
            await asyncio.to_thread(wait_for_port, "127.0.0.1", self.broker_port, 30)

    async def _start_mosquitto(self) -> None:
        assert self.mosquitto is not None
        self.mosquitto.spawn()
        await asyncio.to_thread(self.mosquitto.wait_ready)

    async def restart_broker(self, down_s: float = 3.0) -> None:
        if self.mosquitto is not None:
            await asyncio.to_thread(self.mosquitto.stop)
            await asyncio.sleep(down_s)
            await self._start_mosquitto()
        else:
            broker = self.children["broker"]
            await asyncio.to_thread(broker.stop)
            await asyncio.sleep(down_s)
            broker.start()
            await asyncio.to_thread(wait_for_port, "127.0.0.1", self.broker_port, 30)

    def write_configs(self) -> dict[str, Path]:
        assert self.devices is not None
        d, w = self.devices, self.workdir
        paths = {
            "catalog": reference.write_catalog(self.world, w / "catalog.csv"),
            "planogram": reference.write_planogram(self.world, w / "planogram.csv"),
            "zones": reference.write_zones(self.world, d.reader_ports, w / "zones.csv"),
            "hub": reference.write_yaml({**reference.hub_yaml(STORE, self.broker_url, w / "hub.sqlite", self.hub_port),
                                         **self.o.hub_extra}, w / "hub.yaml"),
        }
        for reader_id, sim in d.readers.items():
            gate = GATE_ID if reader_id == "reader-gate" else None
            tracker: dict[str, Any] = {}
            if self.o.devices.readers == "per-room" and gate is None:
                tracker["arrival_min_rssi_dbm"] = self.o.devices.room_arrival_min_rssi_dbm
            report_ms = self.o.devices.gate_report_ms if gate else self.o.devices.report_ms
            entry = reference.reader_entry(reader_id, sim.port, d.reader_ports[reader_id], gate, tracker, report_ms)
            box = f"edge-{reader_id.removeprefix('reader-')}"
            paths[box] = reference.write_yaml(
                reference.edge_yaml(STORE, self.broker_url, w / "state" / box, [entry]), w / f"{box}.yaml")
        cameras = [{"id": cam_id, "url": cam.server.url,
                    "slots": f"http://{cam.server.host}:{cam.server.port}/slots.json", "threads": 1,
                    "max_fps": self.o.devices.camera_fps, "still_frames": self.o.devices.camera_still_frames}
                   for cam_id, cam in d.cameras.items()]
        scales = []
        for scale_id, link in d.scale_links.items():
            slot = self.world.planogram.scales[scale_id]
            product = self.world.by_gtin[slot.gtin]
            scales.append({"device": scale_id, "serial": str(link), "slot": slot.slot_id, "gtin": slot.gtin,
                           "unit_grams": float(product.unit_weight_g)})
        paths["edge-shelf"] = reference.write_yaml(
            reference.edge_yaml(STORE, self.broker_url, w / "state" / "edge-shelf", [], cameras, scales),
            w / "edge-shelf.yaml")
        return paths

    def prepare_hub(self, paths: dict[str, Path]) -> None:
        env = self._env()
        hub = ["hub", "--config", str(paths["hub"])]
        run_once([*hub, "import-catalog", str(paths["catalog"])], env)
        run_once([*hub, "import-planogram", str(paths["planogram"])], env)
        run_once([*hub, "import-zones", str(paths["zones"])], env)
        run_once([*hub, "create-user", STAFF_USER, "--role", "manager", "--reset-password", "--password-stdin"], env,
                 stdin=self.password + "\n")

    async def start(self) -> None:
        self.devices = await Devices(self.world, self.clock, self.workdir, self.o.devices).start()
        await self.start_broker()
        paths = self.write_configs()
        await asyncio.to_thread(self.prepare_hub, paths)
        self._child("hub", ["hub", "--config", str(paths["hub"])]).start()
        # the hub's persistent session must exist before any device speaks: the broker keeps messages only for
        # subscribers it knows, so a device that starts first would talk to nobody
        await self.wait_hub()
        for box in [*self.reader_boxes, "edge-shelf"]:
            if box == "edge-shelf" and not self.devices.cameras:
                continue
            self._child(box, ["edge", "--config", str(paths[box])]).start()
        if self.devices.scales:
            self._child("bridge", ["bridge", "--config", str(paths["edge-shelf"])]).start()

    @property
    def reader_boxes(self) -> list[str]:
        """The edge boxes of the readers (one each), rooms first, the gate's last."""
        assert self.devices is not None
        return [f"edge-{reader_id.removeprefix('reader-')}" for reader_id in self.devices.readers]

    async def wait_hub(self, timeout_s: float = 90.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        last = ""
        while time.monotonic() < deadline:
            hub = self.children["hub"]
            if not hub.running:
                raise RuntimeError(f"the hub stopped while starting:\n{hub.tail()}")
            try:
                health = await asyncio.to_thread(_get_json, self.base_url + "/api/health")
                if health.get("mqtt_connected"):
                    return health
                last = json.dumps(health)
            except OSError as exc:
                last = str(exc)
            await asyncio.sleep(0.3)
        raise RuntimeError(f"the hub did not answer on {self.base_url} within {timeout_s:.0f} s: {last}")

    async def wait_devices(self, timeout_s: float = 120.0) -> None:
        """Until every reader has an agent inventorying it, every camera a viewer and the scale's bridge reports.

        The shop opens (the score's ground truth starts) only then: a theft while the gate's agent is still
        starting is one no installation could see, and would count against the gate.
        """
        assert self.devices is not None
        d = self.devices
        deadline = time.monotonic() + timeout_s
        waiting: list[str] = []
        while time.monotonic() < deadline:
            self.check_children()
            waiting = [r for r, sim in d.readers.items() if not sim.inventorying]
            waiting += [c for c, cam in d.cameras.items() if cam.server.frames_served == 0]
            if d.scales and not waiting:
                client = HubClient(self.base_url, STAFF_USER, self.password)
                try:
                    seen = {x["device"] for x in await asyncio.to_thread(client.get_all, "/api/devices")
                            if x["messages"]}
                except (OSError, HubError):
                    seen = set()
                waiting += [s for s in d.scales if s not in seen]
            if not waiting:
                return
            await asyncio.sleep(0.3)
        raise RuntimeError(f"devices not reporting within {timeout_s:.0f} s: {', '.join(waiting)}")

    # -- stop -------------------------------------------------------------------
    async def stop(self) -> None:
        order = ["bridge", "edge-shelf", *reversed(self.reader_boxes), "hub", "broker"]
        for name in order:
            child = self.children.get(name)
            if child is not None:
                await asyncio.to_thread(child.stop)
        if self.mosquitto is not None:
            await asyncio.to_thread(self.mosquitto.stop)
        if self.devices is not None:
            await self.devices.stop()

    def check_children(self) -> None:
        """A child that died on its own is a failure of the demo, said with its last log lines."""
        for child in self.children.values():
            if child.proc is not None and child.proc.poll() is not None:
                raise RuntimeError(f"{child.name} exited with {child.proc.returncode}:\n{child.tail()}")

    def urls(self) -> list[str]:
        return [
            f"dashboard  {self.base_url}/   (staff: {STAFF_USER} / {self.password})",
            f"kiosk      {self.base_url}/kiosk",
            f"API        {self.base_url}/docs",
            f"broker     {self.broker_url}   logs and configs in {self.workdir}",
        ]


def _fields(params: WorldParams) -> dict[str, Any]:
    return {name: getattr(params, name) for name in params.__dataclass_fields__}


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def sim_time(clock: SimulatedClock, at: datetime) -> str:
    return at.strftime("%H:%M")


async def sleep_until(clock: SimulatedClock, when: datetime) -> None:
    wait = (when - clock.now()).total_seconds()
    if wait > 0:
        await clock.sleep(wait)


def add(at: datetime, seconds: float) -> datetime:
    return at + timedelta(seconds=seconds)


@contextlib.asynccontextmanager
async def running(shop: DemoShop):  # type: ignore[no-untyped-def]
    try:
        await shop.start()
        yield shop
    finally:
        await shop.stop()
