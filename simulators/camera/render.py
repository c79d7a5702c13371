"""Drawing a shelf bay as a camera sees it, with the ground truth of every frame.

A :class:`BayRenderer` fixes the geometry of one camera view (where each slot
is, the camera's slight perspective): slot polygons stay where they are from
frame to frame, as with a camera screwed to the ceiling. Each call to
:meth:`BayRenderer.render` draws the current facings under changing nuisances
(light, noise, blur, a shopper passing in front) and returns the image with
its truth: one box per visible product (class 0) and per shopper (class 1),
and per slot the true facings and whether the view of it is blocked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from simulators.camera.appearance import Look, look_of
from simulators.camera.bay import BaySpec, SlotSpec
from simulators.camera.randomise import clutter, tilted

PRODUCT = 0
SHOPPER = 1
CLASS_NAMES = ("product", "shopper")

#: a product hidden more than this by a shopper gets no box (a person could not count it either)
HIDDEN_PRODUCT = 0.4
#: a slot covered more than this by a shopper is occluded in the truth
OCCLUDED_SLOT = 0.2


@dataclass(frozen=True, slots=True)
class Box:
    cls: int
    x0: float
    y0: float
    x1: float
    y1: float

    def yolo(self, width: int, height: int) -> str:
        cx, cy = (self.x0 + self.x1) / 2 / width, (self.y0 + self.y1) / 2 / height
        w, h = (self.x1 - self.x0) / width, (self.y1 - self.y0) / height
        return f"{self.cls} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}"


@dataclass(frozen=True, slots=True)
class SlotTruth:
    slot_id: str
    gtin: str
    capacity: int
    facings: int
    polygon: tuple[tuple[float, float], ...]
    occluded: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot_id,
            "gtin": self.gtin,
            "capacity": self.capacity,
            "facings": self.facings,
            "occluded": self.occluded,
            "polygon": [[round(x, 1), round(y, 1)] for x, y in self.polygon],
        }


@dataclass
class Frame:
    image: np.ndarray
    boxes: list[Box]
    slots: list[SlotTruth]
    shopper: bool = False

    def yolo_labels(self) -> str:
        h, w = self.image.shape[:2]
        return "".join(box.yolo(w, h) + "\n" for box in self.boxes)


@dataclass(frozen=True, slots=True)
class Nuisance:
    """How rough frames may be; the defaults are those of the training data."""

    shopper_rate: float = 0.15
    brightness: tuple[float, float] = (0.55, 1.3)
    colour_cast: float = 0.12
    noise_sigma: tuple[float, float] = (0.0, 9.0)
    blur_rate: float = 0.35
    jpeg_quality: tuple[int, int] | None = (45, 95)
    #: domain randomisation (0 by default: the frames of a seed stay what they were before it existed)
    grayscale_rate: float = 0.0  # share of frames turned grey (many shop cameras are monochrome at night)
    background_rate: float = 0.0  # share of frames with a cluttered wall instead of a flat one
    tilt: float = 0.0  # extra perspective jitter on top of the geometry's own, as a share of the frame


#: the randomised renders trained beside real photos: grey frames, cluttered walls, stronger perspective
RANDOMISED = Nuisance(
    shopper_rate=0.3,
    brightness=(0.4, 1.4),
    colour_cast=0.2,
    noise_sigma=(0.0, 14.0),
    blur_rate=0.5,
    jpeg_quality=(35, 95),
    grayscale_rate=0.25,
    background_rate=0.5,
    tilt=0.06,
)


CLEAN = Nuisance(
    shopper_rate=0.0, brightness=(1.0, 1.0), colour_cast=0.0, noise_sigma=(0.0, 0.0), blur_rate=0.0, jpeg_quality=None
)


@dataclass
class _SlotPlace:
    spec: SlotSpec
    x0: float
    x1: float
    top: float  # top of the clear space above the board
    bottom: float  # the board's top surface: products stand here
    pitch: float
    look: Look = field(init=False)

    def __post_init__(self) -> None:
        self.look = look_of(self.spec.gtin, self.spec.category, self.spec.name, kind=self.spec.kind, rgb=self.spec.rgb)


class BayRenderer:
    """Renders one bay from one fixed camera position."""

    def __init__(self, bay: BaySpec, size: tuple[int, int] = (640, 480), geometry_seed: int = 0) -> None:
        self.bay = bay
        self.width, self.height = size
        geo = random.Random(f"{bay.bay_id}:{geometry_seed}")
        self._geo_seed = geometry_seed
        self.wall = tuple(
            int(v)
            for v in np.array([geo.randint(150, 230)] * 3)
            - np.array([geo.randint(0, 40), geo.randint(0, 40), geo.randint(0, 40)])
        )
        self.board = (geo.randint(40, 200), geo.randint(40, 200), geo.randint(40, 200))
        self.board_edge = (geo.randint(20, 120), geo.randint(20, 120), geo.randint(20, 120))
        self.back = tuple(max(0, c - geo.randint(30, 70)) for c in self.wall)
        self._places = self._layout(geo)
        self.homography = self._camera(geo)

    # -- geometry -------------------------------------------------------------
    def _layout(self, geo: random.Random) -> list[_SlotPlace]:
        w, h = self.width, self.height
        left, right = w * geo.uniform(0.03, 0.06), w * (1 - geo.uniform(0.03, 0.06))
        top, bottom = h * geo.uniform(0.03, 0.07), h * (1 - geo.uniform(0.02, 0.05))
        rows = len(self.bay.shelves)
        row_h = (bottom - top) / max(rows, 1)
        board_h = row_h * 0.13
        self._boards: list[tuple[float, float, float, float]] = []
        self._bay_box = (left, top, right, bottom)
        places = []
        for r, shelf in enumerate(self.bay.shelves):
            row_top = top + r * row_h
            surface = row_top + row_h - board_h
            clear = surface - row_top
            total = sum(slot.capacity for slot in shelf.slots) or 1
            pitch = min((right - left) / total, clear * 0.85)
            x = left
            for slot in shelf.slots:
                places.append(_SlotPlace(slot, x, x + pitch * slot.capacity, row_top + clear * 0.04, surface, pitch))
                x += pitch * slot.capacity
            self._boards.append((left, surface, right, surface + board_h))
        return places

    def _camera(self, geo: random.Random) -> np.ndarray:
        """A mild perspective: the camera is never exactly square to the shelf."""
        w, h = self.width, self.height
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        j = 0.035
        dst = np.float32([[x + geo.uniform(-j, j) * w, y + geo.uniform(-j, j) * h] for x, y in src])
        return cv2.getPerspectiveTransform(src, dst)

    def _warp_points(self, pts: np.ndarray, homography: np.ndarray | None = None) -> np.ndarray:
        matrix = self.homography if homography is None else homography
        return cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float32), matrix).reshape(-1, 2)

    def slot_polygons(self, homography: np.ndarray | None = None) -> dict[str, tuple[tuple[float, float], ...]]:
        """Each slot's region in image coordinates: the space above its stretch of board."""
        out = {}
        for p in self._places:
            quad = np.float32([[p.x0, p.top], [p.x1, p.top], [p.x1, p.bottom], [p.x0, p.bottom]])
            out[p.spec.slot_id] = tuple((float(x), float(y)) for x, y in self._warp_points(quad, homography))
        return out

    # -- drawing --------------------------------------------------------------
    def render(
        self,
        facings: dict[str, int],
        rng: np.random.Generator,
        nuisance: Nuisance = CLEAN,
        *,
        shopper: bool | None = None,
        shopper_seed: int | None = None,
    ) -> Frame:
        """Draw ``facings`` (slot id -> products at the front); unknown slots are drawn empty.

        ``shopper`` forces a shopper in (or out); ``shopper_seed`` fixes where
        they stand, so a shopper who lingers stays put from frame to frame.
        """
        flat = np.empty((self.height, self.width, 3), np.uint8)
        flat[:] = self.wall
        if nuisance.background_rate and rng.random() < nuisance.background_rate:
            clutter(flat, rng)
        left, top, right, bottom = (int(v) for v in self._bay_box)
        cv2.rectangle(flat, (left, top), (right, bottom), self.back, -1)
        cv2.rectangle(flat, (left - 8, top), (left, bottom), self.board_edge, -1)
        cv2.rectangle(flat, (right, top), (right + 8, bottom), self.board_edge, -1)
        flat_boxes: list[tuple[float, float, float, float]] = []
        for place in self._places:
            n = max(0, min(int(facings.get(place.spec.slot_id, 0)), place.spec.capacity))
            flat_boxes.extend(self._draw_slot(flat, place, n))
        for x0, y0, x1, y1 in self._boards:
            cv2.rectangle(flat, (int(x0), int(y0)), (int(x1), int(y1)), self.board, -1)
            cv2.line(flat, (int(x0), int(y0)), (int(x1), int(y0)), self.board_edge, 2)
        for place in self._places:
            self._draw_price_label(flat, place)

        homography = self.homography
        if nuisance.tilt:
            homography = tilted(homography, self.width, self.height, nuisance.tilt, rng)
        image = cv2.warpPerspective(flat, homography, (self.width, self.height), borderMode=cv2.BORDER_REPLICATE)
        boxes = [self._warp_box(box, homography) for box in flat_boxes]

        with_shopper = (rng.random() < nuisance.shopper_rate) if shopper is None else shopper
        mask = np.zeros((self.height, self.width), np.uint8)
        shopper_boxes: list[Box] = []
        if with_shopper:
            pose = rng if shopper_seed is None else np.random.default_rng(shopper_seed)
            shopper_boxes.append(self._draw_shopper(image, mask, pose))

        kept: list[Box] = []
        for box in boxes:
            x0, y0, x1, y1 = (round(v) for v in (box.x0, box.y0, box.x1, box.y1))
            area = mask[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)]
            if with_shopper and area.size and area.mean() / 255 > HIDDEN_PRODUCT:
                continue
            kept.append(box)

        polygons = self.slot_polygons(homography)
        slots = []
        for place in self._places:
            poly = polygons[place.spec.slot_id]
            occluded = False
            if with_shopper:
                pmask = np.zeros_like(mask)
                cv2.fillPoly(pmask, [np.int32(np.round(poly))], 255)
                inside = pmask > 0
                occluded = bool(inside.any() and (mask[inside] > 0).mean() > OCCLUDED_SLOT)
            n = max(0, min(int(facings.get(place.spec.slot_id, 0)), place.spec.capacity))
            slots.append(SlotTruth(place.spec.slot_id, place.spec.gtin, place.spec.capacity, n, poly, occluded))

        image = self._degrade(image, rng, nuisance)
        if nuisance.grayscale_rate and rng.random() < nuisance.grayscale_rate:
            image = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        return Frame(image=image, boxes=kept + shopper_boxes, slots=slots, shopper=with_shopper)

    def _positions(self, place: _SlotPlace, n: int) -> list[int]:
        """Which facing positions hold a product: stable for a given count, so a still shelf renders still."""
        pick = random.Random(f"{place.spec.slot_id}:{n}:{self._geo_seed}")
        if n >= place.spec.capacity or pick.random() < 0.5:
            return list(range(n))
        return sorted(pick.sample(range(place.spec.capacity), n))

    def _draw_slot(self, img: np.ndarray, place: _SlotPlace, n: int) -> list[tuple[float, float, float, float]]:
        look = place.look
        clear = place.bottom - place.top
        out = []
        jitter = random.Random(f"{place.spec.slot_id}:{n}:j:{self._geo_seed}")
        for i in self._positions(place, n):
            w = place.pitch * look.width
            h = clear * look.height
            cx = place.x0 + (i + 0.5) * place.pitch + jitter.uniform(-0.05, 0.05) * place.pitch
            x0, x1 = cx - w / 2, cx + w / 2
            y1 = place.bottom
            y0 = y1 - h
            _DRAW[look.kind](img, look, x0, y0, x1, y1)
            out.append((x0, y0, x1, y1))
        return out

    def _draw_price_label(self, img: np.ndarray, place: _SlotPlace) -> None:
        board_h = self._boards[0][3] - self._boards[0][1]
        w = min(place.pitch * 1.2, (place.x1 - place.x0) * 0.9, board_h * 2.6)
        x0 = place.x0 + 3
        y0 = place.bottom + board_h * 0.15
        y1 = place.bottom + board_h * 0.9
        cv2.rectangle(img, (int(x0), int(y0)), (int(x0 + w), int(y1)), (245, 245, 245), -1)
        price = f"{place.spec.price_eur:.2f}" if place.spec.price_eur is not None else place.spec.gtin[-4:]
        _fit_text(img, price, x0 + 1, y0, x0 + w - 1, y1, (20, 20, 20))

    def _warp_box(self, box: tuple[float, float, float, float], homography: np.ndarray | None = None) -> Box:
        x0, y0, x1, y1 = box
        pts = self._warp_points(np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]), homography)
        xs, ys = pts[:, 0].clip(0, self.width), pts[:, 1].clip(0, self.height)
        return Box(PRODUCT, float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))

    def _draw_shopper(self, img: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> Box:
        w, h = self.width, self.height
        body_w = w * rng.uniform(0.16, 0.3)
        cx = rng.uniform(0.1, 0.9) * w
        head_r = body_w * 0.28
        top = rng.uniform(0.02, 0.45) * h
        shoulders = top + head_r * 2.1
        coat = tuple(int(v) for v in rng.integers(0, 255, 3))
        skin = tuple(int(v) for v in rng.choice([[80, 110, 160], [120, 160, 210], [60, 80, 110], [150, 190, 230]]))
        hair = tuple(int(v) for v in rng.integers(0, 90, 3))
        for target, colours in ((img, (coat, skin, hair)), (mask, (255, 255, 255))):
            c_coat, c_skin, c_hair = colours
            x0, x1 = int(cx - body_w / 2), int(cx + body_w / 2)
            cv2.rectangle(target, (x0, int(shoulders)), (x1, h), c_coat, -1)
            cv2.ellipse(
                target, (int(cx), int(shoulders)), (int(body_w / 2), int(head_r * 0.7)), 0, 180, 360, c_coat, -1
            )
            cv2.circle(target, (int(cx), int(top + head_r)), int(head_r), c_skin, -1)
            cv2.ellipse(
                target, (int(cx), int(top + head_r * 0.8)), (int(head_r), int(head_r * 0.8)), 0, 180, 360, c_hair, -1
            )
        arm = tuple(max(0, c - 40) for c in coat)
        cv2.line(img, (int(cx - body_w * 0.3), int(shoulders + 10)), (int(cx - body_w * 0.3), h), arm, 2)
        cv2.line(img, (int(cx + body_w * 0.3), int(shoulders + 10)), (int(cx + body_w * 0.3), h), arm, 2)
        x0, x1 = max(0.0, cx - body_w / 2), min(float(w), cx + body_w / 2)
        return Box(SHOPPER, x0, max(0.0, top), x1, float(h))

    def _degrade(self, img: np.ndarray, rng: np.random.Generator, nz: Nuisance) -> np.ndarray:
        out = img.astype(np.float32)
        gain = rng.uniform(*nz.brightness)
        cast = 1 + rng.uniform(-nz.colour_cast, nz.colour_cast, 3) if nz.colour_cast else np.ones(3)
        if nz.brightness != (1.0, 1.0):
            ramp = np.linspace(rng.uniform(0.8, 1.05), rng.uniform(0.8, 1.05), self.width, dtype=np.float32)
            vramp = np.linspace(rng.uniform(0.85, 1.05), rng.uniform(0.85, 1.05), self.height, dtype=np.float32)
            out *= (vramp[:, None] * ramp[None, :])[:, :, None]
        out *= gain * cast[None, None, :]
        if rng.random() < nz.blur_rate:
            if rng.random() < 0.5:
                k = int(rng.choice([3, 5]))
                out = cv2.GaussianBlur(out, (k, k), 0)
            else:
                k = int(rng.integers(3, 8))
                kernel = np.zeros((k, k), np.float32)
                kernel[k // 2, :] = 1.0 / k
                out = cv2.filter2D(out, -1, kernel)
        sigma = rng.uniform(*nz.noise_sigma)
        if sigma > 0:
            out += rng.normal(0, sigma, out.shape).astype(np.float32)
        img = np.clip(out, 0, 255).astype(np.uint8)
        if nz.jpeg_quality is not None:
            quality = int(rng.integers(nz.jpeg_quality[0], nz.jpeg_quality[1] + 1))
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if ok:
                img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        return img


# -- packages -------------------------------------------------------------------
def _fit_text(img: np.ndarray, text: str, x0: float, y0: float, x1: float, y1: float, colour: tuple[int, ...]) -> None:
    w, h = x1 - x0, y1 - y0
    if w < 6 or h < 5 or not text:
        return
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 1)
    scale = min(w / max(tw, 1), h / max(th, 1)) * 0.9
    if scale < 0.15:
        return
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    org = (int(x0 + (w - tw) / 2), int(y0 + (h + th) / 2))
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA)


