"""Each figure of the shop's numbers on a small week built by hand (tests/kpis/shop.py), checked against sums
worked out by hand: the function must find exactly the rows the definition names, and no other."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from hub.kpis import forecast_accuracy, money, report, stock
from hub.kpis.period import KpiError, Period
from tests.kpis.shop import NOW, PARIS, WEEK, build


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return build(tmp_path / "hub.sqlite")


@pytest.fixture
def week() -> Period:
    return Period.week(WEEK, PARIS)


def test_the_week_is_monday_to_sunday_from_midnight_in_the_shops_zone(week: Period) -> None:
    assert (week.first.isoformat(), week.last.isoformat()) == ("2026-11-23", "2026-11-29")
    assert week.start == 1795388400.0  # 2026-11-23 00:00 in Paris = 22 Nov 23:00 UTC
    assert week.end - week.start == 7 * 86400


@pytest.mark.parametrize(("first", "last", "week", "field"), [
    ("2026-11-30", "2026-11-23", None, "last"), ("23/11/2026", "2026-11-29", None, "first"),
    ("2025-01-01", "2026-11-29", None, "last"), (None, None, "2026-48", "week"), (None, None, "2026-W54", "week"),
    ("9999-12-31", "9999-12-31", None, "first"), ("0001-01-01", "0001-01-02", None, "first"),
    (None, None, "9999-W52", "week"), (None, None, "0000-W01", "week")])
def test_a_period_that_cannot_be_read_names_its_field(first: str | None, last: str | None, week: str | None,
                                                      field: str) -> None:
    with pytest.raises(KpiError) as caught:
        Period.week(week, PARIS) if week else Period.parse(first or "", last or "", PARIS)
    assert caught.value.field == field


def test_sales_count_the_weeks_lines_only(db: sqlite_utils.Database, week: Period) -> None:
    """8 lines in the week: 600 + 300 + 600 + 200 + 200 + 100 + 150 + 150 = 2300 cents, 14 units, 6 receipts;
    the lines half an hour after and one minute before the week are left out."""
    revenue, units, receipts = money.sales(db, week)
    assert (revenue.value, units.value, receipts.value) == (2300, 14, 6)


def test_waste_value_and_rate(db: sqlite_utils.Database, week: Period) -> None:
    """Waste: expired 240 + damaged 300 (B, no cost: valued at shelf price) = 540; the donation and next
    week's row are not in it. Sold at cost: A 7 x 120 + B 2 x 300 (no cost) + C 5 x 50 = 1690; rate 540 / 2230."""
    waste = money.waste_value(db, week)
    assert waste.value == 540
    assert waste.parts == {"units": 3, "rows": 2, "rows_without_cost": 1}
    rate = money.waste_rate(db, week)
    assert rate.value == pytest.approx(540 / 2230)
    assert rate.parts["sold_at_cost_cents"] == 1690
    assert rate.parts["sold_products_without_cost"] == 1


def test_revenue_net_of_waste(db: sqlite_utils.Database, week: Period) -> None:
    """2300 of revenue less 540 of waste; donations are not waste."""
    assert report.build(db, week, NOW).figure("revenue_net_of_waste").value == 1760


def test_donations_apart(db: sqlite_utils.Database, week: Period) -> None:
    assert money.donations(db, week).value == 150
    assert money.donations(db, week).parts == {"units": 3, "rows": 1, "rows_without_cost": 0}


def test_shrink_counts_exits_whose_item_did_not_come_back(db: sqlite_utils.Database, week: Period) -> None:
    """Exits e1 (A, 200, open) and e2 (C, 150, resolved by staff) count; e3 came back (resolved by the hub);
    e4 is of a product the catalog lacks (counted, no value); e5 was before the week."""
    found = money.shrink(db, week)
    assert found.value == 350
    assert found.parts == {"exits": 3, "came_back": 1, "items_without_price": 1}


def test_money_recovered_by_markdowns_is_the_approved_markdowns_sales_only(db: sqlite_utils.Database,
                                                                           week: Period) -> None:
    """Lot 1's approved markdown (1.00 from 08:00 to 20:00 on Wednesday): the 2 units at 1.00 at 09:00 count;
    the unit at full price and the one at 21:00 do not; lot 2's markdown was only suggested."""
    found = money.markdown_recovered(db, week)
    assert (found.value, found.parts["units"], found.parts["lines"]) == (200, 2, 1)


