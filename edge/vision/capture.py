"""Reading a camera: a thread that keeps only the newest good frame, and a watchdog that reconnects.

The camera is opened with ``cv2.VideoCapture(url)`` as any IP camera is,
with open and read timeouts. For MJPEG streams the thread asks OpenCV for
the raw JPEG of each frame and checks its structure itself (start and end
markers, the size in its header), so that a truncated JPEG, an empty part or
a frame of the wrong size is caught, logged and skipped, instead of being
concealed or rescaled by the decoder. It keeps the JPEG undecoded: the
counting side decodes only the frames it counts (:meth:`FrameGrabber.decode`),
when it chooses to. A camera sending 8 frames a second to an agent counting
2 saves three decodes in four, and a busy agent decodes the next frame while
a core is free instead of while ONNX Runtime wants both. Other codecs (RTSP
H.264) are decoded by OpenCV in the thread and checked for size.

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
    """One good frame: the camera's JPEG (MJPEG streams, decoded on demand) or the decoded picture."""

    index: int
    monotonic: float
    jpeg: np.ndarray | None = None
    image: np.ndarray | None = None


def jpeg_size(payload: np.ndarray) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header (SOFn), without decoding; None when it has none."""
    data = payload.tobytes() if isinstance(payload, np.ndarray) else bytes(payload)
    at = 2  # after the start-of-image marker
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # frame header: P, Y, X
            if at + 9 > len(data):
                return None
            return int.from_bytes(data[at + 7 : at + 9], "big"), int.from_bytes(data[at + 5 : at + 7], "big")
        if marker == 0xDA or length < 2:  # scan data before any frame header
            return None
        at += 2 + length
    return None


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
        self.online: bool | None = None  # unknown until the first frame or the first failure
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

    def decode(self, frame: CapturedFrame) -> np.ndarray | None:
        """The frame's picture; a JPEG whose data does not decode is logged and skipped (None)."""
        if frame.image is not None:
            return frame.image
        if frame.jpeg is None:
            return None
        image = cv2.imdecode(frame.jpeg, cv2.IMREAD_COLOR)
        if image is None:
            self._skip("undecodable JPEG", bytes=int(frame.jpeg.size))
            return None
        if self.size is not None and (image.shape[1], image.shape[0]) != self.size:  # a header that lied
            self._skip("frame of the wrong size", got=f"{image.shape[1]}x{image.shape[0]}")
            return None
        return image

    def newer(self, after: int) -> CapturedFrame | None:
        """The newest frame if it is newer than ``after``, without waiting."""
        with self._cond:
            latest = self._latest
        return latest if latest is not None and latest.index > after else None

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
                checked = self._check(data if ok else None, raw, ok)
                if checked is None:
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
                    self._latest = (
                        CapturedFrame(self._index, now, jpeg=checked)
                        if raw
                        else CapturedFrame(self._index, now, image=checked)
                    )
                    self._cond.notify_all()
                self._set_state(True)
            return "stopped", had_frames
        finally:
            cap.release()

    def _check(self, data: np.ndarray | None, raw: bool, ok: bool) -> np.ndarray | None:
        """Check one frame (a raw JPEG's structure, or a decoded picture); a bad one is logged and skipped."""
        if not ok or data is None or data.size == 0:
            self._skip("empty or failed read")
            return None
        if raw:
            payload = data.reshape(-1)
            if payload.size < 4 or payload[0] != 0xFF or payload[1] != 0xD8:
                self._skip("not a JPEG", bytes=int(payload.size))
                return None
            if payload[-2] != 0xFF or payload[-1] != 0xD9:
                self._skip("truncated JPEG (no end marker)", bytes=int(payload.size))
                return None
            size = jpeg_size(payload)
            if size is None:
                self._skip("JPEG without a frame header", bytes=int(payload.size))
                return None
            return payload if self._right_size(size) else None
        if data.ndim != 3 or data.shape[2] != 3:
            self._skip("not a colour frame", shape=str(data.shape))
            return None
        return data if self._right_size((data.shape[1], data.shape[0])) else None

    def _right_size(self, size: tuple[int, int]) -> bool:
        if self.size is None or size == self.size:
            return True
        self._skip(
            "frame of the wrong size",
            got=f"{size[0]}x{size[1]}",
            expected=f"{self.size[0]}x{self.size[1]}",
        )
        return False

    def _skip(self, why: str, **extra: object) -> None:
        self.skipped += 1
        log.warning("frame skipped: " + why, extra={"camera": self.name, "skipped": self.skipped, **extra})
