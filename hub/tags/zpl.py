"""Labels for RFID label printers, in Zebra's ZPL II.

One label per EPC, in the order the language wants it: ``^XA`` opens the
format; ``^CI28`` makes field data UTF-8 (product names have accents);
``^RS8`` sets up RFID for EPC Gen 2 tags; ``^RFW,H,,,A`` then ``^FD`` the EPC
in hex, ``^FS``: the printer encodes the tag (memory bank ``A``: the EPC, with
the StoredPC's length bits adjusted, so an SGTIN-198 fits too); the text a
person reads (the product's name, its GTIN and serial, the EPC's tag URI is
left off: it does not fit a 2-inch label); the GTIN as a barcode, EAN-13
(``^BE``, 12 digits: the printer adds the check digit) when the GTIN-14
starts with 0, otherwise GS1-128 (``^BC`` in mode D with ``(01)``); ``^XZ``
closes the format. ``^`` and ``~`` in text are ZPL's command prefixes: they
are replaced by a space, never sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DPI = 203
LABEL_WIDTH_DOTS = 406  # a 2-inch label at 203 dpi
NAME_CHARS = 28


@dataclass(frozen=True, slots=True)
class LabelData:
    epc: str  # hex
    gtin: str  # GTIN-14
    serial: int
    name: str


def _text(value: str, limit: int) -> str:
    clean = "".join(" " if c in "^~" or ord(c) < 32 else c for c in value).strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def barcode(gtin: str) -> str:
    """The GTIN's barcode command and field: EAN-13 when it has one, else GS1-128."""
    if gtin.startswith("0"):
        return f"^BY2^BEN,60,Y,N^FD{gtin[1:13]}^FS"
    return f"^BY2^BCN,60,Y,N,N,D^FD(01){gtin}^FS"


def label(data: LabelData) -> str:
    """One label's ZPL format."""
    epc = data.epc.upper()
    if not epc or any(c not in "0123456789ABCDEF" for c in epc):
        raise ValueError(f"EPC {epc[:64]!r} is not hex")
    return "\n".join([
        "^XA",
        "^CI28",
        f"^PW{LABEL_WIDTH_DOTS}",
        "^RS8",
        f"^RFW,H,,,A^FD{epc}^FS",
        f"^FO20,15^A0N,28,28^FD{_text(data.name, NAME_CHARS)}^FS",
        f"^FO20,50^A0N,20,20^FDGTIN {data.gtin}  SN {data.serial}^FS",
        f"^FO40,80{barcode(data.gtin)}",
        "^XZ",
    ]) + "\n"


def labels(items: Iterable[LabelData]) -> str:
    """Formats for every label, one after the other (a printer takes them as one stream)."""
    return "".join(label(item) for item in items)
