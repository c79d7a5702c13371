"""What the hub asks of one camera through its retained ``device/<id>/config``: slots, a model, stills.

``settings`` keys the camera reads (docs/vision.md, "Set from the hub"):

* ``hub_url``, ``token``: where the hub's web API is and the camera's device
  token for it (the topic is readable by this camera alone under the ACL);
* ``slots``: the slot calibration drawn on the dashboard, applied whole or not at all;
* ``model``: a detector offer (version, sha256, size, url), see ``rollout.py``;
* ``stills_every_min``: take a still every N minutes (null: only on request).

``commands`` named ``STILL`` take one still each (once per command id).
Each key is checked on its own: a bad one is logged with its name and
ignored, the camera keeps what it had for it, and the other keys apply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from comptoir.contract import ContractError, DeviceConfig, Message
from comptoir.contract.topics import topic
from edge.vision.rollout import ModelOffer, RolloutError, download, try_model
from edge.vision.slots import CalibrationError, calibration_for_frame
from edge.vision.stills import StillError, still_jpeg, upload_still

if TYPE_CHECKING:
    from edge.vision.agent import CameraAgent

log = logging.getLogger("comptoir.edge.vision")


class CameraRemote:
    """The agent's side of the retained config: reads it, and runs the downloads, trials and uploads it asks for."""

    def __init__(self, agent: CameraAgent) -> None:
        self.agent = agent
        self.camera = agent.config.id
        self.settings = agent.config.hub
        self.hub_url: str | None = self.settings.url
        self.token: str | None = None
        self.stills_every_min: float | None = self.settings.stills_every_min
        self.stills_taken = 0
        self.refused: dict[str, str] = {}  # sha256 -> why, so a bad offer retained on the topic is tried once
        self._done_commands: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._rolling_out: str | None = None
        self._next_still: float | None = None
        self.config_topic = topic(agent.link.store, "device", self.camera, "config")

    def subscribe(self) -> None:
        self.agent.link.subscribe(self.config_topic, self.on_config, self.on_bad_config)

    def on_bad_config(self, topic_name: str, payload: bytes, error: ContractError) -> None:
        log.error("config message refused; the camera keeps its settings",
                  extra={"camera": self.camera, "topic": topic_name, "bytes": len(payload), "error": str(error)})

    # -- reading the config ---------------------------------------------------------
    def on_config(self, message: Message) -> None:
        if not isinstance(message, DeviceConfig) or message.target != self.camera:
            return
        settings = message.settings
        if not self.settings.url and isinstance(settings.get("hub_url"), str):
            self.hub_url = str(settings["hub_url"])
        if isinstance(settings.get("token"), str):
            self.token = str(settings["token"])
        if "stills_every_min" in settings:
            self._stills_every(settings["stills_every_min"])
        if "slots" in settings:
            try:
                calibration = calibration_for_frame(settings["slots"], self.agent.slots.size, "settings.slots")
            except CalibrationError as exc:
                log.error("slots from the hub refused; the camera keeps its slots",
                          extra={"camera": self.camera, "error": str(exc)})
            else:
                if calibration != self.agent.calibration:
                    self.agent.switch_slots(calibration)
        if settings.get("model") is not None:
            self._offer(settings["model"])
        for command in message.commands:
            if command.name != "STILL" or command.id in self._done_commands:
                continue
            self._done_commands.add(command.id)
            self._spawn(self.take_still("request"))

    def _stills_every(self, value: object) -> None:
        if value is None:
            self.stills_every_min = self.settings.stills_every_min
        elif isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 7 * 24 * 60:
            self.stills_every_min = float(value)
        else:
            log.error("settings.stills_every_min refused: minutes from 0 to 10080, or null",
                      extra={"camera": self.camera, "value": repr(value)[:50]})
            return
        self._next_still = None if self.stills_every_min is None else time.monotonic() + self.stills_every_min * 60

    def _offer(self, data: object) -> None:
        try:
            offer = ModelOffer.parse(data)
        except RolloutError as exc:
            log.error("model offer refused", extra={"camera": self.camera, "error": str(exc)})
            return
        if offer.sha256 == self.agent.model.sha256 or offer.sha256 == self._rolling_out:
            return
        if offer.sha256 in self.refused:
            return
        self._rolling_out = offer.sha256
        self._spawn(self.roll_out(offer))

    # -- the work it asks for -------------------------------------------------------
    async def roll_out(self, offer: ModelOffer) -> None:
        """Download, check and try the offered model; the agent switches to it between two frames."""
        try:
            path = await asyncio.to_thread(
                download, offer, self.hub_url, self.token, self.settings.models_dir,
                max_bytes=self.settings.max_model_bytes, timeout_s=self.settings.timeout_s)
            while self.agent.last_image is None:  # a model is tried on a real frame before it counts one
                await asyncio.sleep(0.5)
            detector = await asyncio.to_thread(
                try_model, path, offer.version, self.agent.make_detector, self.agent.detector,
                self.agent.last_image)
        except RolloutError as exc:
            self.refused[offer.sha256] = str(exc)
            log.error("model refused; the camera keeps counting with its model",
                      extra={"camera": self.camera, "offered": offer.version, "running": self.agent.model.version,
                             "error": str(exc)})
            return
        finally:
            self._rolling_out = None
        self.agent.switch_model(detector, offer.version, offer.sha256, path)

    async def take_still(self, reason: str) -> None:
        frame, image = self.agent.last_frame, self.agent.last_image
        try:
            if frame is None and image is None:
                raise StillError("no frame from the camera yet")
            data = await asyncio.to_thread(
                still_jpeg, frame.jpeg if frame is not None else None,
                image if frame is None or frame.jpeg is None else None, self.settings.max_still_bytes)
            name = await asyncio.to_thread(upload_still, data, self.hub_url, self.camera, self.token,
                                           self.settings.timeout_s, reason)
        except StillError as exc:
            log.error("still not taken", extra={"camera": self.camera, "reason": reason, "error": str(exc)})
            return
        self.stills_taken += 1
        log.info("still uploaded", extra={"camera": self.camera, "reason": reason, "still": name, "bytes": len(data)})

    def tick(self) -> None:
        """From the agent's loop: take the periodic still when it is due."""
        if self.stills_every_min is None:
            return
        now = time.monotonic()
        if self._next_still is None:
            self._next_still = now + self.stills_every_min * 60
        elif now >= self._next_still:
            self._next_still = now + self.stills_every_min * 60
            self._spawn(self.take_still("schedule"))

    def _spawn(self, work) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):  # closing: nothing left to report to
                await task
        self._rolling_out = None  # a roll-out cancelled before it began never reached its own reset
