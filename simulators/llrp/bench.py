"""An encoding bench: tags lying still on one antenna, every one read every round.

Where a shop writes its own tags: a reel of blank tags (or a few labels)
on a desktop antenna. Blank tags carry what the chip maker put there, a
96-bit EPC that is not an SGTIN (here ``E280 6894`` and a serial, as an
Impinj Monza's factory EPC looks); once written, the reader's
:class:`~simulators.llrp.access.TagMemory` makes them answer with the new EPC.
"""

from __future__ import annotations

from datetime import datetime

from simulators.llrp.protocol import TagObservation
from simulators.llrp.radio import micros

#: The factory EPC's first bytes (not a GS1 header: the hub sees such a tag as unknown raw hex)
FACTORY_PREFIX = bytes.fromhex("E2806894")


def blank_epc(n: int) -> bytes:
    """The factory EPC of blank tag ``n`` (96 bits)."""
    return FACTORY_PREFIX + n.to_bytes(8, "big")


class EncodingBench:
    """``epcs`` on antenna ``port``, each read once per round with a steady RSSI."""

    def __init__(self, epcs: list[bytes], port: int = 1, rssi_dbm: int = -40) -> None:
        self.epcs = list(epcs)
        self.port = port
        self.rssi_dbm = rssi_dbm

    @classmethod
    def blank(cls, count: int, port: int = 1) -> EncodingBench:
        return cls([blank_epc(n) for n in range(1, count + 1)], port)

    @property
    def ports(self) -> list[int]:
        return [self.port]

    def observe(self, ports: list[int], start: datetime, end: datetime) -> list[TagObservation]:
        if self.port not in ports:
            return []
        seen = micros(start)
        return [TagObservation(epc, self.port, self.rssi_dbm, seen, seen) for epc in self.epcs]
