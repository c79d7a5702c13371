"""Reads the firmware's shared protocol test vectors (firmware-bridge/firmware/protocol-vectors.tsv)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware-bridge" / "firmware"
VECTORS = FIRMWARE / "protocol-vectors.tsv"


@dataclass(frozen=True)
class Vector:
    expect: str
    line: bytes
    meaning: str
    note: str


def unescape(text: str) -> bytes:
    return re.sub(
        rb"\\(\\|x[0-9A-Fa-f]{2})",
        lambda m: b"\\" if m[1] == b"\\" else bytes([int(m[1][1:], 16)]),
        text.encode("ascii"),
    )


def load_vectors(path: Path = VECTORS) -> list[Vector]:
    rows = []
    for raw in path.read_text().splitlines():
        if not raw or raw.startswith("#"):
            continue
        cols = [*raw.split("\t"), "", "", ""]
        rows.append(Vector(cols[0], unescape(cols[1]), cols[2], cols[3]))
    return rows
