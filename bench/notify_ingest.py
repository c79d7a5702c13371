"""Does a notification channel slow ingest? Batches with alerts, with the notification worker off, on with a
healthy channel, and on with a channel that hangs; ratios against the off run, measured in the same run.

Each batch is what the hub does for a theft: a message of ``--events`` zone events through
``Ingest.handle_batch`` (one transaction), then an unpaid-exit alert committed. The worker (its own thread and
SQLite connection) plans a notice for every alert and sends it to a local HTTP server that answers 200 at once,
or that takes the request and never answers (``timeout_s`` 5: the worker is stuck in sends the whole run).
Modes alternate over ``--repeats`` rounds; the median per mode is kept.

    python bench/notify_ingest.py [--batches 300] [--events 50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from comptoir.clock import RealClock
from comptoir.contract import ZoneEvents
from hub.config import FusionSettings
from hub.ingest import Ingest
from hub.notify import NotifySettings, NotifyWorker
from hub.store import open_database
from hub.timeutil import ts

HANG = threading.Event()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.hang:  # type: ignore[attr-defined]
            HANG.wait(30)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def server(hang: bool) -> ThreadingHTTPServer:
    made = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    made.hang = hang  # type: ignore[attr-defined]
    made.daemon_threads = True
    threading.Thread(target=made.serve_forever, daemon=True).start()
    return made


def run(mode: str, batches: int, events: int, serial: list[int]) -> float:
    """Seconds for ``batches`` batches, each with an alert, in ``mode`` (off, healthy, hanging)."""
    work = Path(tempfile.mkdtemp(prefix="comptoir-notify-bench-"))
    db = open_database(work / "hub.sqlite", synchronous="FULL", busy_timeout_ms=100)
    clock = RealClock()
    ingest = Ingest(db, clock, FusionSettings(), store="bench")
    worker = http = None
    if mode != "off":
        http = server(hang=mode == "hanging")
        settings = NotifySettings.model_validate({
            "channels": {"floor": {"type": "ntfy", "server": f"http://127.0.0.1:{http.server_address[1]}",
                                   "topic": "floor", "timeout_s": 5}},
            "rules": {"theft": {"kinds": ["unpaid_item_exit"], "channels": ["floor"]}}, "poll_s": 0.05})
        worker = NotifyWorker(work / "hub.sqlite", settings, clock, ZoneInfo("UTC"))
        worker.start()
    start = time.perf_counter()
    for seq in range(1, batches + 1):
        evs = []
        for _ in range(events):
            serial[0] += 1
            evs.append({"time": datetime.now(UTC), "event": "arrived", "epc": f"3034B82E5029{serial[0]:012X}",
                        "location": "floor-a2"})
        ingest.handle_batch([ZoneEvents.create(device="reader-1", seq=seq, time=datetime.now(UTC), events=evs)])
        with db.conn:
            ingest.alerts.unpaid_exit(f"3034B82E5029{serial[0]:012X}", None, ts(clock.now()))
        ingest.alerts.outgoing.clear()
        if worker is not None:
            worker.wake()
    took = time.perf_counter() - start
    if worker is not None:
        HANG.set()
        worker.stop()
        HANG.clear()
    if http is not None:
        http.shutdown()
    db.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    serial = [0]
    times: dict[str, list[float]] = {"off": [], "healthy": [], "hanging": []}
    for _ in range(args.repeats):
        for mode in times:
            times[mode].append(run(mode, args.batches, args.events, serial))
    base = statistics.median(times["off"])
    print(f"{args.batches} batches of {args.events} events + 1 alert each, median of {args.repeats}")
    for mode, runs in times.items():
        med = statistics.median(runs)
        print(f"  worker {mode:<8} {med * 1000 / args.batches:7.2f} ms per batch   ratio {med / base:.2f}   "
              f"runs {', '.join(f'{r:.2f}' for r in runs)} s")


if __name__ == "__main__":
    main()
