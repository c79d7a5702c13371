"""What a lot is expected to bring in, with or without a markdown: the arithmetic of a suggestion (docs/markdowns.md).

Pure functions, no database: :mod:`hub.fresh.markdowns` reads the facts and
keeps the result.

- **Selling time** counts opening hours only (``fusion.silence.opening_hours``):
  a lot sells ``rate`` units per opening day, so the hours the shop is closed
  sell nothing. A ``best_before`` lot may be sold through its date's day (the
  window ends at midnight after it); a ``use_by`` lot until closing time on its
  date, never after.
- **Units sold** over a phase: ``E[min(Poisson(rate * mult * days), units)]``,
  ``mult = (1 - discount) ** elasticity``. Two phases (full price, then reduced)
  are exact without a convolution: the sum of two Poisson counts is a Poisson
  count, so ``E[sold in both] = E[min(Poisson(l1 + l2), units)]`` and the
  reduced phase sells that minus the full-price phase's ``E[min(Poisson(l1), units)]``.
- **Value** = full-price units x shelf price + reduced units x reduced price +
  units left at the end x the fallback's value per unit - units *taken from
  fresher lots* x the margin (shelf price - cost). An older lot marked down
  sells to shoppers who would otherwise have bought a fresher unit at full
  price: of its reduced sales, the share ``(rate - full_rate) / (rate * mult)``
  comes from them; the fresher unit they leave stays to be sold later (or
  ordered one fewer), so the shop loses that unit's margin, not its price.
  Without a cost there is no margin to lose and nothing is taken off.
- **Fallback**: ``donate`` for a best-before lot when ``fresh.markdowns.donate``
  (a best-before product may still be given after its date), worth
  ``donation_value_pct`` % of its cost (the shelf price when the cost is
  unknown); otherwise ``discard``, worth 0 (a use-by lot still there at closing
  on its date cannot be given any more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from hub.fresh.settings import MarkdownSettings

#: later starts weighed beyond "now": the opening of each of the next days, at most this many
MAX_LATER_STARTS = 7


@dataclass(frozen=True, slots=True)
class LotFacts:
    """What the arithmetic needs to know about one lot."""

    units: int
    expiry: date
    date_kind: str  # use_by | best_before
    regular_cents: int
    cost_cents: int | None


@dataclass(frozen=True, slots=True)
class Option:
    """One way of selling a lot: ``discount_pct`` 0 is no markdown; units are expectations."""

    discount_pct: int
    start: float
    end: float
    price_cents: int
    full_units: float
    reduced_units: float
    leftover: float
    value_cents: int
    displaced: float = 0.0  # reduced units bought by shoppers who would have paid full price for a fresher unit

    @property
    def sold(self) -> float:
        return self.full_units + self.reduced_units


def expected_sold(mean: float, units: int) -> float:
    """``E[min(Poisson(mean), units)]``: the units a demand of ``mean`` takes from a stock of ``units``."""
    if mean <= 0 or units <= 0:
        return 0.0
    from scipy.stats import poisson  # here, not at the top: scipy.stats takes ~2 s to import at every hub start

    k = range(units)
    below = sum(i * p for i, p in zip(k, poisson.pmf(list(k), mean), strict=True))
    return float(below + units * poisson.sf(units - 1, mean))


def window_end(expiry: date, date_kind: str, zone: tzinfo, hours: tuple[time, time]) -> float:
    """The last moment the lot may be sold (Unix seconds): closing time on a use-by date, midnight after a
    best-before date (or a use-by date when the shop closes after midnight)."""
    opens, closes = hours
    if date_kind == "use_by" and opens < closes:
        return datetime.combine(expiry, closes, zone).timestamp()
    return datetime.combine(expiry + timedelta(days=1), time(0, 0), zone).timestamp()


def open_days(start: float, end: float, zone: tzinfo, hours: tuple[time, time]) -> float:
    """Opening days between two moments: each day's opening hours inside ``[start, end]`` over a full day's
    opening hours. A shop open past midnight (closes before it opens) counts calendar time."""
    if end <= start:
        return 0.0
    opens, closes = hours
    if opens >= closes:
        return (end - start) / 86400.0
    day = datetime.fromtimestamp(start, zone).date()
    last = datetime.fromtimestamp(end, zone).date()
    total = 0.0
    while day <= last:
        first_s = datetime.combine(day, opens, zone).timestamp()
        last_s = datetime.combine(day, closes, zone).timestamp()
        total += max(0.0, min(end, last_s) - max(start, first_s)) / (last_s - first_s)
        day += timedelta(days=1)
    return total


def fallback(lot: LotFacts, settings: MarkdownSettings) -> tuple[str, int]:
    """What the units left at the end become, and their value per unit in cents."""
    if settings.donate and lot.date_kind == "best_before":
        basis = lot.cost_cents if lot.cost_cents is not None else lot.regular_cents
        return "donate", round(basis * settings.donation_value_pct / 100)
    return "discard", 0


def starts(now: float, end: float, zone: tzinfo, hours: tuple[time, time]) -> list[float]:
    """When a markdown may start: now, or at opening on each following day before the window ends."""
    found = [now]
    day = datetime.fromtimestamp(now, zone).date()
    for _ in range(MAX_LATER_STARTS):
        day += timedelta(days=1)
        at = datetime.combine(day, hours[0], zone).timestamp()
        if at >= end:
            break
        found.append(at)
    return found


def options(lot: LotFacts, full_rate: float, reduced_rate: float, elasticity: float, settings: MarkdownSettings,
            now: float, zone: tzinfo, hours: tuple[time, time]) -> tuple[Option, list[Option]]:
    """The no-markdown option and every (discount, start) one, for a lot that sells ``full_rate`` units a day at
    its shelf price and ``reduced_rate * (1 - d) ** elasticity`` while marked down by ``d``."""
    end = window_end(lot.expiry, lot.date_kind, zone, hours)
    _, per_unit = fallback(lot, settings)
    price = lot.regular_cents
    margin = max(price - lot.cost_cents, 0) if lot.cost_cents is not None else 0

    def valued(discount: int, start: float, full: float, reduced: float, reduced_price: int,
               displaced: float = 0.0) -> Option:
        leftover = max(0.0, lot.units - full - reduced)
        value = full * price + reduced * reduced_price + leftover * per_unit - displaced * margin
        return Option(discount, start, end, reduced_price, full, reduced, leftover, round(value), displaced)

    whole = open_days(now, end, zone, hours)
    none = valued(0, now, expected_sold(full_rate * whole, lot.units), 0.0, price)
    found = []
    for start in starts(now, end, zone, hours):
        before = full_rate * open_days(now, start, zone, hours)
        after_days = open_days(start, end, zone, hours)
        full = expected_sold(before, lot.units)
        for pct in settings.discounts_pct:
            ratio = 1 - pct / 100
            mult = ratio ** elasticity
            both = expected_sold(before + reduced_rate * mult * after_days, lot.units)
            taken = max(reduced_rate - full_rate, 0.0) / (reduced_rate * mult) if reduced_rate > 0 else 0.0
            found.append(valued(pct, start, full, both - full, round(price * ratio), (both - full) * min(taken, 1.0)))
    return none, found
