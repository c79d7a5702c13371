"""Model rollout with a real hub, broker, camera simulator and agent process: a good model switches and the
devices page says so; a model of the wrong shape, a truncated one and garbage configs are refused, and the camera
keeps counting with the model and slots it had."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from comptoir.contract import DeviceConfig
from edge.vision.detector import shipped_model_path
from edge.vision.rollout import ModelOffer, RolloutError, download
from tests.conftest import BrokerHandle
from tests.hub.support import STORE, Publisher, now, wait_for
from tests.vision.camera_rig import CameraRig


@pytest.fixture(scope="module")
def rig(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CameraRig]:
    running = CameraRig(Path(tmp_path_factory.mktemp("rollout")), broker.host, broker.port, broker.url).start()
    try:
        yield running
    finally:
        running.stop()


def shipped_copy(target: Path, version: str) -> Path:
    """The shipped detector with other metadata: the same network, another file (another sha256)."""
    model = onnx.load(str(shipped_model_path()))
    model.metadata_props.add(key="comptoir_release", value=version)
    target.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(target))
    return target


def wrong_shape_model(target: Path) -> Path:
    """A valid ONNX file whose output has room for one class only: not a product-and-shopper detector."""
    out = helper.make_tensor("out", TensorProto.FLOAT, [1, 5, 10], [0.0] * 50)
    graph = helper.make_graph(
        [helper.make_node("Constant", [], ["output0"], value=out)], "wrong",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 5, 10])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    target.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(target))
    return target


def offer(rig: CameraRig, file: str, version: str) -> dict:
    response = rig.manager().post(f"/api/cameras/{rig.cam}/model", json={"file": file, "version": version})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_good_model_switches_and_the_devices_page_says_so(rig: CameraRig) -> None:
    staff = rig.staff()
    assert rig.running_model(staff) == "shipped"
    shipped_copy(rig.models_dir / "shelf-v2.onnx", "v2")
    mark = rig.listener.seen()
    answer = offer(rig, "shelf-v2.onnx", "v2")
    assert answer["offered"]["version"] == "v2"
    wait_for(lambda: rig.alive() and rig.running_model(staff) == "v2", 90, "the camera running v2")
    rig.wait_counts(3, "counts with v2", mark)
    assert "model switched" in rig.edge_log()
    downloaded = rig.workdir / "edge-models" / f"{answer['offered']['sha256']}.onnx"
    assert hashlib.sha256(downloaded.read_bytes()).hexdigest() == answer["offered"]["sha256"]


def test_a_model_of_the_wrong_shape_is_refused_and_the_old_one_keeps_counting(rig: CameraRig) -> None:
    staff = rig.staff()
    wrong_shape_model(rig.models_dir / "one-class.onnx")
    offer(rig, "one-class.onnx", "v3-wrong")
    wait_for(lambda: rig.alive() and "model refused" in rig.edge_log() and "v3-wrong" in rig.edge_log(), 60,
             "the refusal in the agent's log")
    assert "classes" in rig.edge_log().split("v3-wrong")[-1]  # the log says what is wrong
    mark = rig.wait_counts(2, "counts after the refusal")
    counts = rig.wait_counts(2, "more counts", mark)
    assert counts and rig.running_model(staff) == "v2"
    assert any(state == "ok" for c in rig.listener.after(mark) for state, _ in c.values())


def test_a_garbage_config_is_refused_and_the_camera_keeps_its_slots(rig: CameraRig, broker: BrokerHandle) -> None:
    topic = f"comptoir/v1/{STORE}/device/{rig.cam}/config"
    slots_before = set(rig.listener.counts[-1])
    publisher = Publisher(broker.host, broker.port, client_id="garbage-config")
    try:
        publisher.raw(topic, b"\x00not json at all")
        bad_slots = DeviceConfig.create(device="hub", seq=1, time=now(), target=rig.cam, settings={
            "slots": {"width": 960, "height": 540, "slots": [
                {"slot": "A6-B2-S1-01", "capacity": 4, "polygon": [[0, 0], [5000, 0], [5000, 300], [0, 300]]}]},
        })
        publisher.send(bad_slots)
        two_corners = DeviceConfig.create(device="hub", seq=2, time=now(), target=rig.cam, settings={
            "slots": {"width": 960, "height": 540, "slots": [
                {"slot": "A6-B2-S1-01", "capacity": 4, "polygon": [[0, 0], [100, 0]]}]}})
        publisher.send(two_corners)
    finally:
        publisher.close()
    wait_for(lambda: rig.alive() and "config message refused" in rig.edge_log()
             and "outside the 960x540 frame" in rig.edge_log() and "polygon" in rig.edge_log(), 60,
             "the three refusals in the agent's log")
    mark = rig.wait_counts(2, "counts after the garbage")
    assert all(set(c) == slots_before for c in rig.listener.after(mark - 2))


def test_a_truncated_model_is_refused_after_a_restart_and_the_kept_one_counts(rig: CameraRig) -> None:
    staff = rig.staff()
    rig.stop_agent()
    model = shipped_copy(rig.models_dir / "shelf-v4.onnx", "v4")
    offer(rig, "shelf-v4.onnx", "v4")
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])  # the file is cut after it was offered
    rig.start_agent()  # comes back on v2 (kept across the restart), and reads the retained offer of v4
    wait_for(lambda: "truncated" in rig.edge_log(), 60, "the truncated download refused")
    rig.wait_counts(3, "counts with the kept model")
    wait_for(lambda: rig.running_model(staff) == "v2", 30, "the devices page still saying v2")
    assert not list((rig.workdir / "edge-models").glob("*.part"))


# -- the download's checks against a real local HTTP server ---------------------------------------------------
@pytest.fixture
def model_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    served = tmp_path / "served"
    served.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("fault", "words"), [
    ("bad sha", "is not the offer's"), ("truncated", "truncated"), ("longer", "more than"),
    ("too big", "max_model_bytes"), ("missing", "404")])
def test_a_download_that_is_not_the_offer_is_refused_and_leaves_nothing(
        model_server: tuple[str, Path], tmp_path: Path, fault: str, words: str) -> None:
    base, served = model_server
    data = shipped_model_path().read_bytes()
    sha, size = hashlib.sha256(data).hexdigest(), len(data)
    body = {"bad sha": data[:-1] + bytes([data[-1] ^ 1]), "truncated": data[:1000], "longer": data + b"x",
            "too big": data, "missing": None}[fault]
    if body is not None:
        (served / "m.onnx").write_bytes(body)
    dest = tmp_path / "models"
    with pytest.raises(RolloutError, match=words):
        download(ModelOffer(version="v9", sha256=sha, size=size, url="/m.onnx"), base, "t", dest,
                 max_bytes=size - 1 if fault == "too big" else size * 2, timeout_s=10)
    assert not dest.exists() or not list(dest.iterdir())


def test_a_good_download_is_kept_under_its_digest(model_server: tuple[str, Path], tmp_path: Path) -> None:
    base, served = model_server
    data = shipped_model_path().read_bytes()
    (served / "m.onnx").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    path = download(ModelOffer(version="v9", sha256=sha, size=len(data), url="/m.onnx"), base, None,
                    tmp_path / "models", max_bytes=len(data), timeout_s=10)
    assert path.name == f"{sha}.onnx" and path.read_bytes() == data


# -- a model that passed its trial and then fails on real frames -----------------------------------------------
async def test_a_model_failing_on_real_frames_is_rolled_back_and_counting_goes_on(
        mqtt_broker: BrokerHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The camera agent in-process, on the camera simulator and mosquitto. The new model's failure is injected
    (its ``infer`` raises, as an accelerator that breaks after warm-up would): no ONNX file fails only on
    later frames on this machine. A plain detector from a real file otherwise."""
    import asyncio
    import logging

    from comptoir.link import MqttLink
    from edge.vision.agent import CameraAgent
    from edge.vision.config import CameraConfig
    from simulators.camera.live import WorldCamera
    from tests.dashboard.support import WORLD
    from tests.vision.camera_rig import BAY

    caplog.set_level(logging.INFO, logger="comptoir.edge.vision")
    camera = WorldCamera(WORLD, BAY, port=0, fps=4, shopper_s=0).start()
    config = CameraConfig(id=camera.bay.camera_id, url=camera.server.url,
                          slots=camera.server.url.replace("stream.mjpg", "slots.json"), max_fps=4, still_frames=2,
                          threads=1, open_timeout_s=2, read_timeout_s=1, backoff_min_s=0.2, backoff_max_s=1,
                          hub={"models_dir": str(tmp_path / "models"), "probation_frames": 3})
    link = MqttLink(mqtt_broker.settings(), store=STORE, device=config.id, kind="camera")
    agent = CameraAgent(config, link)
    await link.start()
    task = asyncio.create_task(agent.run())

    async def until(check, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
        async def poll() -> None:
            while not check():
                await asyncio.sleep(0.05)
        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    try:
        await until(lambda: agent.stats.counted >= 2, "the first counts")
        candidate = agent.make_detector(shipped_copy(tmp_path / "v5.onnx", "v5"))

        def broken(blob):  # type: ignore[no-untyped-def]
            raise RuntimeError("injected: the execution provider failed")

        candidate.infer = broken  # type: ignore[method-assign]
        agent.switch_model(candidate, "v5", "5" * 64, tmp_path / "v5.onnx")
        await until(lambda: agent.stats.rollbacks == 1, "the rollback")
        assert agent.model.version == "shipped" and agent.detector is not candidate
        assert "model=shipped" in link.software
        counted = agent.stats.counted
        await until(lambda: agent.stats.counted >= counted + 2, "counts after the rollback")
        assert any(r.getMessage().startswith("model rolled back") and getattr(r, "failed", None) == "v5"
                   for r in caplog.records)
        assert not (tmp_path / "models" / f"{config.id}.active.json").exists()  # v5 never became the kept model
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await link.stop()
        camera.stop()
