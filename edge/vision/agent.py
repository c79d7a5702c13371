"""The vision agent: one camera's frames in, per-slot facing counts out on MQTT.

Per camera: a :class:`FrameGrabber` thread keeps the newest frame; the agent
takes at most ``max_fps`` of them, counts only a still view, runs the
detector, maps products to slots (a :class:`CountingPipeline`, which
prepares the next frame beside the counting when the agent is running flat
out), and publishes ``ShelfCounts`` on
``vision/<camera>/shelf`` when a slot's confirmed state changes and every
``heartbeat_s`` regardless. The camera has its own :class:`MqttLink`, whose
``device/<camera>/status`` says it all: the Last Will covers the agent dying,
and the agent tells the link when the stream is lost (``device_down`` with
the reason) and when frames come back (``device_up``).

The hub reaches the camera through its retained ``device/<camera>/config``
(``remote.py``): new slots and a new model are switched in here, between two
frames, never in the middle of one; a new model that then fails
``probation_frames`` frames in a row is rolled back to the one before. The
model in use is said in the status's ``software`` (``... model=<version>``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from comptoir.clock import Clock, RealClock
from comptoir.contract import ShelfCounts
from comptoir.link.mqtt import MqttLink
from edge.vision.capture import CapturedFrame, CaptureSettings, FrameGrabber
from edge.vision.config import CameraConfig
from edge.vision.detector import Detections, Detector, shipped_model_path
from edge.vision.pipeline import CountingPipeline
from edge.vision.remote import CameraRemote
from edge.vision.rollout import ActiveModel
from edge.vision.slots import Calibration, CalibrationError, SlotMap, SlotReading, load_calibration
from edge.vision.stillness import StillnessGate
from edge.vision.watchdog import open_detector

log = logging.getLogger("comptoir.edge.vision")


def load_slots(source: str, base: Path | None = None) -> Calibration:
    """The calibration from a file, or from an http(s) URL (a camera or simulator serving it)."""
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=10) as response:
                data = json.loads(response.read())
        except (OSError, ValueError) as exc:
            raise CalibrationError(f"slots URL {source}: {exc}") from None
        return Calibration.model_validate(data)
    path = Path(source)
    if base is not None and not path.is_absolute():
        path = base / path
    return load_calibration(path)


@dataclass
class _SlotState:
    published: SlotReading | None = None
    candidate: SlotReading | None = None
    seen: int = 0


@dataclass
class AgentStats:
    frames: int = 0
    counted: int = 0
    unsettled: int = 0
    published: int = 0
    detect_ms: list[float] = field(default_factory=list)  # the last 100 frames: model run to slot counts
    switches: int = 0  # models and slot sets switched in
    rollbacks: int = 0  # new models that failed on real frames and were replaced by the one before


class CameraAgent:
    """Counts one camera's slots and publishes them through ``link`` (whose device is the camera)."""

    def __init__(
        self,
        config: CameraConfig,
        link: MqttLink,
        *,
        detector: Detector | None = None,
        calibration: Calibration | None = None,
        clock: Clock | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.link = link
        self.clock = clock or link.clock or RealClock()
        self.calibration = calibration or load_slots(config.slots, config_dir)
        active = None if detector is not None else ActiveModel.load(config.hub.models_dir, config.id)
        self.model = active or ActiveModel(
            "configured" if config.model else "shipped", None,
            str(detector.path if detector else config.model or shipped_model_path(config.precision)))
        self.detector = detector or self.make_detector(Path(self.model.path))
        self.slots = self._slot_map(self.calibration)
        self.gate = StillnessGate(still_frames=config.still_frames, max_change=config.still_max_change)
        self.grabber = FrameGrabber(
            config.url,
            size=self.slots.size,
            settings=CaptureSettings(
                config.open_timeout_s,
                config.read_timeout_s,
                config.stale_s,
                backoff_min_s=config.backoff_min_s,
                backoff_max_s=config.backoff_max_s,
            ),
            on_state=self._on_camera_state,
            name=config.id,
        )
        self.pipeline: CountingPipeline[CapturedFrame, list[SlotReading]] = CountingPipeline(
            self.detector, self.grabber.decode, self._read_slots
        )
        self.stats = AgentStats()
        self.last_frame: CapturedFrame | None = None
        self.last_image = None  # the newest decoded frame: stills, and a new model's test run
        self._pending: list[object] = []  # switches asked for, applied by the loop between two frames
        self._previous: tuple[Detector, ActiveModel] | None = None  # the model before a switch, while on probation
        self._probation = 0  # frames a new model still has to pass
        self._failures = 0
        self.remote = CameraRemote(self)
        self._say_model()
        self.camera_online = False
        self._states = {s.slot: _SlotState() for s in self.calibration.slots}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_publish = float("-inf")
        self._unsettled_since: float | None = None

    # -- models and slots, switched between frames ------------------------------------
    def make_detector(self, path: Path) -> Detector:
        """The model at ``path`` on the configured execution providers, each inference under the watchdog."""
        c = self.config
        return open_detector(c, path)  # type: ignore[return-value]  # a WatchedDetector answers as a Detector

    def _slot_map(self, calibration: Calibration) -> SlotMap:
        c = self.config
        return SlotMap(calibration, count_score=c.count_score, shopper_score=c.shopper_score,
                       shopper_margin=c.shopper_margin, occluded_at=c.occluded_at)

    def _read_slots(self, detections: Detections) -> list[SlotReading]:
        return self.slots.read(detections)

    def switch_slots(self, calibration: Calibration) -> None:
        """Count with ``calibration`` from the next frame on (checked against the frame by the caller)."""
        self._pending.append(calibration)

    def switch_model(self, detector: Detector, version: str, sha256: str, path: Path) -> None:
        """Count with ``detector`` from the next frame on, on probation; it passed its test run already."""
        self._pending.append((detector, ActiveModel(version, sha256, str(path))))

    def _apply_pending(self) -> None:
        pending, self._pending = self._pending, []
        for change in pending:
            if isinstance(change, Calibration):
                self.calibration, self.slots = change, self._slot_map(change)
                # counts of the old slots say nothing of the new ones: the next confirmed counts are published whole
                self._states = {s.slot: _SlotState() for s in change.slots}
                log.info("slots switched", extra={"camera": self.config.id, "slots": len(change.slots)})
            else:
                detector, model = change  # type: ignore[misc]
                self._previous, self._probation, self._failures = (self.detector, self.model), \
                    self.config.hub.probation_frames, 0
                self._use(detector, model)
                log.info("model switched", extra={"camera": self.config.id, "model": model.version,
                                                  "before": self._previous[1].version})
            self.stats.switches += 1

    def _use(self, detector: Detector, model: ActiveModel) -> None:
        self.pipeline.close()
        self.detector, self.model = detector, model
        self.pipeline = CountingPipeline(detector, self.grabber.decode, self._read_slots)
        self._say_model()

    def _counted(self, ok: bool) -> None:
        """A new model on probation: kept after ``probation_frames`` good frames, rolled back after as many failures."""
        if self._previous is None:
            return
        if ok:
            self._failures = 0
            self._probation -= 1
            if self._probation <= 0:
                self._previous = None
                self.model.save(self.config.hub.models_dir, self.config.id)
            return
        self._failures += 1
        if self._failures >= self.config.hub.probation_frames:
            failed = self.model
            detector, model = self._previous
            self._previous = None
            self._use(detector, model)
            self.stats.rollbacks += 1
            self.remote.refused[failed.sha256 or failed.path] = "failed on real frames"
            log.error("model rolled back: it failed on real frames",
                      extra={"camera": self.config.id, "failed": failed.version, "model": model.version})

    def _say_model(self) -> None:
        self.link.set_software(f"{self.link.software.split(' model=')[0]} model={self.model.version}")

    # -- camera availability ------------------------------------------------------
    def _on_camera_state(self, online: bool, reason: str | None) -> None:
        """From the grabber thread: hop to the event loop."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._camera_state, online, reason)

    def _camera_state(self, online: bool, reason: str | None) -> None:
        self.camera_online = online
        if online:
            self.link.device_up()
        else:
            self.link.device_down(f"stream: {reason or 'stream lost'}")
        self.gate.reset()
        if online:
            # counts from before the outage are stale: the next confirmed count is published whole
            for st in self._states.values():
                st.published, st.candidate, st.seen = None, None, 0

    # -- the loop ---------------------------------------------------------------------
    async def run(self) -> None:
        """Count until cancelled."""
        self._loop = asyncio.get_running_loop()
        self.remote.subscribe()
        self.grabber.start()
        after = 0
        period = 1.0 / self.config.max_fps
        flat_out = False  # the last frame took the whole period: prepare the next one beside the counting
        try:
            while True:
                frame = await asyncio.to_thread(self.grabber.latest, after, 0.5)
                self.remote.tick()
                if self._pending:
                    self._apply_pending()
                if frame is None:
                    self._heartbeat()
                    continue
                after = frame.index
                started = time.monotonic()
                try:
                    await self._count(frame, look_ahead=flat_out)
                except Exception:  # one bad frame must not stop the camera
                    log.exception("counting a frame failed; skipped", extra={"camera": self.config.id})
                    self._counted(False)
                self._heartbeat()
                rest = period - (time.monotonic() - started)
                flat_out = rest <= 0
                await asyncio.sleep(max(0.0, rest))
        finally:
            await self.remote.close()
            await asyncio.to_thread(self.grabber.stop)
            await asyncio.to_thread(self.pipeline.close)

    async def _count(self, frame: CapturedFrame, look_ahead: bool = False) -> None:
        self.stats.frames += 1
        prepared = await asyncio.to_thread(self.pipeline.prepare, frame)
        if prepared is None:  # undecodable: the grabber logged it
            return
        self.last_frame, self.last_image = frame, prepared.image
        now = time.monotonic()
        if not self.gate.update(prepared.image):
            self.stats.unsettled += 1
            if self._unsettled_since is None:
                self._unsettled_since = now
            if now - self._unsettled_since >= self.config.unsettled_occluded_s:
                self._apply(
                    [
                        SlotReading(s.slot, s.gtin, "occluded", None, s.capacity, None, 1.0)
                        for s in self.calibration.slots
                    ],
                    confirm=1,
                )
            return
        self._unsettled_since = None
        t0 = time.perf_counter()
        output = await asyncio.to_thread(self.pipeline.infer, prepared)
        ahead = self.grabber.newer(frame.index) if look_ahead else None
        _, readings = await asyncio.to_thread(self.pipeline.count, prepared, output, ahead)
        self.stats.detect_ms.append((time.perf_counter() - t0) * 1000)
        del self.stats.detect_ms[:-100]
        self.stats.counted += 1
        self._counted(True)
        self._apply(readings, confirm=self.config.confirm_frames)

    def _apply(self, readings: list[SlotReading], confirm: int) -> None:
        changed = False
        for reading in readings:
            st = self._states[reading.slot]
            key = (reading.state, reading.facings)
            if st.candidate is not None and (st.candidate.state, st.candidate.facings) == key:
                st.seen += 1
            else:
                st.candidate, st.seen = reading, 1
            st.candidate = reading  # the latest confidence and fraction
            published = st.published
            if st.seen >= confirm and (published is None or (published.state, published.facings) != key):
                st.published = reading
                changed = True
        if changed:
            self._publish()

    def _heartbeat(self) -> None:
        if time.monotonic() - self._last_publish >= self.config.heartbeat_s and self.camera_online:
            self._publish()

    def _publish(self) -> None:
        current = [st.published for st in self._states.values() if st.published is not None]
        if not current:
            return
        self.link.emit(ShelfCounts, slots=[r.as_dict() for r in current])
        self._last_publish = time.monotonic()
        self.stats.published += 1
        log.info(
            "shelf counts",
            extra={
                "camera": self.config.id,
                "slots": len(current),
                "empty": sum(r.state == "empty" for r in current),
                "occluded": sum(r.state == "occluded" for r in current),
            },
        )


async def run_cameras(
    configs: list[CameraConfig],
    make_link,
    clock: Clock | None = None,  # type: ignore[no-untyped-def]
    config_dir: Path | None = None,
) -> None:
    """Run every camera until cancelled; ``make_link(camera_id)`` returns an unstarted MqttLink."""
    agents = []
    for cfg in configs:
        link = make_link(cfg.id)
        agents.append(CameraAgent(cfg, link, clock=clock, config_dir=config_dir))
    links = [await a.link.start() for a in agents]
    tasks = [asyncio.create_task(a.run(), name=f"vision-{a.config.id}") for a in agents]
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        for link in links:
            await link.stop()
