"""What a spoiled serial line can carry: every kind once, then seeded random damage.

For the hostile-input suite: a test writes these on a real pty between valid
weight lines, and the bridge must refuse each with a reason and read the
valid lines around them. An input that does not end in a line feed runs into
the next line (a line protocol has no other boundary): that next line is
spoiled with it, which :attr:`Spoiled.glues` says.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulators.scale.line_protocol import frame
from simulators.scale.noise import KINDS, garbage, spoil

ONE_MB = 1 << 20


@dataclass(frozen=True, slots=True)
class Spoiled:
    name: str
    data: bytes

    @property
    def glues(self) -> bool:
        """The input runs into the line written after it."""
        return not self.data.endswith(b"\n")


def _with_crc(payload: bytes) -> bytes:
    """A line whose CRC is right but whose content is not: only the parser can refuse it."""
    return frame(payload.decode("latin-1")) if payload.isascii() else payload + b" *0000\r\n"


def catalogue(seq: int = 9000) -> list[Spoiled]:
    """Every kind of spoiled input once; ``seq`` numbers the lines that look valid."""
    good = frame(f"{seq} WEIGHT 1234.5 STABLE")
    crc_at = good.rindex(b"*") + 1
    bad_crc = good[:crc_at] + (b"0000" if good[crc_at:crc_at + 4] != b"0000" else b"FFFF") + b"\r\n"
    return [
        Spoiled("NUL bytes", b"\x00" * 40 + b"\r\n"),
        Spoiled("NUL inside a valid line", good[:6] + b"\x00" + good[6:]),
        Spoiled("invalid UTF-8", b"\xff\xfe\xc3\x28 WEIGHT \xed\xa0\x80\r\n"),
        Spoiled("bad checksum", bad_crc),
        Spoiled("lower-case checksum", good[:crc_at] + good[crc_at:crc_at + 4].lower() + b"\r\n"),
        Spoiled("no checksum", f"{seq} WEIGHT 1234.5 STABLE\r\n".encode()),
        Spoiled("truncated frame", good[: len(good) // 2] + b"\r\n"),
        Spoiled("truncated frame, no line end", good[: len(good) // 2]),
        Spoiled("overlong line", b"1 WEIGHT " + b"9" * 300 + b"\r\n"),
        Spoiled("overlong line without a line end", b"W" * 5000),
        Spoiled("CR without LF", good[:-1]),
        Spoiled("right CRC, unknown verb", _with_crc(f"{seq} EXPLODE 1".encode())),
        Spoiled("right CRC, weight not a number", _with_crc(f"{seq} WEIGHT lots STABLE".encode())),
        Spoiled("right CRC, seq out of range", _with_crc(b"70000 WEIGHT 1.0 STABLE")),
        Spoiled("right CRC, double space", _with_crc(f"{seq}  WEIGHT 1.0 STABLE".encode())),
        Spoiled("right CRC, too many arguments", _with_crc(f"{seq} WEIGHT 1.0 STABLE a b c d e f g h i".encode())),
        Spoiled("escape sequences", b"\x1b[2J\x1b[31m0 WEIGHT 1.0 STABLE\x1b[0m\r\n"),
        Spoiled("1 MB of noise", garbage(random.Random(seq), ONE_MB) + b"\n"),
    ]


def random_spoils(rng: random.Random, count: int, seq: int = 9000) -> list[Spoiled]:
    """``count`` valid lines damaged at random (a byte flipped, cut, noise inside, run together), or noise."""
    out = []
    for i in range(count):
        line = frame(f"{(seq + i) % 65536} WEIGHT {rng.randint(0, 99999)}.{rng.randint(0, 9)} STABLE")
        kind = rng.choice([k for k in KINDS if k != "drop"] + ["noise"])
        if kind == "noise":
            out.append(Spoiled("random noise", garbage(rng, rng.randint(1, 2000))))
        else:
            out.append(Spoiled(f"line spoiled: {kind}", spoil(line, kind, rng)))
    return out
