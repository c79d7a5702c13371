"""Reorder arithmetic against hand-worked cases, and awkward histories that must not crash or order negatively."""

from __future__ import annotations

from datetime import date

import numpy as np

from hub.forecast.backtest import run_backtest
from hub.forecast.demand import read_long_csv
from hub.forecast.planner import Inputs, Sku, compute
from hub.forecast.policy import ReorderPolicy, arrival, order_by, pack_quantity, protection, suggest

MONDAY, THURSDAY, FRIDAY = date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 6)


def test_pack_rounding_and_minimum_order() -> None:
    assert pack_quantity(13, 6) == 18  # 13 needed -> 3 packs of 6
    assert pack_quantity(12, 6) == 12
    assert pack_quantity(0.2, 6) == 6
    assert pack_quantity(0, 6) == 0 and pack_quantity(-5, 6) == 0  # never a negative order
    assert pack_quantity(4, 6, min_units=20) == 24  # minimum 20 units -> 4 packs
    assert pack_quantity(1, 1, min_packs=3) == 3


def test_lead_time_counts_supplier_working_days_across_the_weekend() -> None:
    assert arrival(MONDAY, 3) == date(2026, 3, 5)  # Thursday
    assert arrival(THURSDAY, 3) == date(2026, 3, 10)  # Fri, (weekend), Mon, Tue
    assert protection(THURSDAY, 3, 7) == 5 + 7
    assert arrival(date(2026, 3, 7), 0) == date(2026, 3, 9)  # a Saturday order with no lead time: Monday
    assert arrival(FRIDAY, 1, working_days=(0, 1, 2, 3, 4, 5)) == date(2026, 3, 7)  # supplier works Saturdays


def test_order_by_is_the_last_order_day_whose_delivery_comes_in_time() -> None:
    # 30 in position, 6 safety, 3 a day: falls to safety stock after 8 days (Tuesday 10th)
    # Friday's order (3 working days) arrives Wednesday 11th: too late; Thursday's arrives Tuesday: in time
    assert order_by(MONDAY, 30, 6, 3, 3) == THURSDAY
    assert order_by(MONDAY, 5, 6, 3, 3) == MONDAY  # already below the safety stock: today


def test_hand_worked_suggestion() -> None:
    # sells 3 a day, 5 working days lead time from Monday (arrives next Monday, 7 days) + 7 days review = 14 days
    # expected 42, 95 % quantile 50; 6 in stock, nothing on order: need 44 -> 8 packs of 6 = 48
    s = suggest(
        MONDAY,
        rate=3.0,
        expected=42,
        quantile=50,
        on_hand=6,
        on_order=0,
        reserved=0,
        pack_size=6,
        lead_days=5,
        review_days=7,
        level=0.95,
    )
    assert (s.quantity, s.packs, s.protection_days, s.safety) == (48, 8, 14, 8)
    assert s.order_by == MONDAY
    assert s.reason.startswith(
        "sells about 3 a day, 5 working days lead time (delivery Monday), 6 in stock: order 48 (8 packs of 6) today"
    )
    # on order and reserved enter the position: 6 + 24 - 4 = 26 -> need 24 -> 4 packs
    s = suggest(
        MONDAY,
        rate=3.0,
        expected=42,
        quantile=50,
        on_hand=6,
        on_order=24,
        reserved=4,
        pack_size=6,
        lead_days=5,
        review_days=7,
        level=0.95,
    )
    assert s.quantity == 24 and "6 in stock, 24 on order, 4 reserved" in s.reason
    # enough stock: no order, and it says so
    s = suggest(
        MONDAY,
        rate=3.0,
        expected=42,
        quantile=50,
        on_hand=60,
        on_order=0,
        reserved=0,
        pack_size=6,
        lead_days=5,
        review_days=7,
        level=0.95,
    )
    assert s.quantity == 0 and "no order" in s.reason


def test_awkward_histories_are_explained_and_never_order_negative(tmp_path) -> None:
    days = [f"2026-01-{d:02d}" for d in range(1, 32)] + [f"2026-02-{d:02d}" for d in range(1, 29)]
    rows = ["unique_id,ds,y"]
    rows += [f"steady,{d},4" for d in days]
    rows += ["once,2026-02-10,2"]  # one sale ever
    rows += [f"gappy,{d},3" for i, d in enumerate(days) if not 20 <= i < 35]  # 15 days missing
    rows += [f"returns,{d},{-2 if i == 40 else 1}" for i, d in enumerate(days)]  # a return
    rows += [f"zero,{d},0" for d in days]  # rows, but no sales
    path = tmp_path / "sales.csv"
    path.write_text("\n".join(rows) + "\n")
    series = read_long_csv(path)
    assert "15 day(s) without rows counted as zero sales" in series["gappy"].notes
    assert series["gappy"].y[20:35].sum() == 0 and len(series["gappy"].y) == len(days)
    assert "1 row(s) with a negative quantity (returns) netted within their day" in series["returns"].notes
    assert series["returns"].y.min() == 0
    assert "a single day with sales: the forecast is rough" in series["once"].notes
    assert "no sales in the history" in series["zero"].notes

    result = run_backtest(series, horizon=7, n_windows=3)
    assert result.results["zero"].selected is None
    assert "nothing to choose a model with" in " ".join(result.results["once"].notes)

    skus = {uid: Sku(uid, uid, "épicerie", "Supplier", 6, 3) for uid in series}
    on_hand: dict[str, int | None] = {"steady": 0, "once": 0, "gappy": 2, "returns": -3, "zero": 0}
    inputs = Inputs(date(2026, 3, 2), skus, series, on_hand, {}, {})
    plan = compute(inputs, ReorderPolicy(backtest_windows=3, horizon_days=7))
    by_sku = {line.sku.gtin: line for line in plan.lines}
    for line in plan.lines:
        assert line.suggestion is not None and line.suggestion.quantity >= 0
        assert line.suggestion.quantity % 6 == 0
    # 4 a day over 10 days (Monday + 3 working days = Thursday, + 7 days review), none in stock: 40 -> 7 packs
    assert by_sku["steady"].suggestion.quantity == 42
    assert by_sku["zero"].suggestion.quantity == 0 and "has not sold lately" in by_sku["zero"].suggestion.reason
    assert "on hand read as -3: counted as 0" in by_sku["returns"].notes
    # stock unknown: no suggestion, and the reason
    inputs.on_hand["steady"] = None
    line = next(
        x for x in compute(inputs, ReorderPolicy(backtest_windows=3, horizon_days=7)).lines if x.sku.gtin == "steady"
    )
    assert line.suggestion is None and "stock unknown" in line.notes[-1]
    assert np.isfinite(line.rate)
