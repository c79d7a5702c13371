"""The simulated IP camera: a live MJPEG stream over HTTP, as cheap shop cameras serve.

``GET /stream.mjpg`` is ``multipart/x-mixed-replace`` with one JPEG per part
(what ``cv2.VideoCapture(url)`` opens for a real camera); ``GET
/snapshot.jpg`` is one frame; ``GET /slots.json`` is the camera's slot
calibration (slot polygons in image coordinates) for the edge agent;
``GET /truth.json`` is the ground truth of the last frame served.

Frames are rendered only while someone watches, at most ``fps`` a second.
Tests (and the demo) can stop and restart the stream, put a shopper in front
of the shelf, and send faulty frames (truncated JPEG, an empty part, a frame
of the wrong size) to prove the agent survives them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import cv2
import numpy as np

from simulators.camera.render import BayRenderer, Frame, Nuisance

log = logging.getLogger("comptoir.sim.camera")

Fault = Literal["truncated", "empty", "wrong-size"]
BOUNDARY = "comptoirframe"

#: the stream's own nuisances: a fixed camera sees steady light and a little sensor noise
STREAM_NUISANCE = Nuisance(
    shopper_rate=0.0, brightness=(1.0, 1.0), colour_cast=0.0, noise_sigma=(1.0, 2.5), blur_rate=0.0, jpeg_quality=None
)


class CameraServer:
    """Serves one bay as an MJPEG camera on ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self,
        renderer: BayRenderer,
        facings: Callable[[], dict[str, int]],
        *,
        host: str = "127.0.0.1",
        port: int = 8081,
        fps: float = 5.0,
        quality: int = 85,
        seed: int = 0,
        nuisance: Nuisance = STREAM_NUISANCE,
    ) -> None:
        self.renderer = renderer
        self.facings = facings
        self.host = host
        self.port = port
        self.fps = fps
        self.quality = quality
        self.nuisance = nuisance
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()
        self._shopper: int | None = None  # where the shopper stands (a pose seed), None: nobody
        self._faults: list[Fault] = []
        self._jpeg: bytes | None = None
        self._frame: Frame | None = None
        self._rendered_at = 0.0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._clients: set[Any] = set()
        self.frames_served = 0

    # -- control --------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/stream.mjpg"

    def start(self) -> CameraServer:
        """Listen and serve (in a background thread); the port stays the same across stop/start."""
        handler = _handler_for(self)
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"camera-{self.port}", daemon=True)
        self._thread.start()
        log.info("camera serving", extra={"url": self.url})
        return self

    def stop(self) -> None:
        """Stop the stream: close the listening socket and every open connection (a camera unplugged)."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            clients = list(self._clients)
        for sock in clients:
            with contextlib.suppress(OSError):
                sock.shutdown(2)
        if self._thread is not None:
            self._thread.join(5)
        self._httpd = None

    def set_shopper(self, present: bool) -> None:
        """Put a shopper between the camera and the shelf (or take them away)."""
        with self._lock:
            self._shopper = int(self._rng.integers(1 << 30)) if present else None
            self._rendered_at = 0.0

    def inject(self, fault: Fault) -> None:
        """Send one faulty frame next."""
        with self._lock:
            self._faults.append(fault)

    def truth(self) -> dict[str, Any]:
        frame = self._frame or self._render()
        return {"shopper": frame.shopper, "slots": [s.as_dict() for s in frame.slots]}

    def calibration(self) -> dict[str, Any]:
        """The slot polygons the edge agent needs, in this camera's image coordinates."""
        return calibration(self.renderer)

    # -- frames ---------------------------------------------------------------
    def _render(self) -> Frame:
        with self._lock:
            shopper = self._shopper
        frame = self.renderer.render(
            self.facings(), self._rng, self.nuisance, shopper=shopper is not None, shopper_seed=shopper
        )
        self._frame = frame
        return frame

    def next_jpeg(self) -> bytes:
        """The frame to send now: re-rendered at most ``fps`` times a second, shared by all clients."""
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
        if fault is not None:
            return self._faulty(fault)
        now = time.monotonic()
        if self._jpeg is None or now - self._rendered_at >= 1.0 / self.fps:
            frame = self._render()
            ok, buf = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            self._jpeg = buf.tobytes()
            self._rendered_at = now
        return self._jpeg

    def _faulty(self, fault: Fault) -> bytes:
        if fault == "empty":
            return b""
        if fault == "truncated":
            good = self._jpeg or self.next_jpeg()
            return good[: len(good) // 3]
        small = np.full((self.renderer.height // 2, self.renderer.width // 2, 3), 90, np.uint8)
        return cv2.imencode(".jpg", small)[1].tobytes()


def calibration(renderer: BayRenderer) -> dict[str, Any]:
    return {
        "camera": renderer.bay.camera_id,
        "bay": renderer.bay.bay_id,
        "width": renderer.width,
        "height": renderer.height,
        "slots": [
            {
                "slot": s.slot_id,
                "gtin": s.gtin,
                "capacity": s.capacity,
                "polygon": [[round(x, 1), round(y, 1)] for x, y in renderer.slot_polygons()[s.slot_id]],
            }
            for s in renderer.bay.slots
        ],
    }


def _handler_for(camera: CameraServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ComptoirCamera/1"
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("http " + format % args)

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path in ("/stream.mjpg", "/"):
                self._stream()
            elif path == "/snapshot.jpg":
                self._send(camera.next_jpeg(), "image/jpeg")
            elif path == "/slots.json":
                self._send(json.dumps(camera.calibration()).encode(), "application/json")
            elif path == "/truth.json":
                self._send(json.dumps(camera.truth()).encode(), "application/json")
            else:
                self.send_error(404, "try /stream.mjpg, /snapshot.jpg, /slots.json or /truth.json")

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            with camera._lock:
                camera._clients.add(self.connection)
            period = 1.0 / camera.fps
            try:
                while camera._httpd is not None:
                    started = time.monotonic()
                    jpeg = camera.next_jpeg()
                    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                    self.wfile.write(head.encode() + jpeg + b"\r\n")
                    self.wfile.flush()
                    camera.frames_served += 1
                    time.sleep(max(0.0, period - (time.monotonic() - started)))
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass
            finally:
                with camera._lock:
                    camera._clients.discard(self.connection)

    return Handler
