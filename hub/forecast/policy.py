"""The reorder policy: periodic review, order up to a demand quantile, in whole packs.

At each review (every ``review_period_days``) the inventory position
(on hand + on order - reserved) is compared with the target: the
``service_level`` quantile of demand over the protection interval, the
calendar days until this order arrives plus the review period (the next
order's chance). The difference, rounded up to whole packs and to at least
the minimum order, is suggested, with the last day it can be placed before
stock falls into the safety stock: the day the stock is expected to reach
the reorder point of hub/inventory/reorder.py (the model the
``below_reorder_point`` alert uses too, with the safety stock taken from
the forecast's quantile here). Every parameter is explained in
docs/forecasting.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from hub.config import MON_FRI, ReorderPolicy, SupplierTerms
from hub.forecast.wording import ReasonFacts, reason
from hub.i18n import Translator
from hub.inventory.reorder import cover_days, safety_from_quantile

__all__ = [
    "MON_FRI",
    "ReorderPolicy",
    "Suggestion",
    "SupplierTerms",
    "arrival",
    "order_by",
    "pack_quantity",
    "protection",
    "suggest",
]

def arrival(order_day: date, lead_days: int, working_days: tuple[int, ...] = MON_FRI) -> date:
    """Delivery day of an order placed on ``order_day``: ``lead_days`` supplier working days later."""
    day = order_day
    remaining = max(int(lead_days), 0)
    if not working_days:
        raise ValueError("a supplier needs at least one working day")
    while remaining:
        day += timedelta(days=1)
        if day.weekday() in working_days:
            remaining -= 1
    while day.weekday() not in working_days:  # lead time 0 on a day off: the next working day
        day += timedelta(days=1)
    return day


def pack_quantity(need: float, pack_size: int, min_units: int = 0, min_packs: int = 1) -> int:
    """Units to order for a need: whole packs, at least the minimum order; 0 when nothing is needed."""
    if need <= 0:
        return 0
    pack = max(int(pack_size), 1)
    packs = max(math.ceil(need / pack - 1e-9), min_packs, math.ceil(min_units / pack))
    return packs * pack


def order_by(today: date, position: float, safety: float, rate: float, lead_days: int,
             order_days: tuple[int, ...] = MON_FRI, working_days: tuple[int, ...] = MON_FRI) -> date:
    """The last order day whose delivery arrives before stock is expected to fall to the safety stock."""
    if rate <= 0:
        return today
    cover = cover_days(position, safety, rate)
    runs_low = today + timedelta(days=cover)
    day = runs_low
    while day > today:
        if day.weekday() in order_days and arrival(day, lead_days, working_days) <= runs_low:
            return day
        day -= timedelta(days=1)
    return today


@dataclass(frozen=True)
class Suggestion:
    quantity: int
    packs: int
    order_by: date
    target: float  # order-up-to level: the demand quantile over the protection interval
    safety: float
    protection_days: int
    arrival: date
    reason: str  # English, for the API; the page says it again in the reader's language from ``facts``
    facts: ReasonFacts | None = None


def suggest(today: date, *, rate: float, expected: float, quantile: float, on_hand: int, on_order: int,
            reserved: int, pack_size: int, lead_days: int, review_days: int, level: float,
            min_units: int = 0, min_packs: int = 1, order_days: tuple[int, ...] = MON_FRI,
            working_days: tuple[int, ...] = MON_FRI) -> Suggestion:
    """One SKU's suggestion from its demand forecast over the protection interval.

    ``expected``/``quantile``: mean and ``level`` quantile of demand over the
    protection interval, computed by the caller for :func:`protection` days.
    """
    arrives = arrival(today, lead_days, working_days)
    protection = (arrives - today).days + review_days
    on_hand = max(int(on_hand), 0)
    position = on_hand + on_order - reserved
    target = max(quantile, 0.0)
    safety = safety_from_quantile(expected, target)
    quantity = pack_quantity(target - position, pack_size, min_units, min_packs)
    packs = quantity // max(pack_size, 1)
    by = order_by(today, position, safety, rate, lead_days, order_days, working_days) if quantity else today
    facts = ReasonFacts(today, rate, lead_days, arrives, on_hand, on_order, reserved, quantity, pack_size, by,
                        protection, level, target)
    return Suggestion(quantity, packs, by, target, safety, protection, arrives, reason(facts, Translator("en")), facts)


def protection(today: date, lead_days: int, review_days: int, working_days: tuple[int, ...] = MON_FRI) -> int:
    """Calendar days an order placed today must cover: until it arrives, plus the review period."""
    return (arrival(today, lead_days, working_days) - today).days + review_days
