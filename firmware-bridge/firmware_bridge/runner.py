"""Runs the bridges of every configured scale in one process, each with its own MQTT link."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

from comptoir.clock import Clock, RealClock
from comptoir.link import MqttLink
from comptoir.metrics import serve
from firmware_bridge.bridge import ScaleBridge
from firmware_bridge.config import BridgeConfig
from firmware_bridge.metrics import bridge_metrics

log = logging.getLogger("firmware_bridge")


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "comptoir" / "bridge"


def make_bridges(config: BridgeConfig, clock: Clock | None = None) -> list[ScaleBridge]:
    clock = clock or RealClock()
    state = config.state_dir or default_state_dir()
    state.mkdir(parents=True, exist_ok=True)
    bridges = []
    for scale in config.scales:
        link = MqttLink(
            config.broker,
            store=config.store,
            device=scale.device,
            kind="scale",
            outbox=state / f"bridge-{scale.device}.outbox.sqlite",
            clock=clock,
        )
        bridges.append(
            ScaleBridge(scale, link, clock=clock, done_path=state / f"bridge-{scale.device}.commands-done.json")
        )
    return bridges


async def run_bridges(config: BridgeConfig, clock: Clock | None = None, stop: asyncio.Event | None = None) -> None:
    """Bridge every scale until ``stop`` is set (or SIGINT/SIGTERM)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    bridges = make_bridges(config, clock)
    server = serve(config.bridge_metrics, lambda: bridge_metrics(bridges))  # None unless bridge_metrics.port is set
    for bridge in bridges:
        await bridge.start()
        await bridge.link.start()
    try:
        await stop.wait()
    finally:
        for bridge in bridges:
            await bridge.stop()
            await bridge.link.stop()
            bridge.link.outbox.close()
        if server is not None:
            server.close()
