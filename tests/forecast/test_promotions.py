"""The promotion calendar: read and checked, and a planned promotion week forecast and ordered for."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pytest

from hub.forecast import promotions
from hub.forecast.backtest import frame, future_frame, run_backtest
from hub.forecast.demand import Series, write_long_csv
from hub.forecast.planner import Inputs, Sku, compute
from hub.forecast.policy import ReorderPolicy
from hub.forecast.predict import forecast

START = date(2025, 1, 6)  # a Monday
DAYS = 420
PLANNED = 3  # the planned promotion starts this many days after the first day forecast


def promoted(uid: str, seed: int, calendar: bool = True, planned: bool = True) -> Series:
    """About 5 a day, three times that in a promotion week every ~9 weeks, and one planned just ahead."""
    rng = np.random.default_rng(seed)
    y = rng.poisson(5.0, DAYS).astype(float)
    periods = []
    for first in range(20 + seed % 7, DAYS - 7, 63):
        y[first : first + 7] *= 3
        periods.append((START + timedelta(days=first), START + timedelta(days=first + 6)))
    end = START + timedelta(days=DAYS - 1)
    if planned:
        periods.append((end + timedelta(days=PLANNED + 1), end + timedelta(days=PLANNED + 7)))
    return Series(uid, START, y, promotions=periods if calendar else [])


def test_the_calendar_columns_mark_exactly_the_promotion_days() -> None:
    s = promoted("a", 0)
    df = frame([s], calendar=True)
    flagged = set(df.loc[df["promotion"] == 1, "ds"].dt.date)
    expected = {a + timedelta(days=i) for a, b in s.promotions for i in range((b - a).days + 1) if b <= s.end}
    assert flagged == expected and len(flagged) == 7 * 7
    assert (df.loc[df["ds"].dt.weekday == 0, "monday"] == 1).all() and df["monday"].sum() == DAYS // 7
    assert (df.loc[df["ds"].dt.weekday == 6, ["monday", "saturday"]] == 0).all().all()  # Sunday: the intercept
    ahead = future_frame([s], 14)
    assert ahead["ds"].iloc[0].date() == s.end + timedelta(days=1)
    assert ahead["promotion"].tolist() == [0.0] * PLANNED + [1.0] * 7 + [0.0] * (14 - PLANNED - 7)


def test_a_planned_promotion_is_forecast_from_the_products_earlier_ones() -> None:
    series = {f"p{i}": promoted(f"p{i}", i) for i in range(12)}
    result = run_backtest(series, horizon=14, n_windows=4, per_class=True)
    # the one model that reads the calendar does best on promoted products, and is chosen for them
    assert min(result.models, key=lambda name: result.models[name].mase) == "CalendarRegression"
    chosen = [r.selected for r in result.results.values()]
    assert chosen.count("CalendarRegression") >= 9, chosen
    forecasts = forecast(series, result, 14)
    for uid, fc in forecasts.items():
        if fc.model != "CalendarRegression":
            continue
        during = fc.mean[PLANNED : PLANNED + 7].mean()
        before = fc.mean[:PLANNED].mean()
        assert 4 <= before <= 6.5, (uid, fc.mean)
        assert during >= 2.3 * before, (uid, fc.mean)  # the lift is 3; the forecast sees most of it

    # the same sales without the calendar: the promotion weeks are noise and the next one is not seen coming
    blind = {uid: promoted(uid, i, calendar=False) for i, uid in enumerate(series)}
    result = run_backtest(blind, horizon=14, n_windows=4, per_class=True)
    for fc in forecast(blind, result, 14).values():
        assert fc.mean[PLANNED : PLANNED + 7].mean() < 1.3 * fc.mean[:PLANNED].mean()


def test_the_calendar_orders_for_the_promotion_instead_of_carrying_it_all_year() -> None:
    """Same sales, same stock. Without the calendar the promotion weeks are forecast errors, so every order
    carries a safety stock sized for a promotion; with it the promotion is expected demand, ordered for when
    one is planned, and the safety stock is what ordinary weeks need."""
    today = START + timedelta(days=DAYS)
    sku = {"p": Sku("p", "Pâte à tartiner", "épicerie", "Ferrero", 6, 2)}
    policy = ReorderPolicy(backtest_windows=4, horizon_days=14)
    lines = {}
    for calendar in (True, False):
        for planned in (True, False):
            series = {"p": promoted("p", 1, calendar=calendar, planned=planned)}
            lines[calendar, planned] = compute(Inputs(today, sku, series, {"p": 20}, {}, {}), policy).lines[0]
    ahead, blind = lines[True, True], lines[False, True]
    assert ahead.model == "CalendarRegression"
    assert ahead.suggestion is not None and blind.suggestion is not None
    expected_ahead = ahead.suggestion.target - ahead.suggestion.safety
    expected_blind = blind.suggestion.target - blind.suggestion.safety
    assert expected_ahead >= expected_blind + 25, (ahead.suggestion, blind.suggestion)
    assert ahead.suggestion.safety <= blind.suggestion.safety / 2
    assert ahead.suggestion.quantity >= blind.suggestion.quantity - ahead.sku.pack_size  # the week is covered
    # and when no promotion is coming, the calendar's order is the smaller one: no promotion-sized safety stock
    quiet, quiet_blind = lines[True, False].suggestion, lines[False, False].suggestion
    assert quiet is not None and quiet_blind is not None
    assert quiet.quantity <= quiet_blind.quantity - 30, (quiet, quiet_blind)

    first = today + timedelta(days=PLANNED)
    said = f"promotion from {first} to {first + timedelta(days=6)}: in the forecast"
    assert said in ahead.notes
    assert not [n for line in (blind, lines[True, False]) for n in line.notes if n.startswith("promotion")]
    french = "; ".join(n.text("fr") for n in ahead.notes)
    assert french is not None and f"promotion du {first} au {first + timedelta(days=6)} : comprise" in french


def test_a_first_promotion_is_flagged_for_a_person_to_size() -> None:
    """Nothing to learn its lift from: the forecast cannot hold it, and the note asks staff to check the quantity."""
    today = START + timedelta(days=DAYS)
    s = promoted("q", 2, calendar=False)
    s.promotions = [(today + timedelta(days=1), today + timedelta(days=7))]
    line = compute(Inputs(today, {"q": Sku("q", "q", "épicerie", "S", 1, 2)}, {"q": s}, {"q": 0}, {}, {}),
                   ReorderPolicy(backtest_windows=4, horizon_days=14)).lines[0]
    text = "; ".join(line.notes)
    assert "not in the forecast, no promotion of this product in the past year to learn from: check the quantity" \
        in text
    assert "vérifiez la quantité" in "; ".join(n.text("fr") for n in line.notes)


@pytest.mark.parametrize(("content", "message"), [
    ("sku,first_day,last_day\na,2025-01-01,2025-01-07\n", "missing column(s) unique_id"),
    ("unique_id,first_day,last_day\na,2025-01-01,2025-01-07\nb,2025-13-01,2025-01-07\n",
     "promos.csv:3: first_day '2025-13-01' is not a date (YYYY-MM-DD)"),
    ("unique_id,first_day,last_day\na,2025-01-07,2025-01-01\n",
     "promos.csv:2: last_day 2025-01-01 is before first_day 2025-01-07"),
    ("unique_id,first_day,last_day\na,2025-01-01,2025-12-31\n", "promos.csv:2: 365 days is longer than a promotion"),
    ("unique_id,first_day,last_day\n,2025-01-01,2025-01-02\n", "promos.csv:2: unique_id is empty"),
])
def test_a_bad_calendar_file_names_its_line_and_field(tmp_path, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "promos.csv"
    path.write_text(content)
    with pytest.raises(promotions.PromotionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        promotions.read_csv(path)


def test_cli_predict_reads_the_calendar(tmp_path) -> None:  # type: ignore[no-untyped-def]
    series = {f"p{i}": promoted(f"p{i}", i) for i in range(4)}
    sales, calendar, out = tmp_path / "sales.csv", tmp_path / "promos.csv", tmp_path / "forecast.csv"
    write_long_csv(series, sales)
    with calendar.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(promotions.CSV_COLUMNS)
        writer.writerows([uid, a.isoformat(), b.isoformat()] for uid, s in series.items() for a, b in s.promotions)
        writer.writerow(["never-sold", "2026-01-01", "2026-01-03"])
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", "forecast", "predict", "--input", str(sales), "--promotions",
         str(calendar), "--horizon", "14", "--windows", "4", "--out", str(out)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 unique_id(s) with no sales" in done.stderr and "never-sold" in done.stderr
    rows = list(csv.DictReader(out.open()))
    first_promoted = series["p0"].end + timedelta(days=PLANNED + 1)
    for uid in series:
        mine = [r for r in rows if r["unique_id"] == uid]
        if mine[0]["model"] != "CalendarRegression":
            continue
        promo = [float(r["mean"]) for r in mine if date.fromisoformat(r["ds"]) >= first_promoted
                 and date.fromisoformat(r["ds"]) < first_promoted + timedelta(days=7)]
        rest = [float(r["mean"]) for r in mine if date.fromisoformat(r["ds"]) < first_promoted]
        assert np.mean(promo) >= 2.3 * np.mean(rest), uid
    calendar.write_text("unique_id,first_day,last_day\np0,2026-02-30,2026-03-02\n")
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", "forecast", "backtest", "--input", str(sales), "--promotions",
         str(calendar), "--horizon", "7"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "promos.csv:2: first_day '2026-02-30' is not a date" in done.stderr
