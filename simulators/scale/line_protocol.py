"""The firmware's line protocol v1, as the simulated scale speaks it (see the firmware's PROTOCOL.md)."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

MAX_LINE = 96
COMMANDS = ("TARE", "CAL", "INFO", "RATE")
_TOKEN = re.compile(rb"[\x21-\x29\x2B-\x7E]{1,31}")
_SEQ = re.compile(rb"0|[1-9][0-9]{0,4}")
_DECIGRAMS = re.compile(rb"(0|[1-9][0-9]{0,5})\.[0-9]")


def frame(payload: str) -> bytes:
    """``payload`` with its CRC-16/CCITT-FALSE and CR LF."""
    data = payload.encode("ascii")
    if len(data) > MAX_LINE - 6:
        raise ValueError(f"line too long: {payload!r}")
    return data + b" *%04X\r\n" % binascii.crc_hqx(data, 0xFFFF)


def grams_text(decigrams: int) -> str:
    whole, tenth = divmod(abs(decigrams), 10)
    return f"{'-' if decigrams < 0 else ''}{whole}.{tenth}"


@dataclass(frozen=True, slots=True)
class Command:
    seq: int
    name: str
    decigrams: int = 0  # CAL
    hz: int = 0  # RATE


@dataclass(frozen=True, slots=True)
class Reply:
    """What the firmware answers to a line that is not a good command: a NAK, or ERROR BAD_LINE (seq is None)."""

    seq: int | None
    code: str


def read_command(line: bytes) -> Command | Reply | None:
    """A host line as the firmware reads it; None for an empty line (ignored)."""
    line = line.removesuffix(b"\r")
    if not line:
        return None
    bad_line = Reply(None, "BAD_LINE")
    if len(line) > MAX_LINE or len(line) < 7 or any(b < 0x20 or b > 0x7E for b in line):
        return bad_line
    payload, star, crc = line[:-6], line[-6:-4], line[-4:]
    if star != b" *" or not re.fullmatch(rb"[0-9A-F]{4}", crc) or int(crc, 16) != binascii.crc_hqx(payload, 0xFFFF):
        return bad_line
    tokens = payload.split(b" ")
    if any(not re.fullmatch(rb"[\x21-\x29\x2B-\x7E]+", t) for t in tokens) or len(tokens) < 2:
        return bad_line
    if not _SEQ.fullmatch(tokens[0]) or int(tokens[0]) > 65535:
        return bad_line
    seq, verb, args = int(tokens[0]), tokens[1].decode(), tokens[2:]
    if verb not in COMMANDS:  # an unknown verb, or a device's line sent to the device
        return Reply(seq, "UNKNOWN_COMMAND")
    if len(tokens) > 11 or any(not _TOKEN.fullmatch(a) for a in args):
        return Reply(seq, "BAD_ARGS")
    if verb in ("TARE", "INFO") and not args:
        return Command(seq, verb)
    if verb == "CAL" and len(args) == 1 and _DECIGRAMS.fullmatch(args[0]) and args[0] != b"0.0":
        return Command(seq, verb, decigrams=int(args[0].replace(b".", b"")))
    if verb == "RATE" and len(args) == 1 and _SEQ.fullmatch(args[0]) and 1 <= int(args[0]) <= 80:
        return Command(seq, verb, hz=int(args[0]))
    return Reply(seq, "BAD_ARGS")
