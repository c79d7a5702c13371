"""EPC decoding with epcpy (the GS1 Tag Data Standard, maintained).

An SGTIN-96 gives the item's GTIN-14 and serial; any other EPC is kept as
raw hex with no scheme, flagged, and still tracked: a tag is never dropped
because we cannot read its meaning. What the MQTT contract cannot carry of a
decoded EPC is left out, said in ``problem``: an SGTIN-198's serial of
URI-escaped characters can be 60 characters long, the contract carries 40,
so such a tag travels with its GTIN and without its serial (its EPC still
names it).
"""

from __future__ import annotations

from dataclasses import dataclass

import epcpy
from epcpy.utils.common import ConvertException
from pydantic import TypeAdapter, ValidationError

from comptoir.contract.fields import EpcHex
from comptoir.contract.rfid import TagFields

#: SGTIN headers (GS1 Tag Data Standard): the scheme is the header's, not the hex's length (198 bits fill 26 bytes)
SGTIN_SCHEMES = {"30": "sgtin-96", "36": "sgtin-198"}


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
    try:
        gtin = tag.gtin()
        serial = tag.epc_uri.rsplit(".", 1)[1]
    except (ConvertException, ValueError, IndexError) as exc:
        return EpcInfo(epc, None, None, None, f"{type(exc).__name__}: {exc}")
    return _fit_contract(EpcInfo(epc, SGTIN_SCHEMES.get(epc[:2], f"sgtin-{len(epc) * 4}"), gtin, serial))


def _fit_contract(info: EpcInfo) -> EpcInfo:
    """``info`` as the contract can carry it: without a serial it refuses, else as raw hex."""
    try:
        TagFields(epc=info.epc, scheme=info.scheme, gtin=info.gtin, serial=info.serial)
        return info
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        reason = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    try:
        TagFields(epc=info.epc, scheme=info.scheme, gtin=info.gtin)
        return EpcInfo(info.epc, info.scheme, info.gtin, None, f"serial not carried ({reason})")
    except ValidationError:
        return EpcInfo(info.epc, None, None, None, f"kept as raw hex ({reason})")


_CONTRACT_EPC = TypeAdapter(EpcHex)
#: A rejected EPC is quoted in a log line up to this many characters (a hostile reader may send kilobytes).
QUOTE_CHARS = 64


def epc_quote(epc: object) -> str:
    """An EPC as a log line may quote it: text, cut to ``QUOTE_CHARS`` with its full length said."""
    text = epc.decode("ascii", "replace") if isinstance(epc, bytes) else str(epc)
    return text if len(text) <= QUOTE_CHARS else f"{text[:QUOTE_CHARS]}...({len(text)} chars)"


def contract_problem(epc: object) -> str | None:
    """Why the MQTT contract refuses this EPC (sllurp's hex bytes or a string), or None when it accepts it.

    Checked before a read is tracked: an EPC the contract cannot carry (a 512-bit or 8-bit one) would
    otherwise make every batch it joins invalid, and with it the other tags' events.
    """
    text = epc.decode("ascii", "replace") if isinstance(epc, bytes) else str(epc)
    try:
        _CONTRACT_EPC.validate_python(text)
    except ValidationError as exc:
        return f"{len(text)} characters ({len(text) * 4} bits as hex): {exc.errors()[0]['msg']}"
    return None
