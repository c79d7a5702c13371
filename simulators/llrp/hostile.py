"""A reader gone wrong: what a broken, misconfigured or malicious reader sends.

Two kinds of harm, for the tests and the hostile-input suite:

- :class:`OddReads` wraps a read source and adds reads a healthy reader never
  reports: EPCs the MQTT contract cannot carry (512 bits, 8 bits), a read
  dated years ahead. They travel in well-formed RO_ACCESS_REPORTs.
- :func:`bad_frames` makes the byte strings a broken reader writes on its
  connection: truncated headers, impossible or lying length fields, unknown
  message types, RO_ACCESS_REPORTs whose TLV or TV parameters are wrong,
  random bytes. :func:`inject` writes one on a session, between the
  simulator's own well-formed reports; :func:`cut_mid_frame` writes half a
  frame and drops the connection.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from datetime import datetime

from simulators.llrp import protocol as llrp
from simulators.llrp.protocol import TagObservation
from simulators.llrp.radio import micros
from simulators.llrp.server import ReaderSimulator, ReadSource


class OddReads:
    """A read source with extra reads, every round, on one antenna: ``(epc bytes, microseconds ahead)``."""

    def __init__(self, inner: ReadSource, port: int, extra: list[tuple[bytes, int]]) -> None:
        self.inner = inner
        self.port = port
        self.extra = list(extra)

    @property
    def ports(self) -> list[int]:
        return self.inner.ports

    def observe(self, ports: list[int], start: datetime, end: datetime) -> list[TagObservation]:
        reads = self.inner.observe(ports, start, end)
        if self.port in ports:
            seen = micros(end) - 1
            reads += [TagObservation(epc, self.port, -40, seen + ahead, seen + ahead) for epc, ahead in self.extra]
        return reads


@dataclass(frozen=True, slots=True)
class BadFrame:
    """Bytes a broken reader sends; ``framed``: the stream can still be split into frames after them."""

    name: str
    data: bytes
    framed: bool


def _report(body: bytes, msg_id: int = 0x7FFF0000) -> bytes:
    return llrp.frame(llrp.RO_ACCESS_REPORT, msg_id, body)


def bad_frames(rng: random.Random, count: int) -> list[BadFrame]:
    """Every kind of bad frame once, then random bytes and mangled reports from ``rng`` up to ``count``."""
    epc = bytes.fromhex("3034257BF7194E4000001A85")
    good_tag = llrp.tlv(llrp.P_TAG_REPORT_DATA, llrp.tv(llrp.TV_EPC_96, epc))
    kinds = [
        BadFrame("unknown message type", llrp.frame(999, 1, b"\x00\x01\x02"), True),
        BadFrame("unsupported version", llrp.frame(llrp.KEEPALIVE, 2, b"", version=7), True),
        BadFrame("custom message with no vendor", llrp.frame(llrp.CUSTOM_MESSAGE, 3, b"\x00"), True),
        BadFrame("parameter longer than its report",
                 _report(struct.pack("!HH", llrp.P_TAG_REPORT_DATA, 4000) + b"\x00" * 8), True),
        BadFrame("parameter length under its header",
                 _report(struct.pack("!HH", llrp.P_TAG_REPORT_DATA, 2) + b"\x00" * 8), True),
        BadFrame("unknown TV parameter in a tag report",
                 _report(llrp.tlv(llrp.P_TAG_REPORT_DATA, bytes((0x80 | 120,)) + b"\x00" * 6)), True),
        BadFrame("TV parameter cut short", _report(llrp.tlv(llrp.P_TAG_REPORT_DATA, b"\x8d\x30\x34")), True),
        BadFrame("EPCData claiming 60000 bits",
                 _report(llrp.tlv(llrp.P_TAG_REPORT_DATA, llrp.tlv(llrp.P_EPC_DATA, struct.pack("!H", 60000)))), True),
        BadFrame("tag report without an EPC",
                 _report(llrp.tlv(llrp.P_TAG_REPORT_DATA, llrp.tv(llrp.TV_ANTENNA_ID, b"\x00\x01"))), True),
        BadFrame("report with trailing garbage", _report(good_tag + b"\xff\xfe"), True),
        BadFrame("length smaller than the header", struct.pack("!HII", 0x0400 | 61, 4, 9), False),
        BadFrame("length of 1 GB", struct.pack("!HII", 0x0400 | 61, 1 << 30, 10), False),
        BadFrame("length of 4 GB - 1", struct.pack("!HII", 0x0400 | 62, 0xFFFFFFFF, 11), False),
    ]
    frames = kinds[:count]
    while len(frames) < count:
        if rng.random() < 0.5:
            # a real report with some bytes of its body overwritten: framed, whatever the damage inside
            body = bytearray(good_tag * rng.randint(1, 4))
            for _ in range(rng.randint(1, 6)):
                body[rng.randrange(len(body))] = rng.randrange(256)
            frames.append(BadFrame("mangled report body", _report(bytes(body)), True))
        else:
            # random bytes: their first ten make a header whose length is anything
            frames.append(BadFrame("random bytes", rng.randbytes(rng.randint(10, 64)), False))
    return frames


def inject(sim: ReaderSimulator, data: bytes) -> bool:
    """Write ``data`` on the connected client's stream as it is; False when no client is connected."""
    session = sim.session
    if session is None or session.writer.is_closing():
        return False
    session.writer.write(data)
    return True


def cut_mid_frame(sim: ReaderSimulator, data: bytes) -> bool:
    """Write the first half of ``data`` and drop the connection: a reader losing power mid-frame."""
    if not inject(sim, data[: max(1, len(data) // 2)]):
        return False
    return sim.drop_connection()
