"""The hub's ingest: throughput into SQLite, latency to the live stream, resident memory.

Three measurements, each against a baseline taken in the same run:

* throughput: a backlog of zone events waits in mosquitto for the hub's
  persistent session; the hub (MQTT link, contract validation, dedup, fusion,
  alert rules, SQLite commit per batch) drains it. Twice: batched as the edge
  publishes them (``--per-message`` events per ``rfid/<id>/event_batch``
  message, 100 by default), and one event per message (``rfid/<id>/events``),
  for comparison. Baseline: a bare paho subscriber draining the same backlog
  (no validation, no storage), counted in events per second too.
* latency: a device makes zone events at a fixed rate (2,000/s) and publishes
  them as the edge agent does: batched, a batch leaving when the edge's
  ``publish_every_s`` has passed or ``publish_batch`` events wait (their
  defaults in edge/config.py). A real ``comptoir hub`` process ingests them; an
  SSE client on ``/api/stream`` notes when each item event arrives, against the
  time the event carries (when it was made): the figure includes the edge's
  batching wait. Baseline: a bare paho subscriber on the same messages, at the
  same time (it waits for the batching too).
* memory: resident set size of a ``comptoir hub`` process whose database
  holds S SKUs and I tagged items, after it answered an inventory page.
  Baseline: the same process on an empty database.

    python bench/hub_ingest.py [--events 200000] [--per-message 100] [--single-events 40000] [--rate 2000]
                               [--seconds 10] [--skus 10000] [--items 100000] [--skip throughput|latency|memory]
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import httpx
import paho.mqtt.client as paho
import psutil
import yaml
from paho.mqtt.enums import CallbackAPIVersion
from tqdm import tqdm

from comptoir.contract import ZoneEvent, ZoneEvents, encode
from comptoir.contract.fields import gtin_check_digit
from comptoir.link import BrokerSettings
from comptoir.metrics import MetricsSettings
from comptoir.mosquitto import Mosquitto, free_port
from edge.config import ReaderConfig
from hub.config import HubConfig
from hub.service import HubService

STORE = "bench"


def gtin(n: int) -> str:
    body = f"0376{n:09d}"
    return body + str(gtin_check_digit(body))


def write_catalog(db_path: Path, skus: int) -> None:
    from hub.store import open_database

    db = open_database(db_path)
    with db.conn:
        db.conn.executemany(
            "INSERT OR IGNORE INTO products (gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, "
            "pack_size, supplier, lead_time_days) VALUES (?, ?, 'Marque', 'épicerie', 299, 500, 'A1', 'S1', 1, "
            "'Grossiste', 3)",
            [(gtin(i), f"Produit {i}") for i in range(skus)],
        )
    db.close()


def make_events(n: int, gtins: int, per_message: int, device: str = "reader-1") -> list[tuple[str, bytes]]:
    """``n`` arrivals of distinct tags: one per message (``per_message`` 1), else batched as the edge sends them."""
    now = datetime.now(UTC)
    zones = ("backroom", "floor-a1", "floor-a2")
    events = [{"time": now, "event": "arrived", "epc": f"3034B82E5029{i:012X}", "gtin": gtin(i % gtins),
               "location": zones[i % 3], "rssi": -55.0} for i in range(n)]
    out = []
    if per_message == 1:
        for i, fields in enumerate(events):
            m = ZoneEvent.create(device=device, seq=i + 1, **fields)
            out.append((m.topic(STORE), encode(m)))
        return out
    for seq, start in enumerate(range(0, n, per_message), 1):
        m = ZoneEvents.create(device=device, seq=seq, time=now, events=events[start:start + per_message])
        out.append((m.topic(STORE), encode(m)))
    return out


def publish_all(port: int, rows: list[tuple[str, bytes]]) -> None:
    done = threading.Event()
    acked = 0

    def on_publish(*_: object) -> None:
        nonlocal acked
        acked += 1
        if acked == len(rows):
            done.set()

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-device")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    for topic, payload in rows:
        client.publish(topic, payload, qos=1)
    if not done.wait(300):
        raise RuntimeError(f"only {acked} of {len(rows)} publishes acknowledged")
    client.disconnect()
    client.loop_stop()


# -- throughput ------------------------------------------------------------------------------
def bare_drain(port: int, rows: list[tuple[str, bytes]], name: str) -> float:
    """Messages per second (``name`` keeps each run's MQTT session apart)."""
    got = 0
    done = threading.Event()
    ready = threading.Event()

    def on_message(*_: object) -> None:
        nonlocal got
        got += 1
        if got == len(rows):
            done.set()

    def connect() -> paho.Client:
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-bare-{name}", clean_session=False)
        client.on_message = on_message
        client.on_subscribe = lambda *a: ready.set()
        client.connect("127.0.0.1", port)
        return client

    first = connect()
    first.loop_start()
    first.subscribe(f"comptoir/v1/{STORE}/#", qos=1)
    ready.wait(10)
    first.disconnect()
    first.loop_stop()
    publish_all(port, rows)
    t0 = time.perf_counter()
    second = connect()
    second.loop_start()
    if not done.wait(300):
        raise RuntimeError(f"bare subscriber got {got} of {len(rows)}")
    elapsed = time.perf_counter() - t0
    second.disconnect()
    second.loop_stop()
    return len(rows) / elapsed


async def hub_drain(port: int, rows: list[tuple[str, bytes]], workdir: Path, skus: int, *, metrics: bool = False,
                    scrape_every_s: float = 0.25, tag_history: bool = True) -> tuple[float, float]:
    """Messages per second, from the hub's connection to the last message committed, and CPU seconds used.

    The CPU time (this process: the hub's event loop and its MQTT thread) depends far less than the wall
    time on what else the shared machine runs, so it is reported too. ``metrics``: with the /metrics endpoint
    on and scraped every 0.25 s meanwhile (its collector runs in this process); ``tag_history=False``: the tag
    history's writing skipped (a baseline for its cost only; the hub has no such switch).
    """
    config = HubConfig(store=STORE, hub_id=f"hub-{workdir.name}", db=workdir / "hub.sqlite",
                       broker=BrokerSettings(url=f"mqtt://127.0.0.1:{port}"),  # each run its own MQTT session
                       metrics=MetricsSettings(port=free_port() if metrics else None))
    write_catalog(config.db, skus)
    service = HubService(config)
    await service.start_ingest()
    assert await service.link.wait_subscribed(10)
    await service.stop()  # the broker now keeps messages for the hub's session
    await asyncio.to_thread(publish_all, port, rows)
    service = HubService(config)
    if not tag_history:
        service.ingest.tag_history.record = lambda *args: None  # type: ignore[method-assign]
    scraping = threading.Event()
    scrapes = []
    if metrics:
        def scrape() -> None:
            while not scraping.wait(scrape_every_s):
                # urllib, not httpx: a new httpx client builds a TLS context each time, CPU that is not the hub's
                with urllib.request.urlopen(f"http://127.0.0.1:{config.metrics.port}/metrics", timeout=5) as page:
                    scrapes.append(len(page.read()))
        scraper = threading.Thread(target=scrape, daemon=True)
    t0, cpu0 = time.perf_counter(), time.process_time()
    await service.start_ingest()
    if metrics:
        scraper.start()
    with tqdm(total=len(rows), desc=f"hub ingest ({workdir.name})", unit="msg", leave=False) as bar:
        deadline = time.monotonic() + 180
        while service.ingest.stats.stored < len(rows) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            bar.update(service.ingest.stats.stored - bar.n)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    scraping.set()
    if metrics and scrape_every_s < elapsed / 2 and not scrapes:
        raise RuntimeError("the /metrics endpoint was never scraped during the drain")
    stored = service.ingest.stats.stored
    stats = service.link.stats()
    await service.stop()
    if stored < len(rows):
        raise RuntimeError(f"hub stored {stored} of {len(rows)} in {elapsed:.0f} s; link {stats}")
    return len(rows) / elapsed, cpu


# -- a hub process -----------------------------------------------------------------------------
class HubProcess:
    def __init__(self, workdir: Path, broker_port: int) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.config = workdir / "hub.yaml"
        self.config.write_text(yaml.safe_dump({
            "store": STORE, "db": str(workdir / "hub.sqlite"), "broker": {"url": f"mqtt://127.0.0.1:{broker_port}"},
            "api": {"port": self.port},
        }))
        subprocess.run([sys.executable, "-m", "comptoir", "hub", "--config", str(self.config), "create-user", "bench",
                        "--password-stdin"], input="bench-password\n", text=True, check=True, capture_output=True)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "comptoir", "hub", "--config", str(self.config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).json()["mqtt_connected"]:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("hub did not start")

    def client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=120)
        client.post("/api/session", json={"username": "bench", "password": "bench-password"}).raise_for_status()
        return client

    def rss_mb(self) -> float:
        assert self.proc is not None
        return psutil.Process(self.proc.pid).memory_info().rss / 2**20

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


