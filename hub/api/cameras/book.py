"""Cameras set from the hub: their retained config, their stills, the models offered to them.

What the hub tells a camera lives in one row of ``camera_configs`` (the
``settings`` of its retained ``device/<camera>/config``, its device token,
its last still command) and is published whole on every change, so the
retained message is always the full truth and a camera that reconnects gets
it all. The files live beside the database: ``stills/images/`` (JPEGs with
unique names, the folder ``comptoir models import`` reads) and ``models/``
(the ONNX files a manager may offer).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from PIL import Image, UnidentifiedImageError

MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.onnx$")
VERSION = re.compile(r"^[A-Za-z0-9._+-]{1,64}$")


class CameraError(ValueError):
    """A request about a camera that cannot be done; the message says what is wrong."""


class NotFound(CameraError):
    """No such camera, still or model file."""


@dataclass(frozen=True, slots=True)
class Still:
    name: str
    width: int
    height: int


def check_jpeg(data: bytes) -> tuple[int, int]:
    """(width, height) of a whole JPEG; a truncated, empty or other picture is refused, saying which."""
    if not data:
        raise CameraError("the still is empty")
    if data[:2] != b"\xff\xd8":
        raise CameraError("the still is not a JPEG (no start-of-image marker)")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise CameraError(f"the still is {image.format}, not a JPEG")
            image.load()  # decodes it all: a truncated file raises here
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise CameraError(f"the still is not a whole JPEG: {exc}") from None


class CameraBook:
    """One camera's row of ``camera_configs`` and the files beside the database."""

    def __init__(self, db: sqlite_utils.Database, data_dir: Path) -> None:
        self.db = db
        self.stills_dir = data_dir / "stills" / "images"
        self.models_dir = data_dir / "models"

    # -- the retained config ----------------------------------------------------------
    def config(self, camera: str) -> tuple[dict[str, Any], str, dict[str, Any] | None]:
        """(settings, token, last command) of ``camera``; a new camera gets its token here, saved by :meth:`save`."""
        row = self.db.execute("SELECT settings, token, command FROM camera_configs WHERE camera = ?",
                              [camera]).fetchone()
        if row is None:
            return {}, secrets.token_urlsafe(24), None
        return json.loads(row[0]), row[1], json.loads(row[2]) if row[2] else None

    def save(self, camera: str, settings: dict[str, Any], token: str, command: dict[str, Any] | None,
             now: float, who: str | None) -> None:
        with self.db.conn:
            self.db.conn.execute(
                "INSERT OR REPLACE INTO camera_configs (camera, settings, token, command, updated, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [camera, json.dumps(settings), token, json.dumps(command) if command else None, now, who])

    def token_matches(self, camera: str, token: str | None) -> bool:
        row = self.db.execute("SELECT token FROM camera_configs WHERE camera = ?", [camera]).fetchone()
        return bool(row and token and secrets.compare_digest(row[0], token))

    def known(self) -> list[str]:
        rows = self.db.execute(
            "SELECT camera FROM camera_configs UNION SELECT camera FROM slots WHERE camera IS NOT NULL "
            "UNION SELECT device FROM devices WHERE kind = 'camera' ORDER BY 1")
        return [r[0] for r in rows]

    def planogram(self, camera: str | None = None) -> list[dict[str, Any]]:
        """Planogram slots a drawn slot may be linked to (the camera's own first), with the product's name."""
        rows = self.db.execute(
            "SELECT s.slot, s.gtin, s.capacity, s.camera, p.name FROM slots s LEFT JOIN products p ON p.gtin = s.gtin "
            "ORDER BY (s.camera IS ?) DESC, s.slot", [camera])
        return [{"slot": r[0], "gtin": r[1], "capacity": r[2], "camera": r[3], "name": r[4]} for r in rows]

    # -- stills -------------------------------------------------------------------------
    def add_still(self, camera: str, data: bytes, now: float) -> Still:
        """Keep a still under a unique name (camera, UTC time, random); refused whole when it is not a JPEG."""
        width, height = check_jpeg(data)
        self.stills_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{camera}-{stamp}-{secrets.token_hex(3)}.jpg"
        part = self.stills_dir / f".{name}.part"
        part.write_bytes(data)
        part.replace(self.stills_dir / name)  # the import never sees half a file
        return Still(name, width, height)

    def latest_still(self, camera: str) -> Path | None:
        if not self.stills_dir.is_dir():
            return None
        found = sorted(self.stills_dir.glob(f"{glob_escape(camera)}-*.jpg"), key=lambda p: p.name)
        return found[-1] if found else None

    def still_info(self, camera: str) -> Still | None:
        path = self.latest_still(camera)
        if path is None:
            return None
        with Image.open(path) as image:
            return Still(path.name, *image.size)

    # -- models -------------------------------------------------------------------------
    def model_offer(self, camera: str, file: str, version: str) -> dict[str, Any]:
        """The offer of ``models/<file>`` (version, sha256, size, url) for ``camera``'s config."""
        if not MODEL_NAME.match(file):
            raise CameraError(f"model file {file!r}: a file name in the hub's models folder, ending in .onnx")
        if not VERSION.match(version):
            raise CameraError(f"version {version!r}: 1-64 letters, digits, '.', '_', '+' or '-'")
        path = self.models_dir / file
        if not path.is_file():
            raise NotFound(f"model file {file} is not in the hub's models folder ({self.models_dir.name}/)")
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 16):
                digest.update(chunk)
        sha = digest.hexdigest()
        return {"version": version, "sha256": sha, "size": path.stat().st_size, "file": file,
                "url": f"/api/cameras/{camera}/model/{sha}"}

    def model_path(self, settings: dict[str, Any], sha256: str) -> Path:
        offer = settings.get("model") or {}
        if offer.get("sha256") != sha256:
            raise NotFound(f"no model {sha256} is offered to this camera")
        return self.models_dir / offer["file"]


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
