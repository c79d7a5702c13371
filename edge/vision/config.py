"""A camera's entry under ``cameras:`` in ``edge.yaml``.

Example::

    cameras:
      - id: cam-a1-b1
        url: http://192.168.1.40/stream.mjpg     # what cv2.VideoCapture opens
        slots: /etc/comptoir/cam-a1-b1.slots.json # slot polygons (or an http:// URL)
        # model: omitted -> the shelf detector shipped with the edge package
        # precision: int8                         # the shipped model's int8 twin (default) or float
        # providers: [tensorrt, cuda, cpu]        # tried in order; missing ones fall back to the CPU
        # inference_timeout_s: 10                 # a hung inference is stopped and the detector restarted
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from comptoir.contract.topics import check_id


class CameraHubLink(BaseModel):
    """How the camera reaches the hub over HTTP: models to download, stills to upload (``hub:`` of a camera).

    The hub's address and the camera's token also come in the camera's
    retained config (``device/<id>/config``, readable by that camera alone
    under the broker's ACL); what is written here takes precedence.
    """

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, description="the hub's web address, e.g. http://hub.local:8080")
    models_dir: Path = Field(Path("edge-state/models"), description="where downloaded models are kept")
    max_model_bytes: int = Field(200_000_000, ge=1024, description="a model offer bigger than this is refused")
    max_still_bytes: int = Field(250_000, ge=10_000, le=64 * 1024 * 1024,
                                 description="a still is re-encoded smaller to fit (the hub's api.max_body_bytes)")
    timeout_s: float = Field(30.0, gt=0, description="one HTTP request to the hub at most")
    stills_every_min: float | None = Field(
        None, gt=0, description="take a still every N minutes (the retained config may set it too)")
    probation_frames: int = Field(
        3, ge=1, le=100, description="a new model that fails this many frames in a row is rolled back")


class CameraConfig(BaseModel):
    """One shelf camera and how its view is counted."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="the camera's device id: its topics are vision/<id>/shelf and device/<id>/status")
    url: str = Field(description="stream URL for cv2.VideoCapture (MJPEG over HTTP, RTSP, a file, a device)")
    slots: str = Field(description="the camera's slot calibration: a JSON file, or an http(s) URL serving it")
    model: Path | None = Field(None, description="ONNX detector; default: the model shipped with the edge")
    detect_score: float = Field(0.1, ge=0.0, le=1.0, description="lowest score the detector keeps")
    count_score: float = Field(0.4, ge=0.0, le=1.0, description="a product counts from this score up")
    shopper_score: float = Field(0.25, ge=0.0, le=1.0, description="a shopper box hides slots from this score up")
    shopper_margin: float = Field(0.1, ge=0.0, le=1.0, description="widen shopper boxes by this share of their width")
    iou: float = Field(0.6, gt=0.0, le=1.0, description="NMS overlap above which the weaker box is dropped")
    occluded_at: float = Field(0.2, gt=0.0, le=1.0, description="share of a slot under a shopper that occludes it")
    max_fps: float = Field(2.0, gt=0.0, le=30.0, description="frames counted per second at most")
    still_frames: int = Field(3, ge=1, le=100, description="consecutive still frames before counting")
    still_max_change: float = Field(4.0, gt=0.0, description="mean grey-level change still counted as still")
    confirm_frames: int = Field(2, ge=1, le=20, description="counts a slot's new value must repeat before publishing")
    unsettled_occluded_s: float = Field(
        10.0, gt=0.0, description="a view that never holds still this long is reported occluded"
    )
    heartbeat_s: float = Field(60.0, gt=0.0, description="publish the counts at least this often, changed or not")
    open_timeout_s: float = Field(5.0, gt=0.0)
    read_timeout_s: float = Field(5.0, gt=0.0)
    stale_s: float = Field(5.0, gt=0.0, description="no good frame this long: the camera is offline")
    backoff_min_s: float = Field(0.5, gt=0.0)
    backoff_max_s: float = Field(30.0, gt=0.0)
    threads: int | None = Field(None, ge=1, le=64, description="ONNX Runtime threads (default: all cores)")
    hub: CameraHubLink = Field(default_factory=CameraHubLink, description="stills and model rollout")

    # -- detector runtime (issue 22, part A): precision, execution providers, watchdog ---------------------
    precision: Literal["float", "int8"] = Field(
        "int8",
        description="the shipped model's int8 twin (faster on CPUs) or float (for a GPU); ignored with 'model'",
    )
    providers: list[str] = Field(
        default_factory=lambda: ["cpu"],
        min_length=1,
        description="ONNX Runtime execution providers in order of preference (cpu, cuda, tensorrt, openvino, "
        "coreml, ...); one missing from this build is skipped and the CPU is always the last resort",
    )
    inference_timeout_s: float = Field(
        10.0, gt=0.0, description="an inference running longer is stopped and the detector restarted"
    )

    @field_validator("providers")
    @classmethod
    def _known_providers(cls, value: list[str]) -> list[str]:
        from edge.vision.providers import provider_name

        for name in value:
            provider_name(name)  # ValueError naming the unknown one
        return value

    @field_validator("id")
    @classmethod
    def _id_is_topic_level(cls, value: str) -> str:
        return check_id(value, "camera id")