def test_availability_is_time_with_units_on_the_shelf(db: sqlite_utils.Database, week: Period) -> None:
    """A: shelf empty from Wednesday 00:00 to 12:00 (12 h of 168); C (no shelf figure: on hand) empty from
    Thursday 00:00 to the end, 96 h of 168; B has no history and is not observed. (336 - 108) / 336."""
    available, stockout = stock.availability(db, week, NOW)
    assert available.value == pytest.approx(228 / 336)
    assert stockout.value == pytest.approx(108 / 336)
    assert available.parts == {"products": 2, "observed_hours": 336.0, "out_hours": 108.0, "out_of_stock_alerts": 1}


def test_availability_stops_at_now_during_the_week(db: sqlite_utils.Database, week: Period) -> None:
    """On Wednesday 12:00 the week so far is 60 h per product: A out 12 h, C never: 108 / 120."""
    from tests.kpis.shop import WED, at

    assert stock.availability(db, week, at(WED, 12))[0].value == pytest.approx(108 / 120)


def test_inventory_accuracy_counts_accepted_counts_of_the_period(db: sqlite_utils.Database, week: Period) -> None:
    """Count 1 (accepted Wednesday): A 10 = 10, B 5 vs 3 (2 x 3.00 short), C had no expected figure; the
    cancelled count and last week's are left out."""
    found = stock.inventory_accuracy(db, week)
    assert found.value == 0.5
    assert found.parts == {"lines": 2, "exact": 1, "variance_cents": 600, "net_variance_cents": -600}


def test_turnover_and_days_of_cover_per_category(db: sqlite_utils.Database, week: Period) -> None:
    """Dairy: sold A 7 x 120 + B 2 x 300 = 1440 at cost; stock A 10 units all week x 120 = 1200 (B has no
    history): turnover 1.2; 10 units now / (9 sold / 7 days) = 7.78 days. Bakery: 5 x 50 = 250 over a mean of
    8 units for 72 h of 168 (3.43 units x 50 = 171.4): 1.458; none left: 0 days of cover."""
    rows = {row["category"]: row for row in stock.by_category(db, week, NOW)}
    assert rows["dairy"]["turnover"] == pytest.approx(1.2)
    assert rows["dairy"]["days_of_cover"] == pytest.approx(70 / 9)
    assert rows["dairy"]["products_without_cost"] == 1
    assert rows["bakery"]["turnover"] == pytest.approx(250 / (8 * 72 / 168 * 50))
    assert rows["bakery"]["days_of_cover"] == 0


def test_forecast_wape_pairs_the_stored_forecast_with_the_days_that_followed(db: sqlite_utils.Database,
                                                                              week: Period) -> None:
    """Run on Tuesday, horizon 3 (Tue, Wed, Thu). A forecast 2/day, sold 0, 4, 0: errors 2 + 2 + 2; C forecast
    1/day, sold 4, 0, 0: 3 + 1 + 1. WAPE = 11 / 8 over n = 6 product-days."""
    found = forecast_accuracy.forecast_wape(db, week, NOW)
    assert found.value == pytest.approx(11 / 8)
    assert found.parts["n"] == 6


def test_a_period_without_records_has_no_rates_rather_than_zero(db: sqlite_utils.Database) -> None:
    empty = report.build(db, Period.week("2026-W40", PARIS), NOW)
    assert empty.figure("revenue").value == 0
    assert empty.figure("waste_rate").value is None
    assert empty.figure("inventory_accuracy").value is None
    assert empty.figure("forecast_wape").value is None
    assert report.said(None, "fraction", "fr") == "—"


def test_the_daily_series_puts_each_line_on_its_shop_day(db: sqlite_utils.Database, week: Period) -> None:
    days = money.daily(db, week)
    assert [d["revenue_cents"] for d in days] == [900, 600, 500, 150, 0, 0, 150]
    assert [d["waste_cents"] for d in days] == [0, 240, 0, 300, 0, 0, 0]


def test_figures_are_said_by_babel_in_each_language() -> None:
    assert report.said(2300, "cents", "fr") == "23,00\xa0€"
    assert report.said(2300, "cents", "en") == "€23.00"
    assert report.said(0.2421, "fraction", "en") == "24.2%"
    assert report.said(0.2421, "fraction", "fr") == "24,2\u00a0%"  # French: a space before %
