"""A suggestion's reason in the page's language (French or English), from the facts the run stored.

The reorder run writes each reason in English (the API's ``reason``). The
``/reorder`` page says it again in the reader's language, from the dashboard's
label catalogs (``hub/web/i18n``) and the figures kept with the suggestion and
its forecast. The page only shows the translation when this module's English
wording equals the stored reason, so a page can never show other figures than
the run's.

A suggestion's notes (an odd history, an unknown stock: written by
``demand``, ``backtest`` and ``planner``) are said again the same way: each
note is read back against the English labels ``note_*`` and, when every
note is recognised, written out with the reader's labels and the same
figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from hub.web.i18n import catalog

Translate = Callable[..., str]


@dataclass(frozen=True)
class ReasonFacts:
    today: date  # the day of the run
    rate: float  # forecast units per day
    lead_days: int  # supplier working days
    arrives: date  # delivery day of an order placed on ``today``
    on_hand: int
    on_order: int
    reserved: int
    quantity: int  # suggested units (0: no order)
    pack_size: int
    order_by: date
    protection_days: int
    level: float  # service level
    target: float  # demand quantile over the protection interval


def rate_words(rate: float, t: Translate) -> str:
    if rate >= 1.5:
        return t("reason_rate_day", n=round(rate))
    if rate >= 0.75:
        return t("reason_rate_one_a_day")
    if rate * 7 >= 1:
        return t("reason_rate_week", n=round(rate * 7))
    if rate > 0:
        return t("reason_rate_every", n=round(1 / rate))
    return t("reason_rate_none")


def reason(f: ReasonFacts, t: Translate) -> str:
    """The reason sentence, its words from ``t`` (a :class:`hub.web.i18n.Translator`)."""
    stock = t("reason_in_stock", n=f.on_hand)
    if f.on_order:
        stock += t("reason_on_order", n=f.on_order)
    if f.reserved:
        stock += t("reason_reserved", n=f.reserved)
    lead = t("reason_lead_one") if f.lead_days == 1 else t("reason_lead", n=f.lead_days)
    if (f.arrives - f.today).days != f.lead_days:
        lead += t("reason_delivery", day=t(f"weekday_{f.arrives.weekday()}"))
    head = f"{rate_words(f.rate, t)}, {lead}, {stock}"
    pct = f"{f.level:.0%}".rstrip("%")
    target = f"{f.target:.0f}"
    if not f.quantity:
        return t("reason_no_order", head=head, days=f.protection_days, pct=pct, target=target)
    packs = f.quantity // max(f.pack_size, 1)
    pack_words = t("reason_packs_one") if packs == 1 else t("reason_packs", n=packs)
    if f.pack_size > 1:
        pack_words += t("reason_pack_of", size=f.pack_size)
    when = (t("reason_today") if f.order_by == f.today else
            t("reason_by", day=t(f"weekday_{f.order_by.weekday()}"), date=f.order_by.isoformat()))
    return t("reason_order", head=head, quantity=f.quantity, packs=pack_words, when=when, days=f.protection_days,
             pct=pct, target=target)


@lru_cache(maxsize=1)
def _note_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each English ``note_*`` label as a pattern whose named groups are its ``{fields}``."""
    patterns = []
    for key, text in catalog("en").items():
        if key.startswith("note_"):
            parts = re.split(r"\{(\w+)\}", text)  # literal, field, literal, field, ...
            body = "".join(re.escape(p) if i % 2 == 0 else rf"(?P<{p}>[-\w]+)" for i, p in enumerate(parts))
            patterns.append((re.compile(body), key))
    return tuple(patterns)


def notes(text: str, t: Translate) -> str | None:
    """The run's ``; ``-separated English notes in ``t``'s words; None if one of them is not a known note."""
    said = []
    for note in text.split("; "):
        for pattern, key in _note_patterns():
            if (match := pattern.fullmatch(note)) is not None:
                said.append(t(key, **match.groupdict()))
                break
        else:
            return None
    return t("notes_separator").join(said)
