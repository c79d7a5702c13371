"""The reorder point: the one model behind the ``below_reorder_point`` alert and the reorder suggestions.

An order must leave when the stock falls to the demand expected over the
lead time plus a safety stock: then it arrives as the shelf reaches the
safety stock. Both callers compute it here from the same three parameters,
a daily demand rate, a lead time in days, and a safety stock in units:

* the alert (:meth:`ReorderModel.point`, after every batch) takes the rate
  from the last ``rate_window_days`` of sales, the catalog's lead time, and
  a safety stock of ``safety_factor`` times the lead-time demand: it runs
  per SKU per batch and has no forecast to hand;
* the suggestions (hub/forecast/policy.py, once a day) take the rate from
  the chosen forecast, the lead time from the supplier's working days, and a
  safety stock from the forecast's ``service_level`` quantile; they then
  size an order, which this module does not.

A point set by staff (``products.reorder_point``) overrides the computed one.
Every parameter is described in docs/fusion.md and docs/forecasting.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from hub.inventory.records import Product


class ReorderModel(BaseModel):
    """Parameters of the reorder point (``reorder:`` in the hub config, with the suggestions' policy)."""

    model_config = ConfigDict(extra="forbid")

    rate_window_days: int = Field(
        28, ge=1, le=365, description="days of sales the alert's daily rate is averaged over (no forecast to hand)")
    safety_factor: float = Field(
        0.5, ge=0, le=10, description="the alert's safety stock, as a share of the demand over the lead time")


class ReorderPoint(NamedTuple):
    """A SKU's reorder point (None: none can be computed) and why, in words; unpacks as ``point, why``."""

    units: int | None
    reason: str


def lead_time_demand(rate: float, lead_days: float) -> float:
    """Units expected to sell while an order travels."""
    return rate * lead_days


def reorder_level(rate: float, lead_days: float, safety: float) -> float:
    """The stock at which an order must leave to arrive as the stock reaches ``safety``."""
    return lead_time_demand(rate, lead_days) + safety


def cover_days(stock: float, safety: float, rate: float) -> int:
    """Whole days until ``stock`` selling at ``rate`` falls to the safety stock (``rate`` > 0)."""
    return math.floor(max(stock - safety, 0.0) / rate)


def safety_from_quantile(expected: float, quantile: float) -> float:
    """Safety stock of a forecast: how far its service-level quantile lies above the mean demand."""
    return max(quantile - expected, 0.0)


def point(model: ReorderModel, product: Product | None, rate: Callable[[], float]) -> ReorderPoint:
    """The alert's reorder point of ``product``; ``rate``: its units sold per day over ``rate_window_days``."""
    if product is None:
        return ReorderPoint(None, "not in the catalog")
    if product.reorder_point is not None:
        return ReorderPoint(product.reorder_point, "set by staff")
    daily = rate()
    if daily <= 0:
        return ReorderPoint(None, f"no sales in the last {model.rate_window_days} days")
    lead = max(product.lead_time_days, 1)
    safety = model.safety_factor * lead_time_demand(daily, lead)
    # whole units, up; a sum that is whole but for float rounding (93.00000000000001) stays whole
    return ReorderPoint(math.ceil(reorder_level(daily, lead, safety) - 1e-9), (
        f"{daily:.2f}/day over {model.rate_window_days} days x {product.lead_time_days} days lead time "
        f"+ {model.safety_factor:.0%} safety stock"
    ))
