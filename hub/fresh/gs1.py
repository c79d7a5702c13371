"""GS1 element strings read at receiving, at the waste form and on markdown labels (biip does the parsing).

A dated product's barcode (GS1-128, GS1 DataMatrix, DataBar, QR) carries its GTIN, lot and date as
Application Identifiers. The AIs are never split by hand here: biip knows every AI's format, check digits
and the GS1 date rules (a day 00 is the month's last day, a two-digit year is placed in the 50-year
window). This module only picks the fields the hub uses and turns biip's errors into one error type that
names the AI and the value at fault, so that a scan refused at the dock says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from biip.gs1_messages import GS1Message

# biip is imported where a code is read (~0.06 s that the hub's start does not need)

DateKind = Literal["use_by", "best_before"]

# A symbol holds at most a few hundred characters (DataMatrix GS1 data stays well under this); anything
# longer is not a barcode read, and is refused before biip sees it.
MAX_LENGTH = 512
# AIM symbology identifiers of the symbols that carry GS1 data, plus EAN/UPC (a bare GTIN).
GS1_SYMBOLOGIES = {"]C1": "GS1-128", "]d2": "GS1 DataMatrix", "]e0": "GS1 DataBar", "]Q3": "GS1 QR Code",
                   "]E0": "EAN-13/UPC-A", "]E4": "EAN-8"}
# Which date AI says what: 17 expiry (use by), 15 best before, 16 sell by (sold or given after: best before).
_DATE_AIS: tuple[tuple[str, DateKind], ...] = (("17", "use_by"), ("15", "best_before"), ("16", "best_before"))
_GTIN_LENGTHS = (8, 12, 13, 14)


class Gs1Error(ValueError):
    """A code that is not a usable GS1 element string; the message names the AI and value at fault."""


@dataclass(frozen=True)
class Gs1Read:
    """What the hub uses of one scan: the item, its lot and date, a price or a count when printed."""

    gtin: str
    lot: str | None = None
    expiry: date | None = None
    date_kind: DateKind | None = None
    price_cents: int | None = None
    quantity: int | None = None


def parse_element_string(raw: str) -> Gs1Read:
    """Read a scan: "(01)…(17)…(10)…" as printed, raw with GS separators, AIM-prefixed, or a bare GTIN."""
    if not isinstance(raw, str):
        raise Gs1Error(f"a GS1 code is text, not {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise Gs1Error("empty GS1 code")
    if len(text) > MAX_LENGTH:
        raise Gs1Error(f"GS1 code of {len(text)} characters (at most {MAX_LENGTH}): not a barcode read")
    if text.startswith("]"):
        prefix = text[:3]
        if prefix not in GS1_SYMBOLOGIES:
            raise Gs1Error(f"symbology {prefix!r} carries no GS1 data (expected one of {', '.join(GS1_SYMBOLOGIES)})")
        text = text[3:].strip()
        if not text:
            raise Gs1Error(f"{GS1_SYMBOLOGIES[prefix]} code with no data after {prefix!r}")
    if text.isdigit() and len(text) in _GTIN_LENGTHS:
        return Gs1Read(gtin=_bare_gtin(text))
    from biip import ParseError
    from biip.gs1_messages import GS1Message

    try:
        message = GS1Message.parse_hri(text) if text.startswith("(") else GS1Message.parse(text)
    except ParseError as exc:
        raise Gs1Error(_explain(str(exc), text)) from None
    return _read(message)


def _bare_gtin(text: str) -> str:
    from biip import ParseError
    from biip.gtin import Gtin

    try:
        return Gtin.parse(text).as_gtin_14()
    except ParseError as exc:
        raise Gs1Error(f"GTIN {text!r}: {exc}") from None


def _read(message: GS1Message) -> Gs1Read:
    by_ai = {}
    for element in message.element_strings:
        ai = element.ai.ai
        if element.gtin_error:
            raise Gs1Error(f"AI {ai} ({element.ai.data_title}) {element.value!r}: {element.gtin_error}")
        by_ai.setdefault(ai, element)
    gtin_element = by_ai.get("01")
    if gtin_element is None or gtin_element.gtin is None:
        found = ", ".join(by_ai) or "none"
        raise Gs1Error(f"no GTIN (AI 01) in the code (AIs found: {found})")
    expiry, kind = None, None
    for ai, date_kind in _DATE_AIS:
        element = by_ai.get(ai)
        if element is not None and element.date is not None:
            expiry, kind = element.date, date_kind
            break
    lot = by_ai["10"].value if "10" in by_ai else None
    price = next((by_ai[ai].decimal for ai in sorted(by_ai) if ai.startswith("392")), None)
    count = next((by_ai[ai].value for ai in ("30", "37") if ai in by_ai), None)
    quantity = int(count) if count is not None else None
    if quantity is not None and quantity < 1:
        raise Gs1Error(f"AI {'30' if '30' in by_ai else '37'} (count) {count!r}: a count is at least 1")
    return Gs1Read(gtin=gtin_element.gtin.as_gtin_14(), lot=lot or None, expiry=expiry, date_kind=kind,
                   price_cents=_cents(price) if price is not None else None, quantity=quantity)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


_PATTERN = re.compile(r"Failed to match '(?P<data>.*)' with GS1 AI \((?P<ai>\d+)\)", re.S)
_UNKNOWN = re.compile(r"Unknown GS1 Application Identifier '(?P<ai>[^']*)'")


def _explain(error: str, text: str) -> str:
    """biip's message, said with the AI's name and the value at fault."""
    if match := _PATTERN.search(error):
        ai, data = match["ai"], match["data"][len(match["ai"]):]
        title = _title(ai)
        if ai in {"11", "12", "13", "15", "16", "17"}:
            return f"AI {ai} ({title}): {data!r} is not a date YYMMDD"
        return f"AI {ai} ({title}): {data!r} does not fit the format {_format(ai)}"
    if match := _UNKNOWN.search(error):
        return f"unknown GS1 Application Identifier ({match['ai']})"
    if "start with a parenthesis" in error:
        return f"not a GS1 element string: {_clip(text)} (expected \"(01)<GTIN>…\" or a raw code)"
    if error.startswith("Failed to get GS1 Application Identifier from"):
        rest = error.split("from", 1)[1].strip().rstrip(".").strip("'")
        if rest == text:
            return f"not a GS1 element string: {_clip(text)}"
        return f"no GS1 Application Identifier at {_clip(rest)} (the code is truncated or garbled)"
    return f"not a GS1 element string ({_clip(error)})"


def _title(ai: str) -> str:
    from biip.gs1_application_identifiers import GS1ApplicationIdentifier

    found = GS1ApplicationIdentifier.extract(ai)
    return found.data_title if found is not None else ai


def _format(ai: str) -> str:
    from biip.gs1_application_identifiers import GS1ApplicationIdentifier

    found = GS1ApplicationIdentifier.extract(ai)
    return found.format if found is not None else "?"


def _clip(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[:width] + "…")
