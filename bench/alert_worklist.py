"""The alert work list's cost: what one live update of the alerts page asks of the hub.

A hub database holding a few weeks of alerts (``--resolved`` resolved, ``--open`` open: stock, devices, kiosk
calls), the real FastAPI app in process, signed in, French. Each request is timed; medians against
``GET /api/health`` on the same app (routing, no work) as the baseline:

* the page on screen (``/api/dashboard/alerts/page``, open and resolved): what a live ``alert`` event costs
  now; the database cuts the page in work order, only 20 alerts are put into words;
* the same page searched, and with repeats grouped: the latest 2000 of the list are read and put into
  words (``SCAN_MAX``);
* the three lists (``/api/dashboard/alerts?view=...`` x 3, 200 each): what each event cost before.

    python bench/alert_worklist.py [--resolved 5000] [--open 60] [--requests 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlite_utils
from tqdm import tqdm

from comptoir.clock import ManualClock
from hub.app import create_app
from hub.auth import create_user
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from hub.store import open_database
from hub.timeutil import ts


@dataclass
class LocalHub:
    """What the web app needs from a running hub, without MQTT (as bench/dashboard.py's)."""

    config: HubConfig
    db: sqlite_utils.Database
    ingest: Ingest
    bus: EventBus
    clock: ManualClock
    mqtt_connected: bool = True


KINDS = (("device_offline", "critical", "alert.device_offline"), ("device_silent", "warning", "alert.device_silent"),
         ("out_of_stock", "critical", "alert.out_of_stock"), ("kiosk_help", "critical", "alert.kiosk_help"))


def make_hub(folder: Path, resolved: int, open_: int) -> LocalHub:
    db = open_database(folder / "hub.sqlite")
    clock = ManualClock()
    now = ts(clock.now())
    create_user(db, "bench", "bench-password", "staff", now)
    rows = []
    for n in range(resolved + open_):
        kind, severity, code = KINDS[n % len(KINDS)]
        state = "resolved" if n < resolved else "open"
        raised = now - (resolved + open_ - n) * 60
        params = json.dumps({"device": f"cam-{n % 9}", "kind": "camera", "reason": "shutdown", "seconds": 300,
                             "name": "x", "kiosk": f"kiosk-{n % 3}"})
        rows.append((f"{kind}:{n}", kind, state, severity, "text", f"cam-{n % 9}", raised, raised,
                     raised + 30 if state == "resolved" else None, code, params))
    with db.conn:
        db.conn.executemany("INSERT INTO alerts (key, kind, state, severity, text, device, raised_at, updated_at, "
                            "resolved_at, code, params) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    bus = EventBus()
    return LocalHub(HubConfig(store="bench", db=folder / "hub.sqlite"), db,
                    Ingest(db, clock, FusionSettings(), store="bench", bus=bus), bus, clock)


CASES = {
    "GET /api/health (baseline)": ["/api/health"],
    "page on screen, open": ["/api/dashboard/alerts/page?view=open"],
    "page on screen, resolved": ["/api/dashboard/alerts/page?view=resolved"],
    "resolved, searched": ["/api/dashboard/alerts/page?view=resolved&q=cam-3"],
    "resolved, repeats grouped": ["/api/dashboard/alerts/page?view=resolved&group=true"],
    "the three lists (before)": [f"/api/dashboard/alerts?view={v}" for v in ("open", "acknowledged", "resolved")],
}


async def medians(hub: LocalHub, requests: int) -> dict[str, float]:
    app = create_app(hub)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub",
                                 cookies={"comptoir_lang": "fr"}) as client:
        await client.post("/api/session", json={"username": "bench", "password": "bench-password"})
        out = {}
        for name, paths in CASES.items():
            times = []
            for _ in tqdm(range(requests), desc=name, leave=False):
                started = time.perf_counter()
                for path in paths:
                    response = await client.get(path)
                    assert response.status_code == 200, response.text
                times.append(time.perf_counter() - started)
            out[name] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolved", type=int, default=5000)
    parser.add_argument("--open", type=int, default=60)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hub = make_hub(Path(tmp), args.resolved, args.open)
        found = asyncio.run(medians(hub, args.requests))
    base = found["GET /api/health (baseline)"]
    print(f"{args.resolved} resolved + {args.open} open alerts, {args.requests} requests each, in process (medians)")
    for name, took in found.items():
        print(f"  {name:<30} {took * 1000:>9.2f} ms   ratio {took / base:>7.1f}")


if __name__ == "__main__":
    main()
