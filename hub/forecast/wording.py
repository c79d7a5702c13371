"""A suggestion's reason in any language, from the figures the run decided on.

The reorder run keeps, with each suggestion, the figures its reason speaks
of (:class:`ReasonFacts`, as JSON in ``reorder_suggestions.reason_facts``)
and its notes as message codes with parameters (``notes``); the ``/reorder``
page says them in the reader's language from the hub's catalog
(``hub.i18n``). The English sentence the API returns as ``reason`` is the
same function in English, so the page and the API can never give other
figures. Nothing is ever read back from a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from hub.i18n import Translator
from hub.i18n.message import loads

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

    def as_json(self) -> dict[str, Any]:
        """JSON's types only (a figure may arrive as a NumPy scalar)."""
        return {k: v.isoformat() if isinstance(v, date) else v.item() if hasattr(v, "item") else v
                for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReasonFacts:
        dates = {f.name for f in fields(cls) if f.type == "date"}
        return cls(**{k: date.fromisoformat(v) if k in dates else v for k, v in data.items()})


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
    """The reason sentence, its words from ``t`` (a :class:`hub.i18n.Translator`)."""
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


def for_reader(row: Mapping[str, Any], t: Translator) -> tuple[str, str, bool]:
    """A stored suggestion's reason and notes in ``t``'s language, and whether they are (else English).

    A row written before the run kept figures and codes (migration 9) has only
    its English ``reason``, notes included: it is shown as it is.
    """
    if not row.get("reason_facts"):
        return str(row["reason"]), "", False
    text = reason(ReasonFacts.from_json(json.loads(row["reason_facts"])), t)
    notes = t("notes_separator").join(note.text(t.lang) for note in loads(row.get("notes") or "[]"))
    return text, notes, True
