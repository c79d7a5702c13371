"""The reorder point is one model: the alert's point and the suggestions' order-by date come from it.

Pure functions (hub/inventory/reorder.py, hub/forecast/policy.py), checked
over generated cases with hypothesis. The order-by days use quarter rates
and whole units, so the float arithmetic is exact and a boundary is a
boundary; the alert's point is checked against exact fractions.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from hub.forecast.policy import order_by
from hub.inventory.records import Product
from hub.inventory.reorder import ReorderModel, point, reorder_level

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
TODAY = date(2026, 3, 2)


@given(position=st.integers(0, 500), quarters=st.integers(1, 80), safety=st.integers(0, 50), lead=st.integers(0, 20))
def test_the_order_by_day_is_the_last_day_stock_stays_at_or_above_the_reorder_point(
        position: int, quarters: int, safety: int, lead: int) -> None:
    rate = quarters / 4
    level = reorder_level(rate, lead, safety)
    by = order_by(TODAY, position, safety, rate, lead, EVERY_DAY, EVERY_DAY)
    days = (by - TODAY).days
    if days > 0:
        assert position - rate * days >= level, "ordering on that day still arrives before the safety stock"
    assert position - rate * (days + 1) < level, f"the next day ({by + timedelta(days=1)}) was early enough too"


@given(sold=st.integers(1, 400), lead=st.integers(0, 30), factor_tenths=st.integers(0, 30))
def test_the_alert_point_is_lead_time_demand_plus_its_safety_stock(sold: int, lead: int, factor_tenths: int) -> None:
    model = ReorderModel(rate_window_days=28, safety_factor=factor_tenths / 10)
    product = Product("03760000000024", "Huile", 849, 1000.0, "A3", "B1", lead, None)
    days = max(lead, 1)
    found = point(model, product, lambda: sold / 28)
    demand = Fraction(sold, 28) * days  # exact: the demand over the lead time, then its safety stock
    assert found.units == math.ceil(demand + demand * Fraction(factor_tenths, 10))
    assert point(model, Product("03760000000024", "Huile", 849, 1000.0, "A3", "B1", lead, 7), lambda: sold / 28) == (
        7, "set by staff")
