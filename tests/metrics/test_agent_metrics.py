"""The camera agent's and the scale bridge's /metrics, scraped from real processes.

The camera: ``comptoir edge`` counting a simulated bay served over real HTTP
(MJPEG); frames, counted frames, inference time and published counts move.
The bridge: ``comptoir bridge`` on a real pty with a noisy simulated scale;
good lines and refused lines (by kind) move; with the broker stopped, its
outbox fills and the oldest message ages.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from comptoir.contract import Message, ShelfCounts
from comptoir.link import MqttLink
from comptoir.mosquitto import free_port
from simulators.camera.live import WorldCamera
from simulators.world import World
from tests.conftest import BrokerHandle
from tests.hub.support import wait_for
from tests.hub.test_hub_lost_reader import end, spawn
from tests.metrics.support import scrape, total, value

pytestmark = pytest.mark.timeout(240)
BAY = "A6-B2"  # a small bay: quick to render and count


async def test_the_camera_agents_frames_and_inference_time(mqtt_broker: BrokerHandle, tmp_path: Path) -> None:
    world = World(seed=7, movers=False)
    camera = WorldCamera(world, BAY, port=0, fps=4, shopper_s=0).start()
    cam_id, port = camera.bay.camera_id, free_port()
    counts: list[Message] = []
    listener = MqttLink(mqtt_broker.settings(), store="test", device="listener", kind="test")
    listener.subscribe(f"comptoir/v1/test/+/{cam_id}/+",
                       lambda m: counts.append(m) if isinstance(m, ShelfCounts) else None)
    await listener.start()
    config = tmp_path / "edge.yaml"
    config.write_text(json.dumps({
        "store": "test", "broker": {"url": mqtt_broker.url}, "state_dir": str(tmp_path / "state"),
        "metrics": {"port": port},
        "cameras": [{"id": cam_id, "url": camera.server.url, "max_fps": 4, "threads": 1, "still_frames": 2,
                     "confirm_frames": 2, "slots": camera.server.url.replace("stream.mjpg", "slots.json")}],
    }))
    edge = spawn("edge", "--config", str(config), log=tmp_path / "edge.log")
    try:
        def published_counts() -> dict | None:
            samples = scrape(port)
            return samples if total(samples, "comptoir_camera_counts_published_total") else None

        first = await asyncio.to_thread(wait_for, published_counts, 90, "the camera's first published counts")
        seen = len(counts)

        def more_frames() -> dict | None:
            samples = scrape(port)
            frames = value(samples, "comptoir_camera_frames_total", device=cam_id)
            return samples if frames > value(first, "comptoir_camera_frames_total", device=cam_id) + 4 else None

        later = await asyncio.to_thread(wait_for, more_frames, 60, "more frames")
        published = value(later, "comptoir_camera_counts_published_total", device=cam_id)
        await asyncio.to_thread(wait_for, lambda: len(counts) >= published, 30, "every published count at the broker")
    finally:
        end(edge)
        await listener.stop()
        camera.stop()
    assert seen <= published <= len(counts)
    assert value(later, "comptoir_camera_frames_counted_total", device=cam_id) > 0
    assert 0 < value(later, "comptoir_camera_inference_seconds", device=cam_id) < 30
    assert value(later, "comptoir_camera_online", device=cam_id) == 1
    assert value(later, "comptoir_link_connected", device=cam_id) == 1


def test_the_bridges_lines_errors_and_outbox(mqtt_broker: BrokerHandle, tmp_path: Path) -> None:
    tty, port = tmp_path / "scale-3.tty", free_port()
    config = tmp_path / "edge.yaml"
    config.write_text(json.dumps({
        "store": "test", "state_dir": str(tmp_path / "state"),
        "broker": {"url": mqtt_broker.url, "reconnect_min_s": 0.1, "reconnect_max_s": 0.5},
        "bridge_metrics": {"port": port},
        "scales": [{"device": "scale-3", "serial": str(tty), "unit_grams": 250, "heartbeat_s": 0.5,
                    "min_change_g": 0}],
    }))
    sim = spawn("sim", "scale", "--link", str(tty), "--units", "4", "--noise", "0.3", log=tmp_path / "sim.log")
    bridge = None
    try:
        wait_for(lambda: tty.exists(), 30, "the scale simulator's pty")
        bridge = spawn("bridge", "--config", str(config), log=tmp_path / "bridge.log")
        flowing = wait_for(lambda: _refused_and_published(port), 60, "good and refused lines")
        mqtt_broker.stop()  # the broker goes away: weights wait in the outbox
        backlog = wait_for(lambda: _backlog(port), 30, "weights waiting in the outbox")
    finally:
        if bridge is not None:
            end(bridge)
        end(sim)
    assert value(flowing, "comptoir_bridge_lines_total", device="scale-3", outcome="ok") > 0
    assert value(flowing, "comptoir_bridge_lines_total", device="scale-3", outcome="refused") == _refused(flowing)
    assert value(backlog, "comptoir_link_connected", device="scale-3") == 0
    assert value(backlog, "comptoir_outbox_oldest_age_seconds", device="scale-3") > 0


def _refused(samples: dict) -> float:
    """Refused lines, summed over their kinds (bad_crc, too_long, ...)."""
    return sum(v for (n, ls), v in samples.items()
               if n == "comptoir_bridge_errors_total" and dict(ls)["kind"].startswith("refused_"))


def _refused_and_published(port: int) -> dict | None:
    samples = scrape(port)
    published = value(samples, "comptoir_bridge_published_total", device="scale-3")
    return samples if _refused(samples) and published else None


def _backlog(port: int) -> dict | None:
    samples = scrape(port)
    return samples if value(samples, "comptoir_outbox_messages", device="scale-3") >= 2 else None
