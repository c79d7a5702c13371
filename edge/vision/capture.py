"""Reading a camera: a thread that keeps only the newest good frame, and a watchdog that reconnects.

The camera is opened with ``cv2.VideoCapture(url)`` as any IP camera is,
with open and read timeouts. For MJPEG streams the thread asks OpenCV for
the raw JPEG of each frame and decodes it itself, so that a truncated JPEG,
an empty part or a frame of the wrong size is caught, logged and skipped,
instead of being concealed or rescaled by the decoder. Other codecs (RTSP
H.264) are decoded by OpenCV and checked for size.

When the stream fails (cannot open, read errors in a row, or no good frame
for ``stale_s``), the camera is reported offline and reopened with
exponential backoff; the first good frame after that reports it online.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger("comptoir.edge.vision")

StateCallback = Callable[[bool, str | None], None]


@dataclass(frozen=True, slots=True)
class CaptureSettings:
    """Timing of the capture and its watchdog (seconds)."""

    open_timeout_s: float = 5.0
    read_timeout_s: float = 5.0
    #: no good frame for this long: the camera is offline, reopen it
    stale_s: float = 5.0
    #: failed reads in a row that close the stream
    max_read_failures: int = 5
    backoff_min_s: float = 0.5
    backoff_max_s: float = 30.0


@dataclass(frozen=True, slots=True)
class CapturedFrame:
    image: np.ndarray
    index: int
    monotonic: float


class FrameGrabber:
    """Owns one camera connection in a background thread; ``latest()`` gives the newest frame."""

    def __init__(
        self,
        url: str,
        *,
        size: tuple[int, int] | None = None,
        settings: CaptureSettings | None = None,
        on_state: StateCallback | None = None,
        name: str = "camera",
    ) -> None:
        self.url = url
        self.size = size  # (width, height) the calibration expects
        self.settings = settings or CaptureSettings()
        self.on_state = on_state
        self.name = name
        self.online = False
        self.skipped = 0
        self.reconnects = 0
        self._latest: CapturedFrame | None = None
        self._index = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> FrameGrabber:
        self._thread = threading.Thread(target=self._run, name=f"grab-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def latest(self, after: int = 0, timeout: float = 1.0) -> CapturedFrame | None:
        """The newest frame with an index above ``after``, waiting up to ``timeout`` for one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._latest is None or self._latest.index <= after) and not self._stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self._latest

    # -- the thread ---------------------------------------------------------------
    def _set_state(self, online: bool, reason: str | None = None) -> None:
        if online == self.online:
            return
        self.online = online
        if online:
            log.info("camera online", extra={"camera": self.name, "url": self.url})
        else:
            log.warning("camera offline", extra={"camera": self.name, "url": self.url, "reason": reason})
        if self.on_state is not None:
            try:
                self.on_state(online, reason)
            except Exception:
                log.exception("camera state callback failed", extra={"camera": self.name})

    def _run(self) -> None:
        backoff = self.settings.backoff_min_s
        while not self._stop.is_set():
            reason, had_frames = self._session()
            if self._stop.is_set():
                break
            self._set_state(False, reason)
            self.reconnects += 1
            if had_frames:
                backoff = self.settings.backoff_min_s
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.settings.backoff_max_s)

    def _open(self) -> cv2.VideoCapture:
        s = self.settings
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(s.open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(s.read_timeout_s * 1000),
        ]
        return cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, params)

    def _session(self) -> tuple[str, bool]:
        """Read one connection until it fails; returns why it ended and whether it gave good frames."""
        cap = self._open()
        had_frames = False
        try:
            if not cap.isOpened():
                return "cannot open stream", had_frames
            fourcc = int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little")
            raw = fourcc == b"MJPG" and cap.set(cv2.CAP_PROP_FORMAT, -1)
            failures = 0
            last_good = time.monotonic()
            while not self._stop.is_set():
                ok, data = cap.read()
                now = time.monotonic()
                image = self._check(data if ok else None, raw, ok)
                if image is None:
                    failures += 0 if ok else 1
                    if failures >= self.settings.max_read_failures:
                        return f"{failures} failed reads in a row", had_frames
                    if now - last_good > self.settings.stale_s:
                        return f"no good frame for {now - last_good:.1f} s", had_frames
                    continue
                failures = 0
                had_frames = True
                last_good = now
                with self._cond:
                    self._index += 1
                    self._latest = CapturedFrame(image, self._index, now)
                    self._cond.notify_all()
                self._set_state(True)
            return "stopped", had_frames
        finally:
            cap.release()

    def _check(self, data: np.ndarray | None, raw: bool, ok: bool) -> np.ndarray | None:
        """Decode and validate one frame; a bad one is logged and skipped (None)."""
        if not ok or data is None or data.size == 0:
            self._skip("empty or failed read")
            return None
        image = data
        if raw:
            payload = data.reshape(-1)
            if payload.size < 4 or payload[0] != 0xFF or payload[1] != 0xD8:
                self._skip("not a JPEG", bytes=int(payload.size))
                return None
            if payload[-2] != 0xFF or payload[-1] != 0xD9:
                self._skip("truncated JPEG (no end marker)", bytes=int(payload.size))
                return None
            image = cv2.imdecode(payload, cv2.IMREAD_COLOR)
            if image is None:
                self._skip("undecodable JPEG", bytes=int(payload.size))
                return None
        if image.ndim != 3 or image.shape[2] != 3:
            self._skip("not a colour frame", shape=str(image.shape))
            return None
        if self.size is not None and (image.shape[1], image.shape[0]) != self.size:
            self._skip(
                "frame of the wrong size",
                got=f"{image.shape[1]}x{image.shape[0]}",
                expected=f"{self.size[0]}x{self.size[1]}",
            )
            return None
        return image

    def _skip(self, why: str, **extra: object) -> None:
        self.skipped += 1
        log.warning("frame skipped: " + why, extra={"camera": self.name, "skipped": self.skipped, **extra})
