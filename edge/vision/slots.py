"""From detections to facings per planogram slot.

A camera's calibration file lists each slot it sees as a polygon in image
coordinates (drawn once by the integrator, or written by the simulator).
A product belongs to the slot that contains its box centre. A slot a
shopper's box covers too much of is *occluded*: its count is unknown, never
zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edge.vision.detector import Detections

PRODUCT = 0
SHOPPER = 1


class SlotPolygon(BaseModel):
    model_config = ConfigDict(extra="ignore")

    slot: str
    gtin: str | None = None
    capacity: int = Field(ge=1)
    polygon: list[tuple[float, float]] = Field(min_length=3)


class Calibration(BaseModel):
    """What a camera sees: image size and slot polygons."""

    model_config = ConfigDict(extra="ignore")

    width: int = Field(gt=0)
    height: int = Field(gt=0)
    slots: list[SlotPolygon] = Field(min_length=1)


class CalibrationError(ValueError):
    """A slots file that cannot be used; the message names the file and the problem."""


def load_calibration(path: str | Path, image: str | None = None) -> Calibration:
    """Read a slots file: one camera's calibration, or a renders' truth file keyed by image name."""
    path = Path(path)
    try:
        data: Any = json.loads(path.read_text())
    except FileNotFoundError:
        raise CalibrationError(f"slots file {path} does not exist") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise CalibrationError(f"slots file {path} is not readable JSON: {exc}") from None
    if isinstance(data, dict) and "slots" not in data:
        key = Path(image).name if image else None
        if key is None or key not in data:
            raise CalibrationError(f"slots file {path} holds several images; none is named {key!r}")
        data = data[key]
    try:
        return Calibration.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CalibrationError(f"slots file {path}: {where}: {first['msg']}") from None


def calibration_for_frame(data: object, size: tuple[int, int], where: str) -> Calibration:
    """Slots sent to a running camera (the dashboard's editor): checked whole against the camera's frame.

    Every polygon needs three corners or more, an area, and every corner
    inside the ``size`` (width, height) frame; slot ids are unique. Any
    fault refuses the whole set, naming the slot, so the camera keeps
    counting with the slots it had.
    """
    try:
        calibration = Calibration.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise CalibrationError(f"{where}: {loc}: {first['msg']}") from None
    width, height = size
    if (calibration.width, calibration.height) != (width, height):
        raise CalibrationError(f"{where}: drawn on a {calibration.width}x{calibration.height} picture; "
                               f"the camera sends {width}x{height}")
    seen: set[str] = set()
    for slot in calibration.slots:
        if slot.slot in seen:
            raise CalibrationError(f"{where}: slot {slot.slot} appears twice")
        seen.add(slot.slot)
        for x, y in slot.polygon:
            if not (0 <= x <= width and 0 <= y <= height):
                raise CalibrationError(f"{where}: slot {slot.slot}: corner ({x:g}, {y:g}) is outside the "
                                       f"{width}x{height} frame")
        if abs(cv2.contourArea(np.asarray(slot.polygon, np.float32))) < 1.0:
            raise CalibrationError(f"{where}: slot {slot.slot}: the polygon has no area")
    return calibration


@dataclass(frozen=True, slots=True)
class SlotReading:
    """One slot in one frame (the fields of the contract's ``SlotCount``)."""

    slot: str
    gtin: str | None
    state: str  # ok | empty | occluded
    facings: int | None
    capacity: int
    empty_fraction: float | None
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "gtin": self.gtin,
            "state": self.state,
            "facings": self.facings,
            "capacity": self.capacity,
            "empty_fraction": self.empty_fraction,
            "confidence": self.confidence,
        }


class SlotMap:
    """Counts products per slot for one camera.

    ``count_score``: a product box counts from this score up.
    ``shopper_score``: a shopper box hides slots from this score up; lower
    than ``count_score`` on purpose, since calling a hidden slot empty is
    the worse mistake. ``occluded_at``: the share of a slot's area under
    shopper boxes from which the slot is occluded; ``shopper_margin``: each
    shopper box is widened by this share of its width on both sides before
    that (the same caution). ``mask_scale``: the
    resolution of the occlusion masks relative to the image (coarse is
    enough and cheap). ``duplicate_overlap``: a counted product box lying
    this much (share of its own area) inside a stronger one is the same
    product boxed twice, not a second facing: packs in a front row stand side
    by side, never in front of each other (1.0: off).
    """

    def __init__(
        self,
        calibration: Calibration,
        *,
        count_score: float = 0.4,
        shopper_score: float = 0.25,
        occluded_at: float = 0.2,
        shopper_margin: float = 0.1,
        mask_scale: float = 0.25,
        duplicate_overlap: float = 0.5,
    ) -> None:
        self.calibration = calibration
        self.duplicate_overlap = duplicate_overlap
        self.count_score = count_score
        self.shopper_score = shopper_score
        self.shopper_margin = shopper_margin
        self.occluded_at = occluded_at
        self.mask_scale = mask_scale
        self.slots = calibration.slots
        self._polys = [np.asarray(s.polygon, np.float32) for s in self.slots]
        self._convex = all(cv2.isContourConvex(p.reshape(-1, 1, 2)) for p in self._polys)
        # convex slots with as many corners each (the usual quadrilaterals) are tested all at once
        self._stacked = self._convex and len({len(p) for p in self._polys}) == 1
        if self._stacked:
            corners = np.stack(self._polys).astype(np.float64)  # (slots, corners, 2)
            edges = np.roll(corners, -1, axis=1) - corners
            # each edge's cross product with (point - corner), linear in the point: x * a + y * b + c
            self._edge_terms = np.stack([
                -edges[..., 1].ravel(),
                edges[..., 0].ravel(),
                (edges[..., 1] * corners[..., 0] - edges[..., 0] * corners[..., 1]).ravel(),
            ])  # (3, slots * corners)
            self._stack_shape = corners.shape[:2]
        mw, mh = max(1, int(calibration.width * mask_scale)), max(1, int(calibration.height * mask_scale))
        self._mask_size = (mw, mh)
        self._masks = []
        for poly in self._polys:
            mask = np.zeros((mh, mw), np.uint8)
            cv2.fillPoly(mask, [np.int32(np.round(poly * mask_scale))], 1)
            self._masks.append(mask.astype(bool))

    @property
    def size(self) -> tuple[int, int]:
        return self.calibration.width, self.calibration.height

    def assign(self, centres: np.ndarray) -> np.ndarray:
        """Slot index for each point (or -1): the first slot whose polygon holds it."""
        out = np.full(len(centres), -1, np.int64)
        if not len(centres):
            return out
        if self._stacked:
            points = np.column_stack([centres.astype(np.float64), np.ones(len(centres))])
            cross = (points @ self._edge_terms).reshape(len(centres), *self._stack_shape)  # (points, slots, corners)
            inside = np.all(cross >= 0, axis=2) | np.all(cross <= 0, axis=2)  # (points, slots)
            hit = inside.any(axis=1)
            out[hit] = inside[hit].argmax(axis=1)
            return out
        for k, poly in enumerate(self._polys):
            free = out < 0
            if not free.any():
                break
            if self._convex:
                inside = _in_convex(poly, centres[free])
            else:
                inside = np.array(
                    [cv2.pointPolygonTest(poly, (float(x), float(y)), False) >= 0 for x, y in centres[free]]
                )
            idx = np.flatnonzero(free)[inside]
            out[idx] = k
        return out

    def occlusion(self, shoppers: Detections) -> list[float]:
        """Share of each slot's area hidden behind shopper boxes."""
        if not len(shoppers):
            return [0.0] * len(self.slots)
        mw, mh = self._mask_size
        cover = np.zeros((mh, mw), np.uint8)
        for x0, y0, x1, y1 in shoppers.boxes * self.mask_scale:
            grow = (x1 - x0) * self.shopper_margin  # a box drawn a little tight must not expose a hidden slot
            x0, x1 = x0 - grow, x1 + grow
            cv2.rectangle(cover, (int(x0), int(y0)), (int(np.ceil(x1)), int(np.ceil(y1))), 1, -1)
        covered = cover.astype(bool)
        return [float(covered[m].mean()) if m.any() else 0.0 for m in self._masks]

    def read(self, detections: Detections) -> list[SlotReading]:
        """Per-slot facings from one frame's detections (which may include low scores)."""
        products = detections.of_class(PRODUCT)
        if self.duplicate_overlap < 1.0:
            products = _without_doubles(products, self.count_score, self.duplicate_overlap)
        shoppers = detections.of_class(SHOPPER).above(self.shopper_score)
        centres = (
            np.stack(
                [(products.boxes[:, 0] + products.boxes[:, 2]) / 2, (products.boxes[:, 1] + products.boxes[:, 3]) / 2],
                axis=1,
            )
            if len(products)
            else np.zeros((0, 2), np.float32)
        )
        where = self.assign(centres)
        hidden = self.occlusion(shoppers)
        n = len(self.slots)
        placed = where >= 0
        slot_of, score_of = where[placed], products.scores[placed].astype(np.float64)
        counts_ok = score_of >= self.count_score
        facings_by_slot = np.bincount(slot_of[counts_ok], minlength=n)
        score_sum = np.bincount(slot_of[counts_ok], weights=score_of[counts_ok], minlength=n)
        best_score = np.zeros(n)
        np.maximum.at(best_score, slot_of, score_of)
        readings = []
        for k, slot in enumerate(self.slots):
            if hidden[k] > self.occluded_at:
                readings.append(
                    SlotReading(
                        slot.slot, slot.gtin, "occluded", None, slot.capacity, None, round(min(1.0, hidden[k]), 3)
                    )
                )
                continue
            facings = int(facings_by_slot[k])
            # sure of a count when its boxes score high; sure of an empty slot when nothing there scores at all
            confidence = float(score_sum[k] / facings) if facings else 1.0 - float(best_score[k])
            readings.append(
                SlotReading(
                    slot.slot,
                    slot.gtin,
                    "ok" if facings else "empty",
                    facings,
                    slot.capacity,
                    round(max(0.0, 1 - facings / slot.capacity), 3),
                    round(confidence, 3),
                )
            )
        return readings


def _in_convex(poly: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Points inside a convex polygon, by the sign of every edge's cross product."""
    edges = np.roll(poly, -1, axis=0) - poly
    rel = pts[:, None, :] - poly[None, :, :]
    cross = edges[None, :, 0] * rel[:, :, 1] - edges[None, :, 1] * rel[:, :, 0]
    return np.all(cross >= 0, axis=1) | np.all(cross <= 0, axis=1)


def _without_doubles(products: Detections, count_score: float, overlap: float) -> Detections:
    """``products`` less each counted box lying ``overlap`` inside a stronger counted box (one pack boxed twice)."""
    boxes, scores = products.boxes, products.scores
    counted = np.flatnonzero(scores >= count_score)
    if len(counted) < 2:
        return products
    order = counted[np.argsort(-scores[counted], kind="stable")]
    b = boxes[order].astype(np.float64)
    ix = np.clip(np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1]), 0, None)
    area = np.maximum((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), 1e-9)
    inside = ix * iy / area[:, None]  # [i, j]: share of box i inside box j
    doubles = np.tril(inside >= overlap, k=-1)  # [i, j]: i lies inside j, and j is the stronger
    drop = np.zeros(len(order), bool)
    for i in np.flatnonzero(doubles.any(axis=1)):  # few rows; a box already dropped removes nothing
        drop[i] = bool((doubles[i, :i] & ~drop[:i]).any())
    if not drop.any():
        return products
    keep = np.ones(len(scores), bool)
    keep[order[drop]] = False
    return Detections(products.boxes[keep], products.scores[keep], products.classes[keep])