# -- latency -------------------------------------------------------------------------------------
def latency(port: int, workdir: Path, rate: int, seconds: float) -> tuple[list[float], list[float]]:
    hub = HubProcess(workdir, port)
    hub.start()
    sse_lat: list[float] = []
    bare_lat: list[float] = []
    stop = threading.Event()
    listening = threading.Event()

    def sse() -> None:
        try:
            read_stream()
        except httpx.HTTPError:
            if not stop.is_set():
                raise  # the stream ending when the hub stops is expected; before, it is not

    def read_stream() -> None:
        client = hub.client()
        with client.stream("GET", "/api/stream", timeout=httpx.Timeout(30, read=30)) as response:
            listening.set()
            event = None
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line[7:]
                elif line.startswith("data:") and event == "item":
                    sent = datetime.fromisoformat(json.loads(line[5:])["time"]).timestamp()
                    sse_lat.append(time.time() - sent)
                if stop.is_set():
                    return

    bare = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-latency")

    def on_message(c: object, u: object, msg: paho.MQTTMessage) -> None:
        got = time.time()
        for event in json.loads(msg.payload)["events"]:
            bare_lat.append(got - datetime.fromisoformat(event["time"]).timestamp())

    bare.on_message = on_message
    bare.connect("127.0.0.1", port)
    bare.subscribe(f"comptoir/v1/{STORE}/rfid/+/event_batch", qos=1)
    bare.loop_start()
    reader = threading.Thread(target=sse, daemon=True)
    reader.start()
    listening.wait(30)
    device = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-paced")
    device.max_inflight_messages_set(1000)
    device.connect("127.0.0.1", port)
    device.loop_start()
    total = int(rate * seconds)
    hub_cpu = psutil.Process(hub.proc.pid) if hub.proc else None
    cpu0 = sum(hub_cpu.cpu_times()[:2]) if hub_cpu else 0.0
    defaults = ReaderConfig.model_fields
    window_s, most = defaults["publish_every_s"].default, defaults["publish_batch"].default
    pending: list[dict] = []
    seq = 0
    batch_since = time.perf_counter()

    def send() -> None:
        nonlocal seq, pending, batch_since
        seq += 1
        m = ZoneEvents.create(device="reader-l", seq=seq, time=pending[-1]["time"], events=pending)
        device.publish(m.topic(STORE), encode(m), qos=1)
        pending, batch_since = [], time.perf_counter()

    t0 = time.perf_counter()
    for i in tqdm(range(total), desc=f"publishing at {rate}/s", unit="event", leave=False):
        due = t0 + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        pending.append({"time": datetime.now(UTC), "event": "arrived", "epc": f"3035B82E5029{i:012X}",
                        "gtin": gtin(i % 100), "location": "floor-a1"})
        if len(pending) >= most or time.perf_counter() - batch_since >= window_s:
            send()
    if pending:
        send()
    deadline = time.monotonic() + 30
    while (len(sse_lat) < total or len(bare_lat) < total) and time.monotonic() < deadline:
        time.sleep(0.1)
    if hub_cpu:
        busy = sum(hub_cpu.cpu_times()[:2]) - cpu0
        print(f"  hub process CPU during the run: {busy / (time.perf_counter() - t0):.0%} of one core")
    stop.set()
    device.disconnect()
    device.loop_stop()
    bare.disconnect()
    bare.loop_stop()
    hub.stop()
    if len(sse_lat) < total:
        print(f"  (live stream delivered {len(sse_lat)} of {total} item events)")
    return sse_lat, bare_lat