def _dark(c: tuple[int, int, int], by: int = 50) -> tuple[int, int, int]:
    return (max(0, c[0] - by), max(0, c[1] - by), max(0, c[2] - by))


def _ink(bg: tuple[int, int, int]) -> tuple[int, int, int]:
    return (20, 20, 20) if sum(bg) > 380 else (240, 240, 240)


def _box(img: np.ndarray, lk: Look, x0: float, y0: float, x1: float, y1: float) -> None:
    p0, p1 = (int(x0), int(y0)), (int(x1), int(y1))
    cv2.rectangle(img, p0, p1, lk.colour, -1)
    cv2.rectangle(img, p0, p1, _dark(lk.colour), 1)
    h = y1 - y0
    cv2.rectangle(img, (int(x0), int(y0 + h * 0.12)), (int(x1), int(y0 + h * 0.2)), lk.accent, -1)
    cv2.rectangle(img, (int(x0 + 2), int(y0 + h * 0.35)), (int(x1 - 2), int(y0 + h * 0.62)), lk.label, -1)
    _fit_text(img, lk.text, x0 + 2, y0 + h * 0.35, x1 - 2, y0 + h * 0.62, _ink(lk.label))


def _bottle(img: np.ndarray, lk: Look, x0: float, y0: float, x1: float, y1: float) -> None:
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    shoulder = y0 + h * 0.38
    cv2.rectangle(img, (int(x0), int(shoulder)), (int(x1), int(y1)), lk.colour, -1)
    cv2.ellipse(img, (int(cx), int(shoulder)), (int(w / 2), int(h * 0.1)), 0, 180, 360, lk.colour, -1)
    cv2.rectangle(img, (int(cx - w * 0.17), int(y0 + h * 0.08)), (int(cx + w * 0.17), int(shoulder)), lk.colour, -1)
    cv2.rectangle(img, (int(cx - w * 0.2), int(y0)), (int(cx + w * 0.2), int(y0 + h * 0.09)), lk.accent, -1)
    cv2.rectangle(img, (int(x0), int(y0 + h * 0.55)), (int(x1), int(y0 + h * 0.8)), lk.label, -1)
    _fit_text(img, lk.text, x0 + 1, y0 + h * 0.55, x1 - 1, y0 + h * 0.8, _ink(lk.label))
    cv2.line(img, (int(x0 + w * 0.2), int(shoulder + 4)), (int(x0 + w * 0.2), int(y0 + h * 0.52)), (230, 230, 230), 1)


