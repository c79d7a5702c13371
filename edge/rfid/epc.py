"""EPC decoding with epcpy (the GS1 Tag Data Standard, maintained).

An SGTIN-96 gives the item's GTIN-14 and serial; any other EPC is kept as
raw hex with no scheme, flagged, and still tracked: a tag is never dropped
because we cannot read its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

import epcpy
from epcpy.utils.common import ConvertException


@dataclass(frozen=True, slots=True)
class EpcInfo:
    epc: str  # upper-case hex
    scheme: str | None  # e.g. "sgtin-96"; None when not decoded
    gtin: str | None  # GTIN-14
    serial: str | None
    problem: str | None = None  # why it was not decoded

    @property
    def flagged(self) -> bool:
        return self.scheme is None


def decode_epc(epc_hex: str) -> EpcInfo:
    """Decode an EPC given as hex; never raises for a well-formed hex string."""
    epc = epc_hex.upper()
    try:
        tag = epcpy.hex_to_tag_encodable(epc)
    except (ConvertException, ValueError, IndexError, KeyError) as exc:
        return EpcInfo(epc, None, None, None, f"{type(exc).__name__}: {exc}")
    name = type(tag).__name__
    if name != "SGTIN":
        return EpcInfo(epc, None, None, None, f"{name} EPCs are kept as raw hex")
    bits = len(epc) * 4
    try:
        gtin = tag.gtin()
        serial = tag.epc_uri.rsplit(".", 1)[1]
    except (ConvertException, ValueError, IndexError) as exc:
        return EpcInfo(epc, None, None, None, f"{type(exc).__name__}: {exc}")
    return EpcInfo(epc, f"sgtin-{bits}", gtin, serial)
