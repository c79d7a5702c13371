"""EPCs from a GTIN and a serial, encoded by epcpy (the GS1 Tag Data Standard).

A GTIN names a trade item, so its item-level EPC scheme is the SGTIN:
SGTIN-96 (numeric serials below 2^38, the usual retail tag) and SGTIN-198
(serials of up to 20 characters). epcpy encodes other GS1 schemes (SSCC,
GRAI, GIAI...), but those name pallets or assets, not a product's units, so
asking for one here is refused with the list of what is supported.

The company prefix length cannot be read from the GTIN's digits: it is the
shop's (or the supplier's) GS1 membership, 6 to 12 digits; the demo
catalog's is 7.
"""

from __future__ import annotations

from typing import Any

from comptoir.contract import gtin14
from hub.tags.errors import TagError

# epcpy is imported where an EPC is made (the hub's start does not need it); a scheme's name here is its
# SGTIN.BinaryCodingScheme member
SCHEMES = {"sgtin-96": "SGTIN_96", "sgtin-198": "SGTIN_198"}
#: the largest serial allocated per scheme (SGTIN-96: 38 bits; SGTIN-198 carries 20 characters, we number 18 digits)
SERIAL_MAX = {"sgtin-96": 2**38 - 1, "sgtin-198": 10**18 - 1}  # 198: what SQLite stores as an integer
DEFAULT_PREFIX_LENGTH = 7
POS_ITEM = 1  # the filter value of a retail item sold at the point of sale


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise TagError("scheme", f"'{scheme[:40]}' is not supported: a product's units are encoded as "
                                 f"{' or '.join(SCHEMES)} (other GS1 schemes name pallets, returnable assets...)")
    return scheme


def _coding(scheme: str) -> Any:
    from epcpy.epc_schemes import SGTIN

    return SGTIN.BinaryCodingScheme[SCHEMES[scheme]]


def check_gtin(gtin: str) -> str:
    try:
        return gtin14(gtin)
    except ValueError as exc:
        raise TagError("gtin", f"{gtin[:20]!r} is not a GTIN: {exc}") from None


def check_serial(scheme: str, serial: int, field: str = "serial") -> int:
    top = SERIAL_MAX[check_scheme(scheme)]
    if not 0 <= serial <= top:
        raise TagError(field, f"{serial} is outside 0..{top}, the serials an {scheme} carries")
    return serial


def encode(gtin: str, serial: int, scheme: str = "sgtin-96", prefix_length: int = DEFAULT_PREFIX_LENGTH,
           filter_value: int = POS_ITEM) -> str:
    """The EPC (upper-case hex) of unit ``serial`` of ``gtin``; TagError naming the field that is wrong."""
    code = check_gtin(gtin)
    check_serial(scheme, serial)
    if not 6 <= prefix_length <= 12:
        raise TagError("company_prefix_length", f"{prefix_length} is not 6 to 12 digits")
    if not 0 <= filter_value <= 7:
        raise TagError("filter_value", f"{filter_value} is not 0 to 7")
    from epcpy.epc_schemes import SGTIN
    from epcpy.epc_schemes.sgtin import SGTINFilterValue
    from epcpy.utils.common import ConvertException

    try:
        sgtin = SGTIN.from_gtin_plus_serial(code, str(serial), company_prefix_length=prefix_length)
        return sgtin.hex(binary_coding_scheme=_coding(scheme),
                         filter_value=SGTINFilterValue(str(filter_value))).upper()
    except ConvertException as exc:
        raise TagError("gtin", f"epcpy cannot encode GTIN {code} with a {prefix_length}-digit company prefix "
                               f"as {scheme}: {exc}") from None


def tag_uri(gtin: str, serial: int, scheme: str = "sgtin-96", prefix_length: int = DEFAULT_PREFIX_LENGTH,
            filter_value: int = POS_ITEM) -> str:
    """The EPC tag URI (urn:epc:tag:sgtin-96:...), which a person can read."""
    from epcpy.epc_schemes import SGTIN
    from epcpy.epc_schemes.sgtin import SGTINFilterValue

    sgtin = SGTIN.from_gtin_plus_serial(check_gtin(gtin), str(serial), company_prefix_length=prefix_length)
    return sgtin.tag_uri(_coding(check_scheme(scheme)), SGTINFilterValue(str(filter_value)))
