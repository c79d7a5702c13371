"""Line noise for the simulated scale: what a cheap USB cable, EMI or a wrong baud rate does to lines."""

from __future__ import annotations

import random

KINDS = ("flip", "truncate", "binary", "overlong", "drop")


class LineNoise:
    """Spoils a share ``rate`` of the lines, each in one of ``kinds`` (seeded, so runs repeat)."""

    def __init__(self, rate: float = 0.0, *, kinds: tuple[str, ...] = KINDS, seed: int = 1) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"noise rate must be within 0..1, got {rate}")
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown noise kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        self.rate = rate
        self.kinds = kinds
        self.rng = random.Random(seed)
        self.spoiled = 0

    def apply(self, line: bytes) -> bytes:
        if self.rate == 0.0 or self.rng.random() >= self.rate:
            return line
        self.spoiled += 1
        return spoil(line, self.rng.choice(self.kinds), self.rng)


def spoil(line: bytes, kind: str, rng: random.Random) -> bytes:
    """``line`` (ending in CR LF) spoiled in one way; every way still ends the line, so the next one is clean."""
    body = line.removesuffix(b"\r\n")
    if kind == "flip":  # one byte changes in the payload: the CRC no longer matches
        i = rng.randrange(0, max(1, len(body) - 6))
        replacement = rng.choice([c for c in b"0123456789ABCDEF" if c != body[i]])
        return body[:i] + bytes([replacement]) + body[i + 1 :] + b"\r\n"
    if kind == "truncate":  # bytes lost mid-line
        return body[: rng.randrange(1, len(body) - 2)] + b"\r\n"
    if kind == "binary":  # a burst of line noise
        return body[:5] + bytes(rng.randrange(0x80, 0x100) for _ in range(6)) + body[5:] + b"\r\n"
    if kind == "overlong":  # two lines run together with junk: longer than the protocol allows
        return body + b" " + b"#" * 120 + b"\r\n"
    if kind == "drop":  # the line never arrives: a sequence gap
        return b""
    raise ValueError(kind)


def garbage(rng: random.Random, size: int = 64) -> bytes:
    """What a wrong baud rate looks like: bytes of all values, a line feed now and then."""
    return bytes(rng.randrange(0, 256) for _ in range(size))