def _can(img: np.ndarray, lk: Look, x0: float, y0: float, x1: float, y1: float) -> None:
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    rim = max(2.0, h * 0.07)
    cv2.rectangle(img, (int(x0), int(y0 + rim)), (int(x1), int(y1 - rim)), lk.colour, -1)
    cv2.ellipse(img, (int(cx), int(y0 + rim)), (int(w / 2), int(rim)), 0, 0, 360, (185, 185, 190), -1)
    cv2.ellipse(img, (int(cx), int(y1 - rim)), (int(w / 2), int(rim)), 0, 0, 180, (150, 150, 155), -1)
    cv2.rectangle(img, (int(x0), int(y0 + h * 0.35)), (int(x1), int(y0 + h * 0.65)), lk.label, -1)
    _fit_text(img, lk.text, x0 + 1, y0 + h * 0.35, x1 - 1, y0 + h * 0.65, _ink(lk.label))


def _bag(img: np.ndarray, lk: Look, x0: float, y0: float, x1: float, y1: float) -> None:
    w, h = x1 - x0, y1 - y0
    teeth = max(3, int(w / 6))
    top = [(x0 + w * k / teeth, y0 + (0 if k % 2 == 0 else h * 0.05)) for k in range(teeth + 1)]
    body = [*top, (x1 - w * 0.04, y1), (x0 + w * 0.04, y1)]
    cv2.fillPoly(img, [np.int32(np.round(body))], lk.colour)
    cv2.rectangle(img, (int(x0 + w * 0.1), int(y0 + h * 0.3)), (int(x1 - w * 0.1), int(y0 + h * 0.6)), lk.label, -1)
    _fit_text(img, lk.text, x0 + w * 0.1, y0 + h * 0.3, x1 - w * 0.1, y0 + h * 0.6, _ink(lk.label))
    cv2.ellipse(img, (int(x0 + w * 0.5), int(y0 + h * 0.78)), (int(w * 0.25), int(h * 0.08)), 0, 0, 360, lk.accent, -1)


def _jar(img: np.ndarray, lk: Look, x0: float, y0: float, x1: float, y1: float) -> None:
    w, h = x1 - x0, y1 - y0
    lid = h * 0.18
    cv2.rectangle(img, (int(x0 + w * 0.06), int(y0)), (int(x1 - w * 0.06), int(y0 + lid)), lk.accent, -1)
    cv2.rectangle(img, (int(x0), int(y0 + lid)), (int(x1), int(y1)), lk.colour, -1)
    cv2.rectangle(img, (int(x0), int(y0 + h * 0.35)), (int(x1), int(y0 + h * 0.75)), lk.label, -1)
    _fit_text(img, lk.text, x0 + 1, y0 + h * 0.35, x1 - 1, y0 + h * 0.75, _ink(lk.label))


_DRAW = {"box": _box, "bottle": _bottle, "can": _can, "bag": _bag, "jar": _jar}
