"""The till's scanner on a reduced-price shelf label: a GS1 element string read by biip, never split by hand.

A markdown label (hub/fresh/markdown_labels.py) prints
``(01)<GTIN-14>(17)<YYMMDD>(10)<lot>(3922)<price>``: AI 3922 is the amount
payable with two implied decimals. The till sells the unit at that price and
puts the lot and date on the receipt line, so the hub knows which lot sold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from biip.gs1_messages import GS1Message

#: element strings in a printed page: "(01)" then more "(AI)value" groups
ELEMENT_STRING = re.compile(r"\(01\)\d{14}(?:\(\d{2,4}\)[^()<>\s\"']+)+")


@dataclass(frozen=True, slots=True)
class LabelScan:
    gtin: str  # GTIN-14
    lot: str | None
    expiry: date | None
    price_cents: int | None


def read_label(element_string: str) -> LabelScan:
    """The fields a till needs from a label's element string (ValueError naming what is wrong)."""
    try:
        message = GS1Message.parse_hri(element_string)
    except Exception as exc:  # biip's ParseError and friends: said with the code that failed
        raise ValueError(f"label {element_string!r}: {exc}") from None
    gtin = lot = None
    expiry = None
    price = None
    for element in message.element_strings:
        ai = element.ai.ai
        if ai == "01":
            gtin = element.value
        elif ai == "10":
            lot = element.value
        elif ai in ("15", "16", "17"):
            expiry = element.date
        elif ai.startswith("392") and element.decimal is not None:
            price = int((element.decimal * 100).to_integral_value())
    if gtin is None:
        raise ValueError(f"label {element_string!r}: no GTIN (AI 01)")
    return LabelScan(gtin, lot, expiry, price)


def labels_in(page: str) -> list[str]:
    """Every element string printed on a label sheet (the HTML of /api/markdowns/labels.html)."""
    return ELEMENT_STRING.findall(page.replace("&#40;", "(").replace("&#41;", ")"))
