"""How a product looks on camera, derived from its category and GTIN alone.

The catalog has no picture columns: the look is a pure function of the
product, so that a product keeps its look across frames, runs and machines.
"""

from __future__ import annotations

import colorsys
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["box", "bottle", "can", "bag", "jar"]
KINDS: tuple[Kind, ...] = ("box", "bottle", "can", "bag", "jar")

#: category keyword -> package kinds it is sold in
_BY_CATEGORY: dict[str, tuple[Kind, ...]] = {
    "boisson": ("bottle", "can"),
    "drink": ("bottle", "can"),
    "eau": ("bottle",),
    "vin": ("bottle",),
    "biere": ("bottle", "can"),
    "conserve": ("can", "jar"),
    "huile": ("bottle",),
    "condiment": ("jar", "bottle"),
    "confiture": ("jar",),
    "snack": ("bag",),
    "chips": ("bag",),
    "biscuit": ("box", "bag"),
    "cereal": ("box",),
    "petit": ("box", "jar"),
    "cafe": ("bag", "jar"),
    "the": ("box",),
    "hygiene": ("bottle", "box"),
    "entretien": ("bottle", "box"),
    "cremerie": ("box", "jar"),
    "frais": ("box", "jar"),
    "epicerie": ("box", "bag", "jar"),
    "pate": ("bag", "box"),
    "riz": ("bag", "box"),
    "fruit": ("box", "bag"),
    "surgel": ("box", "bag"),
    "aperitif": ("bag", "can"),
    "boulangerie": ("bag", "box"),
    "animaux": ("can", "bag"),
    "bebe": ("jar", "box"),
    "bazar": ("box",),
    "bio": ("box", "jar", "bag"),
}


def _plain(text: str) -> str:
    """Lower case without accents, so 'Épicerie salée' matches 'epicerie'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Look:
    kind: Kind
    colour: tuple[int, int, int]  # BGR
    accent: tuple[int, int, int]
    label: tuple[int, int, int]
    text: str
    height: float  # fraction of the shelf's clear height
    width: float  # fraction of the facing pitch


def _digest(gtin: str) -> bytes:
    return hashlib.sha256(gtin.encode()).digest()


def _bgr(h: float, s: float, v: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return int(b * 255), int(g * 255), int(r * 255)


def kind_of(category: str, gtin: str) -> Kind:
    digest = _digest(gtin)
    key = _plain(category)
    for word, kinds in _BY_CATEGORY.items():
        if word in key:
            return kinds[digest[0] % len(kinds)]
    return KINDS[digest[0] % len(KINDS)]


def look_of(
    gtin: str, category: str = "", name: str = "", *, kind: str | None = None, rgb: tuple[int, int, int] | None = None
) -> Look:
    """The look of a product; ``kind`` and ``rgb`` come from the store world's catalog when it has them."""
    d = _digest(gtin)
    kind = kind if kind in KINDS else kind_of(category, gtin)  # type: ignore[assignment]
    hue = d[1] / 255
    colour = _bgr(hue, 0.45 + d[2] / 255 * 0.5, 0.35 + d[3] / 255 * 0.6) if rgb is None else (rgb[2], rgb[1], rgb[0])
    accent = _bgr(hue + 0.33 + d[4] / 255 * 0.33, 0.6, 0.5 + d[5] / 255 * 0.5)
    label = _bgr(d[6] / 255, 0.1 + d[7] / 255 * 0.3, 0.85 + d[8] / 255 * 0.15)
    word = (_plain(name).split()[0] if name.strip() else gtin[-5:]).upper()[:7]
    heights = {"box": (0.6, 0.9), "bottle": (0.75, 0.95), "can": (0.45, 0.65), "bag": (0.55, 0.85), "jar": (0.4, 0.6)}
    widths = {"box": (0.78, 0.92), "bottle": (0.55, 0.72), "can": (0.65, 0.8), "bag": (0.8, 0.92), "jar": (0.7, 0.85)}
    lo, hi = heights[kind]
    wlo, whi = widths[kind]
    return Look(
        kind=kind,  # type: ignore[arg-type]
        colour=colour,
        accent=accent,
        label=label,
        text=word,
        height=lo + (hi - lo) * d[9] / 255,
        width=wlo + (whi - wlo) * d[10] / 255,
    )
