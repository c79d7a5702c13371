"""Money, numbers and times of day as each language writes them, by Babel (CLDR data), never by hand.

The locale comes from the language's catalog (``fr`` writes as ``fr_FR``,
``en`` as ``en_GB``). A time of day follows the pattern the catalog gives
under ``format.time_of_day`` (``9h05`` in French, ``9:05`` in English), so a
language decides its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from decimal import Decimal

from babel.dates import format_time
from babel.numbers import format_currency, format_decimal

from hub.i18n.catalog import locale, translate

CURRENCY = "EUR"


def money(cents: int, lang: str, currency: str = CURRENCY) -> str:
    """``207`` -> ``2,07 €`` (a no-break space before the sign) in French, ``€2.07`` in English."""
    return format_currency(Decimal(cents) / 100, currency, locale=locale(lang))


def number(value: float, lang: str) -> str:
    """A measure (``12.5`` -> ``12,5`` in French); no thousands separator, so ``1000 g`` reads as one figure."""
    return format_decimal(value, locale=locale(lang), group_separator=False)


def time_of_day(seconds: float, zone: tzinfo, lang: str) -> str:
    """The hour and minute of a moment (Unix seconds) in ``zone``: ``9h05`` in French, ``9:05`` in English."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return format_time(moment, translate("format.time_of_day", lang), tzinfo=zone, locale=locale(lang))
