"""A new detector offered by the hub: download it, check it, try it, and keep a record of the one in use.

The hub offers a model in the camera's retained config (``settings.model``:
version, sha256, size and the path to fetch it from). The camera agent
downloads it over HTTP with its device token, refuses it when its size or
digest differ from the offer, loads it beside the running detector and runs
it once on the newest frame. Only a model that passed all of that is
switched in (by the agent, between two frames); :class:`ActiveModel` is
written last, so an agent killed halfway restarts on the model it had.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urljoin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edge.vision.detector import Detector, ModelError

log = logging.getLogger("comptoir.edge.vision")

_CHUNK = 1 << 16


class RolloutError(RuntimeError):
    """A model offer that cannot be used; the message names the version and what is wrong."""


class ModelOffer(BaseModel):
    """``settings.model`` of a camera's retained config (strict: the hub sends numbers as numbers)."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    version: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._+-]+$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    url: str = Field(min_length=1, max_length=500, description="where to GET it: a path on the hub, or a full URL")

    @classmethod
    def parse(cls, data: object) -> ModelOffer:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "model"
            raise RolloutError(f"settings.model.{where}: {first['msg']}") from None


@dataclass(frozen=True, slots=True)
class ActiveModel:
    """The model a camera counts with: ``shipped`` until the hub offered one that passed."""

    version: str
    sha256: str | None
    path: str

    @staticmethod
    def record(models_dir: Path, camera: str) -> Path:
        return models_dir / f"{camera}.active.json"

    def save(self, models_dir: Path, camera: str) -> None:
        """Written to a temporary file and renamed: a reader sees the old record or the new one, whole."""
        models_dir.mkdir(parents=True, exist_ok=True)
        target = self.record(models_dir, camera)
        part = target.with_suffix(".part")
        part.write_text(json.dumps(asdict(self)))
        os.replace(part, target)

    @classmethod
    def load(cls, models_dir: Path, camera: str) -> ActiveModel | None:
        """The record left by an earlier run, if it still points at a file; None otherwise (shipped model)."""
        try:
            data = json.loads(cls.record(models_dir, camera).read_text())
            active = cls(str(data["version"]), data.get("sha256"), str(data["path"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("active model record unreadable; using the configured model",
                      extra={"camera": camera, "error": str(exc)})
            return None
        return active if Path(active.path).is_file() else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def download(offer: ModelOffer, base_url: str | None, token: str | None, models_dir: Path, *,
             max_bytes: int, timeout_s: float) -> Path:
    """Fetch the offered file into ``models_dir/<sha256>.onnx``; refuse one whose size or digest differ.

    A file already there with the right digest is used as it is. Bytes go to
    a ``.part`` file renamed only after the checks, so no half-downloaded or
    wrong file ever carries a model's name.
    """
    if offer.size > max_bytes:
        raise RolloutError(f"model {offer.version}: {offer.size} bytes offered, more than max_model_bytes {max_bytes}")
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / f"{offer.sha256}.onnx"
    if target.is_file() and target.stat().st_size == offer.size and sha256_of(target) == offer.sha256:
        return target
    if base_url is None and not offer.url.startswith(("http://", "https://")):
        raise RolloutError(f"model {offer.version}: no hub address to fetch {offer.url} from (hub.url)")
    url = urljoin(base_url or "", offer.url)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    part = models_dir / f"{offer.sha256}.part"
    digest, got = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response, part.open("wb") as out:
            while chunk := response.read(_CHUNK):
                got += len(chunk)
                if got > offer.size:
                    raise RolloutError(f"model {offer.version}: {url} sent more than the {offer.size} bytes offered")
                digest.update(chunk)
                out.write(chunk)
        if got != offer.size:
            raise RolloutError(f"model {offer.version}: {url} sent {got} bytes, the offer says {offer.size} "
                               "(truncated)")
        if digest.hexdigest() != offer.sha256:
            raise RolloutError(f"model {offer.version}: sha256 {digest.hexdigest()} is not the offer's {offer.sha256}")
        os.replace(part, target)
    except urllib.error.HTTPError as exc:
        raise RolloutError(f"model {offer.version}: {url} answered {exc.code} {exc.reason}") from None
    except OSError as exc:
        raise RolloutError(f"model {offer.version}: downloading {url} failed: {exc}") from None
    finally:
        part.unlink(missing_ok=True)
    return target


def try_model(path: Path, version: str, make: Callable[[Path], Detector], current: Detector,
              image: np.ndarray | None) -> Detector:
    """Load ``path`` with ``make`` beside ``current`` and run it once on ``image``; the new detector, or an error.

    The classes must be the running model's (the slot counting reads class 0
    as a product and 1 as a shopper), and one inference on a real frame must
    give the output the model declares.
    """
    try:
        candidate = make(path)
    except ModelError as exc:
        raise RolloutError(f"model {version}: {exc}") from None
    if candidate.num_classes != current.num_classes or candidate.names != current.names:
        raise RolloutError(f"model {version}: classes {candidate.names} are not the running model's {current.names}")
    if image is not None:
        try:
            blob, box = candidate.prepare(image)
            output = candidate.infer(blob)
            if output.ndim != 3 or output.shape[1] != 4 + candidate.num_classes:
                raise ModelError(f"output shape {output.shape}")
            candidate.decode(output, box, image.shape)
        except Exception as exc:  # any failure of the test run refuses the model
            raise RolloutError(f"model {version}: the test inference on a frame failed: {exc}") from None
    return candidate
