"""The assistant's sentences in French and English. Every figure in them is passed in from the hub's data.

Nothing here computes a number: prices, counts, aisles and times arrive as
values read from the database and are only written out, by Babel, in the
customer's language (``hub.i18n``); the sentences are the ``kiosk.*``
messages of the hub's catalog.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from hub.i18n import money, number, translate
from hub.i18n import time_of_day as _time_of_day
from hub.i18n.catalog import locale
from hub.inventory.facts import ProductFacts


def price(cents: int, lang: str) -> str:
    return money(cents, lang)


def time_of_day(seconds: float, zone: ZoneInfo, lang: str) -> str:
    return _time_of_day(seconds, zone, lang)


def place(f: ProductFacts, lang: str) -> str:
    return translate("kiosk.place", lang, aisle=f.aisle, shelf=f.shelf)


def label(f: ProductFacts) -> str:
    return f.name if f.brand.lower() in f.name.lower() else f"{f.name} ({f.brand})"


def shelf_state(f: ProductFacts, zone: ZoneInfo, lang: str, now: float, stale_s: float) -> str:
    """How many are on the shelf and when that was counted; or that the hub does not know."""
    if f.on_shelf is None or f.updated_at is None:
        return translate("kiosk.no_count", lang)
    if f.book:
        return book_state(f, zone, lang)
    when = time_of_day(f.updated_at, zone, lang)
    if f.on_shelf > 0:
        text = translate("kiosk.on_shelf", lang, n=f.on_shelf, time=when)
    else:
        text = translate("kiosk.none_on_shelf", lang, time=when)
        if f.in_backroom:
            text += translate("kiosk.in_backroom", lang)
    if now - f.updated_at > stale_s:
        text += translate("kiosk.count_old", lang)
    return text


def book_state(f: ProductFacts, zone: ZoneInfo, lang: str) -> str:
    """A figure from the shop's records, not a count: said as such, with the day of the count it runs from."""
    day = format_date(datetime.fromtimestamp(f.updated_at or 0.0, UTC).astimezone(zone), translate(
        "format.day", lang), locale=locale(lang))
    if f.on_shelf and f.on_shelf > 0:
        return translate("kiosk.book_stock", lang, n=f.on_shelf, day=day)
    return translate("kiosk.book_none", lang, day=day)


def summary(f: ProductFacts, lang: str) -> str:
    return translate("kiosk.summary", lang, label=label(f), place=place(f, lang), price=price(f.price_cents, lang))


def lead(intent: str, f: ProductFacts, lang: str) -> str:
    """The first sentence, shaped by what was asked."""
    if intent in ("where", "price"):
        return translate(f"kiosk.lead_{intent}", lang, label=label(f), place=place(f, lang),
                         price=price(f.price_cents, lang))
    if intent == "details":
        pack = translate("kiosk.pack_of", lang, n=f.pack_size) if f.pack_size > 1 else ""
        return translate("kiosk.lead_details", lang, name=f.name, brand=f.brand, category=f.category,
                         weight=number(f.unit_weight_g, lang), pack=pack, price=price(f.price_cents, lang),
                         place=place(f, lang))
    return summary(f, lang)


def message(key: str, lang: str, **values: str) -> str:
    """One of the fixed answers (``kiosk.<key>`` in the catalog)."""
    return translate(f"kiosk.{key}", lang, **values)
