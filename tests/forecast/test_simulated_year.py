"""A simulated year of the shop where the hub's approved suggestions drive deliveries (tests/forecast/shopsim.py)."""

from __future__ import annotations

from datetime import date

from hub.forecast.policy import ReorderPolicy
from tests.forecast.shopsim import Shop, hub_reorder, min_max_reorder, shop_products, with_promotions

START = date(2025, 9, 1)


def test_a_year_of_hub_suggestions_fills_95_percent_with_less_stock_than_min_max() -> None:
    products = shop_products(5)
    hub = Shop(products, START).run(365, hub_reorder(products, ReorderPolicy(service_level=0.95, history_days=120)))
    assert hub.fill_rate >= 0.95, f"fill rate {hub.fill_rate:.3f}"

    # the fixed rule, tuned (bisection on its safety factor) to the smallest one that fills as well as the hub
    low, high = 0.1, 4.0
    for _ in range(12):
        middle = (low + high) / 2
        if Shop(products, START).run(365, min_max_reorder(products, middle)).fill_rate >= hub.fill_rate:
            high = middle
        else:
            low = middle
    fixed = Shop(products, START).run(365, min_max_reorder(products, high))
    assert fixed.fill_rate >= hub.fill_rate
    assert hub.average_stock < fixed.average_stock, (
        f"hub {hub.average_stock:.0f} units on average, min/max {fixed.average_stock:.0f} at the same fill rate"
    )
    print(
        f"hub: fill {hub.fill_rate:.3f}, stock {hub.average_stock:.0f}; min/max x{high:.2f}: "
        f"fill {fixed.fill_rate:.3f}, stock {fixed.average_stock:.0f}"
    )


def test_a_year_with_promotion_weeks_fills_them_when_the_hub_has_the_calendar() -> None:
    """The same shop, a promotion week (three times the demand) every eight weeks per product; staff either enter
    the promotions in the hub's calendar or not. Half a year of history, as a shop that started with the hub."""
    products = with_promotions(shop_products(5), START, 182 + 365)
    policy = ReorderPolicy(service_level=0.95, history_days=182)
    told = Shop(products, START, history_days=182).run(365, hub_reorder(products, policy, calendar=True))
    blind = Shop(products, START, history_days=182).run(365, hub_reorder(products, policy, calendar=False))
    print(f"with the calendar: fill {told.fill_rate:.3f}, promotion weeks {told.promotion_fill_rate:.3f}, stock "
          f"{told.average_stock:.0f}; without: fill {blind.fill_rate:.3f}, promotion weeks "
          f"{blind.promotion_fill_rate:.3f}, stock {blind.average_stock:.0f}")
    assert told.fill_rate >= 0.95
    assert told.promotion_fill_rate >= blind.promotion_fill_rate + 0.04
    # and with less stock: the promotion is ordered for when it comes, not carried as safety stock all year
    assert told.average_stock < 0.8 * blind.average_stock
