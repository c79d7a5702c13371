"""Stills of the camera's view for the hub: the shop's own photos to label and train on, and the slot editor's picture.

The agent uploads each still to the hub with an HTTP ``PUT`` and its device
token (docs/architecture.md says why not over MQTT). A still is the
camera's own JPEG when it fits ``max_still_bytes``, else the frame encoded
again at a lower quality until it fits.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urljoin

import cv2
import numpy as np

QUALITIES = (92, 80, 65, 50)


class StillError(RuntimeError):
    """A still that could not be made or delivered; the message says why."""


def still_jpeg(jpeg: np.ndarray | bytes | None, image: np.ndarray | None, max_bytes: int) -> bytes:
    """A JPEG of at most ``max_bytes`` from a frame's own JPEG or its decoded picture."""
    if jpeg is not None:
        data = jpeg.tobytes() if isinstance(jpeg, np.ndarray) else bytes(jpeg)
        if len(data) <= max_bytes:
            return data
        if image is None:
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise StillError("no frame to take a still of")
    for quality in QUALITIES:
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok and len(encoded) <= max_bytes:
            return encoded.tobytes()
    raise StillError(f"the frame does not fit in {max_bytes} bytes even at JPEG quality {QUALITIES[-1]}")


def upload_still(data: bytes, base_url: str | None, camera: str, token: str | None, timeout_s: float,
                 reason: str) -> str:
    """PUT the still to the hub; returns the name the hub stored it under."""
    if not base_url:
        raise StillError("no hub address to upload the still to (hub.url, or the hub's retained config)")
    if not token:
        raise StillError("no device token yet (the hub's retained config brings it)")
    url = urljoin(base_url, f"/api/cameras/{quote(camera)}/stills?reason={quote(reason)}")
    request = urllib.request.Request(url, data=data, method="PUT", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return str(json.loads(response.read())["name"])
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace")
        raise StillError(f"the hub refused the still: {exc.code} {detail}") from None
    except (OSError, ValueError, KeyError) as exc:
        raise StillError(f"uploading the still to {url} failed: {exc}") from None
