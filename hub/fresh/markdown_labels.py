"""Shelf labels of approved markdowns: the GS1 element string the till scans, an A4 sheet to print, or ZPL.

The element string (``markdown_label_data``) carries the product (AI 01), the
lot's date (AI 17 use-by, 15 best-before), its lot (AI 10) and the price to pay
(AI 3922, two implied decimals): the till that scans it sells that unit at that
price and sends the lot and date on the receipt line. On the sheet it is printed
as text and as a GS1-128 barcode drawn by python-barcode (an SVG, embedded in
the page: nothing is fetched); in ZPL the printer draws it (``^BC`` mode D, as
hub/tags/zpl.py draws a GTIN, whose text cleaning is reused).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Mapping
from datetime import date
from html import escape
from typing import Any

from babel.dates import format_date

from hub.i18n import money, translate
from hub.i18n.catalog import locale
from hub.tags import zpl

#: GS1's FNC1, which ends a variable-length field (the lot) inside a GS1-128 symbol
FNC1 = "\xf1"


def _date_ai(date_kind: str | None) -> str:
    return "15" if date_kind == "best_before" else "17"


def markdown_label_data(gtin: str, expiry: date | str, lot: str, price_cents: int,
                        date_kind: str | None = "use_by") -> str:
    """``(01)<gtin14>(17)<yymmdd>(10)<lot>(3922)<price>``: the human-readable element string of a reduced unit
    (AI 15 instead of 17 for a best-before date; no AI 10 when the lot is unknown, ``''``)."""
    if not gtin.isdigit() or len(gtin) > 14:
        raise ValueError(f"GTIN {gtin!r}: up to 14 digits")
    if price_cents < 0:
        raise ValueError(f"price {price_cents}: cannot be negative")
    day = date.fromisoformat(expiry) if isinstance(expiry, str) else expiry
    lot_part = f"(10){lot}" if lot else ""
    return f"(01){gtin.zfill(14)}({_date_ai(date_kind)}){day:%y%m%d}{lot_part}(3922){price_cents}"


def barcode_data(element_string: str) -> str:
    """The element string as a GS1-128 symbol encodes it: no parentheses, FNC1 after the variable-length lot."""
    out = element_string.replace("(3922)", FNC1 + "3922") if "(10)" in element_string else element_string
    return out.replace("(", "").replace(")", "")


def barcode_svg(element_string: str) -> str:
    """A GS1-128 barcode of the element string, as an SVG document (python-barcode)."""
    from barcode.codex import Gs1_128  # here: the hub's start does not need python-barcode
    from barcode.writer import SVGWriter

    symbol = Gs1_128(barcode_data(element_string), writer=SVGWriter())
    out = io.BytesIO()
    symbol.write(out, options={"write_text": False, "module_height": 12.0, "module_width": 0.25,
                               "quiet_zone": 2.0})
    return out.getvalue().decode()


def _date_text(row: Mapping[str, Any], lang: str) -> str:
    day = format_date(date.fromisoformat(row["expiry"]), "d MMMM yyyy", locale=locale(lang))
    code = "markdowns.label_best_before" if row["date_kind"] == "best_before" else "markdowns.label_use_by"
    return translate(code, lang, date=day)


def element_string(row: Mapping[str, Any]) -> str:
    return markdown_label_data(row["gtin"], row["expiry"], row["lot"] or "", row["price_cents"], row["date_kind"])


def sheet_html(rows: Iterable[Mapping[str, Any]], lang: str) -> str:
    """An A4 sheet of labels (3 x 7, 70 x 42 mm), one per markdown: name, old price struck, new price, % off,
    date, lot, the barcode and its text. Styled by /dashboard/static/markdowns.css (its print rules)."""
    labels = []
    for row in rows:
        data = element_string(row)
        image = base64.b64encode(barcode_svg(data).encode()).decode()
        lot = f'<p class="md-lot">{escape(translate("markdowns.label_lot", lang, lot=row["lot"]))}</p>' \
            if row["lot"] else ""
        labels.append(
            '<article class="md-label">'
            f'<p class="md-banner">{escape(translate("markdowns.anti_waste", lang))}</p>'
            f'<h2 class="md-name">{escape(row["name"] or row["gtin"])}</h2>'
            f'<p class="md-prices"><s class="md-was">{escape(money(row["regular_cents"], lang))}</s> '
            f'<strong class="md-now">{escape(money(row["price_cents"], lang))}</strong> '
            f'<span class="md-off">{escape(translate("markdowns.label_off", lang, pct=row["discount_pct"]))}</span></p>'
            f'<p class="md-date">{escape(_date_text(row, lang))}</p>{lot}'
            f'<img class="md-code" alt="{escape(data)}" src="data:image/svg+xml;base64,{image}">'
            f'<p class="md-data">{escape(data)}</p></article>')
    title = escape(translate("markdowns.sheet_title", lang))
    return (f'<!doctype html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="stylesheet" href="/dashboard/static/markdowns.css"></head>'
            f'<body class="md-sheet-page"><main class="md-sheet">{"".join(labels)}</main></body></html>\n')


def label_zpl(row: Mapping[str, Any], lang: str) -> str:
    """One 2-inch label in ZPL II: name, the old price struck through, the new price, % off, date and lot, the
    GS1-128 barcode of the element string."""
    was = zpl._text(money(row["regular_cents"], lang), 16)
    off = zpl._text(translate("markdowns.label_off", lang, pct=row["discount_pct"]), 12)
    lot = f"  {zpl._text(translate('markdowns.label_lot', lang, lot=row['lot']), 20)}" if row["lot"] else ""
    return "\n".join([
        "^XA", "^CI28", f"^PW{zpl.LABEL_WIDTH_DOTS}",
        f"^FO20,15^A0N,28,28^FD{zpl._text(row['name'] or row['gtin'], zpl.NAME_CHARS)}^FS",
        f"^FO20,52^A0N,26,26^FD{was}^FS",
        f"^FO20,63^GB{14 * len(was)},3,3^FS",  # the line through the old price
        f"^FO20,90^A0N,56,56^FD{zpl._text(money(row['price_cents'], lang), 16)}^FS",
        f"^FO250,100^A0N,36,36^FD{off}^FS",
        f"^FO20,155^A0N,20,20^FD{zpl._text(_date_text(row, lang), 40)}{lot}^FS",
        f"^FO20,185^BY2^BCN,70,Y,N,N,D^FD{element_string(row)}^FS",
        "^XZ",
    ]) + "\n"


def labels_zpl(rows: Iterable[Mapping[str, Any]], lang: str) -> str:
    return "".join(label_zpl(row, lang) for row in rows)
