"""The shop through a bad hour: broker restarted, hub and an edge agent killed (SIGKILL) and restarted, the gate
reader's connection dropped, a camera stream stopped, the scale unplugged. Nothing may be lost, the targets hold."""

from __future__ import annotations

import json

import pytest

from simulators.demo.faults import FAULTS
from simulators.demo.run import run_demo
from simulators.score import TARGETS
from tests.demo.test_scenario import missed, options, write

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


async def test_faults_lose_no_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = await run_demo(options(tmp_path, faults=True, minutes=60), say=print)
    assert report is not None
    write(report, "demo_faults.json")
    print(json.dumps(report["score"]), json.dumps(report["details"]))
    assert report["faults"] == [f.name for f in FAULTS]  # every fault happened
    score = report["score"]
    assert score["messages_lost"] == 0
    assert report["details"]["samples"] >= 4
    # the hub came back with everything it had: the targets hold through the faults
    assert report["targets_met"] == dict.fromkeys(TARGETS, True), missed(report)
    shop = tmp_path / "shop" / "logs"
    assert "start 2" in (shop / "hub.log").read_text()  # the hub really was restarted
    assert "start 2" in (shop / "edge-backroom.log").read_text()  # the first room reader's agent (per room)