def metrics_cost(port: int, work: Path, args: argparse.Namespace) -> None:
    """Ingest's CPU per event with the /metrics endpoint scraped, and without the tag history, against the hub as
    shipped (metrics off), alternating the three in each round so that the machine's noise falls on all."""
    rows = make_events(args.events, args.gtins, args.per_message)
    variants = {"metrics off (as shipped)": {}, "metrics on, scraped 4/s": {"metrics": True},
                "metrics on, not scraped": {"metrics": True, "scrape_every_s": 3600.0},
                "tag history not written": {"tag_history": False}}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(args.metrics_rounds):
        for i, (name, options) in enumerate(variants.items()):
            _, used = asyncio.run(hub_drain(port, rows, work / f"metrics-{round_}-{i}", args.gtins, **options))
            cpu[name].append(used / args.events * 1e6)
    base = min(cpu["metrics off (as shipped)"])
    print(f"metrics: {args.events:,} zone events, {args.per_message} per message, hub CPU per event, best of "
          f"{args.metrics_rounds} rounds")
    for name, values in cpu.items():
        print(f"  {name:<26} {min(values):6.1f} us/event   ratio {min(values) / base:.3f}   "
              f"(all: {', '.join(f'{v:.1f}' for v in values)})")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# -- memory -----------------------------------------------------------------------------------------
