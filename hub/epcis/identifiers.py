"""GS1 identifiers as URIs: the shop's locations (SGLN) and its tagged items (EPC).

Per GS1's Tag Data Standard, an SGLN URN is the GLN split after the company
prefix, without its check digit, with an extension naming the sub-location:
here the zone (``0`` for the shop itself). An item with a GTIN and a serial
is named by its GS1 Digital Link URI (``https://id.gs1.org/01/<GTIN>/21/<serial>``),
which EPCIS 2.0 accepts for instance-level identifiers and which needs no
company prefix length; a tag the hub knows only by its EPC bits is named by
its raw EPC URI (``urn:epc:raw:<bits>.x<hex>``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from comptoir.contract.fields import gtin14

DIGITAL_LINK = "https://id.gs1.org"
#: characters an SGLN extension (GS1 AI 254) keeps as they are in a URN; others are %-escaped
_EXTENSION_SAFE = "!'()*+,-.:;=_"
_HEX = re.compile(r"^[0-9A-Fa-f]+$")


class IdentifierError(ValueError):
    """A value that cannot become the GS1 identifier asked for; the message says why."""


def sgln(gln: str, prefix_digits: int, extension: str | None = None) -> str:
    """``urn:epc:id:sgln:0614141.00777.zone`` for GLN 0614141007772 (prefix 7) and zone ``zone``."""
    if not (len(gln) == 13 and gln.isdigit()):
        raise IdentifierError(f"a GLN is 13 digits, got {gln!r}")
    if not 6 <= prefix_digits <= 12:
        raise IdentifierError(f"a company prefix has 6 to 12 digits, got {prefix_digits}")
    ext = "0" if not extension else quote(extension, safe=_EXTENSION_SAFE)
    if len(extension or "") > 20:
        raise IdentifierError(f"an SGLN extension has at most 20 characters, got {extension!r}")
    return f"urn:epc:id:sgln:{gln[:prefix_digits]}.{gln[prefix_digits:12]}.{ext}"


def epc_uri(epc: str, gtin: str | None, serial: str | None) -> str:
    """The item's EPCIS identifier: its Digital Link URI when GTIN and serial are known, else its raw EPC URI."""
    if gtin and serial:
        return f"{DIGITAL_LINK}/01/{gtin14(gtin)}/21/{quote(serial, safe='')}"
    if _HEX.match(epc):
        return f"urn:epc:raw:{len(epc) * 4}.x{epc.upper()}"
    raise IdentifierError(f"EPC {epc!r} has neither a GTIN and serial nor hexadecimal bits")


def product_uri(gtin: str) -> str:
    """The product's Digital Link URI (what ``MATCH_epcClass`` names)."""
    return f"{DIGITAL_LINK}/01/{gtin14(gtin)}"
