"""Hostile part ``cameras``: whatever a camera's retained config says, the agent keeps counting with what it had
unless the new slots or model offer are whole and right.

A real :class:`CameraAgent` (the shipped detector, the simulator's calibration; not counting frames) reads
generated ``device/<id>/config`` messages through its own handler: arbitrary JSON under every key it reads,
and slot sets and model offers mutated from good ones (corners cut, out of the frame, a zero area, ids twice,
another frame size, strings for numbers; digests, sizes and versions of the wrong form). The property: the
handler never raises; a slot set is switched in only when an independent check finds it whole (3 corners or
more, inside the 960x540 frame, an area, unique ids), and a download is started only for a well-formed offer.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from comptoir.contract import DeviceConfig
from comptoir.link import BrokerSettings, MqttLink
from edge.vision.agent import CameraAgent
from edge.vision.config import CameraConfig
from edge.vision.slots import Calibration
from tests.hostile.scale import hostile_scale
from tests.hub.support import now

CAMERA = "cam-h1"
W, H = 960, 540
GOOD_SLOTS = {"width": W, "height": H, "slots": [
    {"slot": "S-01", "gtin": None, "capacity": 4, "polygon": [[10, 10], [200, 10], [200, 120], [10, 120]]},
    {"slot": "S-02", "gtin": None, "capacity": 6, "polygon": [[220, 10], [400, 10], [400, 120], [220, 120]]}]}
GOOD_OFFER = {"version": "v2", "sha256": "a" * 64, "size": 1000, "url": "/api/cameras/cam-h1/model/" + "a" * 64}

json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
coordinate = st.one_of(st.integers(-100, 1200), st.floats(-50, 1000, allow_nan=False), st.just("12"), st.none())


@st.composite
def slot_sets(draw: st.DrawFn) -> Any:
    slots = [dict(s, polygon=[list(p) for p in s["polygon"]]) for s in GOOD_SLOTS["slots"]]
    data: dict[str, Any] = {"width": GOOD_SLOTS["width"], "height": GOOD_SLOTS["height"], "slots": slots}
    for _ in range(draw(st.integers(0, 3))):
        fault = draw(st.sampled_from(["corner", "cut", "flat", "twice", "size", "capacity", "drop", "none"]))
        slot = draw(st.sampled_from(slots))
        if fault == "corner":
            slot["polygon"][draw(st.integers(0, len(slot["polygon"]) - 1))] = [draw(coordinate), draw(coordinate)]
        elif fault == "cut":
            slot["polygon"] = slot["polygon"][: draw(st.integers(0, 2))]
        elif fault == "flat":
            slot["polygon"] = [[50, 50], [60, 50], [70, 50]]
        elif fault == "twice":
            slot["slot"] = slots[0]["slot"]
        elif fault == "size":
            data["width"] = draw(st.sampled_from([640, 0, -1, "960", 961]))
        elif fault == "capacity":
            slot["capacity"] = draw(st.sampled_from([0, -3, "four", None]))
        elif fault == "drop":
            data["slots"] = draw(st.sampled_from([[], None, "all"]))
    return data


@st.composite
def offers(draw: st.DrawFn) -> Any:
    offer: dict[str, Any] = dict(GOOD_OFFER)
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from(sorted(offer)))
        offer[key] = draw(st.sampled_from({
            "version": ["", "v 2", "x" * 65, None, 3], "sha256": ["A" * 64, "a" * 63, "g" * 64, None],
            "size": [0, -1, "1000", None, 1.5], "url": ["", None, 7]}[key]))
    return offer


settings_values = st.fixed_dictionaries({}, optional={
    "slots": st.one_of(slot_sets(), json_value), "model": st.one_of(offers(), json_value),
    "stills_every_min": json_value, "hub_url": json_value, "token": json_value})


def whole(data: Any) -> bool:
    """The independent check of a slot set (not the agent's code): shape, corners, area, unique ids."""
    try:
        cal = Calibration.model_validate(data)
    except ValidationError:
        return False
    if (cal.width, cal.height) != (W, H) or len({s.slot for s in cal.slots}) != len(cal.slots):
        return False
    for s in cal.slots:
        if any(not (0 <= x <= W and 0 <= y <= H) for x, y in s.polygon):
            return False
        area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(s.polygon, s.polygon[1:] + s.polygon[:1],
                                                                        strict=True)) / 2
        if abs(area) < 1.0:
            return False
    return True


def well_formed(offer: Any) -> bool:
    return (isinstance(offer, dict) and isinstance(offer.get("version"), str)
            and re.fullmatch(r"[A-Za-z0-9._+-]{1,64}", offer["version"]) is not None
            and isinstance(offer.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", offer["sha256"]) is not None
            and type(offer.get("size")) is int and offer["size"] > 0
            and isinstance(offer.get("url"), str) and 1 <= len(offer["url"]) <= 500)


def test_camera_configs_from_anyone(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    tally = {"tried": 0, "rejected": 0, "accepted": 0, "contract": 0, "slots_switched": 0, "downloads_started": 0}
    calibration = Calibration.model_validate({**GOOD_SLOTS, "slots": GOOD_SLOTS["slots"][:1]})  # what it counts now
    config = CameraConfig(id=CAMERA, url="http://127.0.0.1:9/none", slots="unused.json", threads=1,
                          hub={"models_dir": str(tmp_path_factory.mktemp("models"))})
    link = MqttLink(BrokerSettings(), store="test", device=CAMERA, kind="camera")
    agent = CameraAgent(config, link, calibration=calibration)
    loop = asyncio.new_event_loop()
    started: list[Any] = []

    async def read(message: DeviceConfig) -> None:
        agent._pending.clear()
        agent.remote.refused.clear()  # each example stands alone (a refused offer is otherwise not tried again)
        before = set(agent.remote._tasks)
        agent.remote.on_config(message)
        started.extend(t for t in agent.remote._tasks - before if "roll_out" in repr(t.get_coro()))
        await agent.remote.close()

    @settings(max_examples=150 * hostile_scale(), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(settings_values)
    def one(values: dict[str, Any]) -> None:
        tally["tried"] += 1
        try:
            message = DeviceConfig.create(device="hub", seq=1, time=now(), target=CAMERA, settings=values)
        except ValidationError:
            tally["contract"] += 1  # the contract's gate refuses it before any camera reads it
            tally["rejected"] += 1
            return
        started.clear()
        loop.run_until_complete(read(message))  # raises on any exception in the handler: the property fails
        switched = [c for c in agent._pending if isinstance(c, Calibration)]
        if "slots" in values:
            assert bool(switched) == (whole(values["slots"]) and Calibration.model_validate(values["slots"])
                                      != agent.calibration), values["slots"]
        if values.get("model") is not None:
            assert bool(started) == well_formed(values["model"]), values["model"]
        tally["slots_switched"] += bool(switched)
        tally["downloads_started"] += bool(started)
        useful = bool(switched) or bool(started)
        tally["accepted" if useful else "rejected"] += 1

    try:
        one()
    finally:
        loop.run_until_complete(agent.remote.close())
        loop.close()
        agent.pipeline.close()
    assert agent.calibration == calibration and agent.model.version == "shipped"  # nothing applied by the handler
    assert tally["slots_switched"] > 0 and tally["downloads_started"] > 0 and tally["rejected"] > 0
    print(f"HOSTILE part=cameras tried={tally['tried']} rejected={tally['rejected']} accepted={tally['accepted']} "
          f"alive=yes lost=0 contract_refused={tally['contract']} slots_switched={tally['slots_switched']} "
          f"downloads_started={tally['downloads_started']}")