def fill(db_path: Path, skus: int, items: int) -> None:
    write_catalog(db_path, skus)
    db = sqlite3.connect(db_path)
    now = time.time()
    states = ("backroom", "floor", "floor", "sold")
    with db:
        db.executemany(
            "INSERT INTO items (epc, gtin, serial, state, zone, since, last_seen, paid) VALUES (?,?,?,?,?,?,?,0)",
            ((f"3034B82E5029{i:012X}", gtin(i % skus), str(i), states[i % 4], "floor-a1", now, now)
             for i in range(items)),
        )
    db.close()


def memory(port: int, workdir: Path, skus: int, items: int) -> tuple[float, float]:
    results = []
    for name, (s, n) in (("empty", (0, 0)), ("full", (skus, items))):
        hub = HubProcess(workdir / name, port)
        fill(workdir / name / "hub.sqlite", s, n)
        hub.start()
        client = hub.client()
        client.get("/api/inventory", params={"limit": 500}).raise_for_status()
        client.get("/api/inventory/zones").raise_for_status()
        results.append(hub.rss_mb())
        hub.stop()
    return results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="batched backlog drained for throughput")
    parser.add_argument("--per-message", type=int, default=100, help="events per batched message")
    parser.add_argument("--single-events", type=int, default=40_000,
                        help="backlog drained one event per message, for comparison (0: skip)")
    parser.add_argument("--gtins", type=int, default=500, help="distinct GTINs among the events")
    parser.add_argument("--rate", type=int, default=2000, help="events per second for the latency run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--skip", choices=["throughput", "latency", "memory", "metrics"], action="append",
                        default=[])
    parser.add_argument("--metrics-rounds", type=int, default=2,
                        help="rounds of the metrics comparison (each drains the batched backlog three times)")
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 <pid>: print where every thread waits
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        broker = Mosquitto(work / "mosquitto")
        broker.start()
        try:
            if "throughput" not in args.skip:
                runs = [(args.events, args.per_message)]
                if args.single_events:
                    runs.append((args.single_events, 1))
                for n, per in runs:
                    rows = make_events(n, args.gtins, per)
                    base = bare_drain(broker.port, rows, f"{per}") * n / len(rows)
                    rate, cpu = asyncio.run(hub_drain(broker.port, rows, work / f"drain-{per}", args.gtins))
                    rate *= n / len(rows)
                    how = f"{per} events per message" if per > 1 else "one event per message"
                    print(f"throughput: {n:,} zone events, {how}, drained from mosquitto, {args.gtins} GTINs, "
                          "catalog loaded, fusion and alerts on")
                    print(f"  bare paho subscriber      {base:>9,.0f} events/s   ratio 1.00")
                    print(f"  hub into SQLite           {rate:>9,.0f} events/s   ratio {rate / base:.2f}   "
                          f"goal >= 20,000   (hub CPU {cpu / n * 1e6:.1f} us/event: {n / cpu:,.0f} events/s "
                          "of one core)")
            if "metrics" not in args.skip:
                metrics_cost(broker.port, work, args)
            if "latency" not in args.skip:
                sse, bare = latency(broker.port, work / "latency", args.rate, args.seconds)
                window = ReaderConfig.model_fields["publish_every_s"].default
                print(f"latency: {args.rate} events/s for {args.seconds:.0f} s, batched as the edge does "
                      f"(window {window * 1000:.0f} ms), event made -> received")
                b50, b99 = pct(bare, 0.5), pct(bare, 0.99)
                s50, s99 = pct(sse, 0.5), pct(sse, 0.99)
                print(f"  bare paho subscriber      p50 {b50:7.1f} ms   p99 {b99:7.1f} ms")
                print(f"  hub live stream (SSE)     p50 {s50:7.1f} ms   p99 {s99:7.1f} ms   "
                      f"p99 ratio {s99 / max(b99, 0.001):.1f}   goal p99 <= 250 ms")
            if "memory" not in args.skip:
                empty, full = memory(broker.port, work / "memory", args.skus, args.items)
                print("memory: hub process RSS after an inventory page")
                print(f"  empty database            {empty:7.0f} MB   ratio 1.00")
                print(f"  {args.skus:,} SKUs, {args.items:,} items {full:7.0f} MB   ratio {full / empty:.2f}   "
                      "goal <= 500 MB")
        finally:
            broker.stop()
    if os.environ.get("BENCH_DEBUG"):
        print(work)


if __name__ == "__main__":
    main()
