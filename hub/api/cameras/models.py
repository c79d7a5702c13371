"""What the cameras API takes and answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Point = tuple[float, float]


class DrawnSlot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slot: str = Field(min_length=1, max_length=64, description="the planogram slot this polygon is linked to")
    polygon: list[Point] = Field(min_length=3, max_length=64, description="corners in the still's pixels")


class SlotsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    width: int = Field(gt=0, le=10_000, description="the still the slots were drawn on")
    height: int = Field(gt=0, le=10_000)
    slots: list[DrawnSlot] = Field(min_length=1, max_length=200)


class StillsEvery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    every_min: float | None = Field(None, gt=0, le=7 * 24 * 60, description="minutes between stills; null: off")


class ModelOfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.onnx$",
                      description="an ONNX file in the hub's models folder (beside its database)")
    version: str = Field(pattern=r"^[A-Za-z0-9._+-]{1,64}$",
                         description="what the devices page will show once the camera runs it")


class StillOut(BaseModel):
    name: str
    width: int
    height: int
    reason: str


class CameraOut(BaseModel):
    camera: str
    state: str | None
    model: str | None = Field(description="the model the camera says it counts with (its status)")
    offered: dict[str, Any] | None = Field(description="the model last offered: version, sha256, size")
    slots: dict[str, Any] | None = Field(description="the slots sent from here: width, height, slots")
    stills_every_min: float | None
    still: dict[str, Any] | None = Field(description="the latest still: name, width, height")
    planogram: list[dict[str, Any]] = Field(description="planogram slots a drawn slot may be linked to")
