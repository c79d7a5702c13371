"""Model selection: on series with known patterns, choosing per SKU beats (or ties) every single model."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from hub.forecast import backtest
from hub.forecast import models as candidates
from hub.forecast.backtest import run_backtest
from hub.forecast.classify import DemandClass, classify
from hub.forecast.demand import write_long_csv
from hub.forecast.predict import forecast
from tests.forecast.synthetic import make_series, pattern_series


def test_classes_follow_adi_and_cv2() -> None:
    rng = np.random.default_rng(3)
    assert classify(pattern_series("weekly", 200, rng)).kind == "smooth"
    assert classify(pattern_series("intermittent", 200, rng)).kind == "intermittent"
    assert classify(pattern_series("lumpy", 200, rng)).kind == "lumpy"
    erratic = rng.choice([1.0, 2.0, 20.0], 200)
    assert classify(erratic).kind == "erratic"
    assert classify(np.zeros(30)).kind == "none"


SEASONAL = {"SeasonalNaive", "AutoETS", "SeasonalWindowAverage", "SeasonalESOptimized"}


@pytest.fixture(scope="module")
def series():
    return make_series(100, 280, seed=11)


@pytest.mark.parametrize("seed", [3, 5, 11])
def test_selection_beats_or_ties_every_single_model(seed: int) -> None:
    """Scored out of sample (chosen on earlier windows only); a tie is within 1 %."""
    series = make_series(100, 280, seed=seed)
    result = run_backtest(series, horizon=14, n_windows=8)
    assert result.selected.series == 100
    # 280 - 8 x 14 = 168 days before the first window: too few for the 26-week seasonal average
    assert set(result.models) == set(candidates.ALL_MODELS) - {"SeasonalWindowAverage"}
    for name, score in result.models.items():
        assert score.series == 100
        assert result.selected.mase <= score.mase * 1.01, f"{name} {score.mase} beat the selection"
    # the choice follows the pattern: a weekly season goes to a seasonal model, or a median led by one
    weekly = [r for uid, r in result.results.items() if uid.startswith("weekly")]
    assert sum((r.components or (r.selected,))[0] in SEASONAL for r in weekly) >= len(weekly) * 0.7
    # and intermittent sales to a rate model, or a median of them, never to yesterday's sale alone
    intermittent = [r for uid, r in result.results.items() if uid.startswith("intermittent")]
    assert not [r for r in intermittent if r.selected == "SeasonalNaive"]


def test_the_combination_is_chosen_and_forecast_as_the_median_of_its_members(series) -> None:
    result = run_backtest(series, horizon=14, n_windows=6)
    combined = [r for r in result.results.values() if r.selected == candidates.COMBINATION]
    assert combined, "no SKU chose the median of its best models"
    chosen = combined[0]
    assert len(chosen.components) == candidates.COMBINATION_SIZE == len(set(chosen.components))
    forecasts = forecast(series, result, 14)
    fc = forecasts[chosen.uid]
    assert fc.model == f"Median3({'+'.join(chosen.components)})"
    alone = {}
    for name in chosen.components:  # each member forecast on its own: the combination is their median, day by day
        single = run_backtest({chosen.uid: series[chosen.uid]}, horizon=14, n_windows=6)
        single.results[chosen.uid].selected, single.results[chosen.uid].components = name, ()
        alone[name] = forecast({chosen.uid: series[chosen.uid]}, single, 14)[chosen.uid].mean
    assert np.allclose(fc.mean, np.median(np.stack(list(alone.values())), axis=0))


def test_forecast_quantiles_are_ordered_and_cover_the_mean(series) -> None:
    result = run_backtest(series, horizon=14, n_windows=3, per_class=True)
    forecasts = forecast(series, result, 14)
    weekly = forecasts["weekly-00000"]
    bands = weekly.quantiles([0.5, 0.9])
    assert (bands[0.9] >= bands[0.5]).all()
    expected, q95 = weekly.demand_quantile(10, 0.95)
    assert q95 >= expected > 0
    assert abs(weekly.daily_rate - series["weekly-00000"].y[-56:].mean()) < 0.25 * weekly.daily_rate


def test_cli_backtest_json_and_predict(series, tmp_path) -> None:
    small = dict(list(series.items())[:10])
    path = tmp_path / "sales.csv"
    write_long_csv(small, path)
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", "forecast", "backtest", "--input", str(path), "--horizon", "7", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["series"] == 10 and report["seconds"] > 0
    assert set(report["models"]) >= {"AutoETS", "CrostonSBA"} and report["selected"]["mase"] > 0
    out = tmp_path / "forecast.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "comptoir",
            "forecast",
            "predict",
            "--input",
            str(path),
            "--horizon",
            "7",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("unique_id,ds,model,demand_class,mean,q50,q80,q95")
    assert len(lines) == 1 + 10 * 7


def test_cli_bad_input_names_line_and_field(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("unique_id,ds,y\na,2025-01-01,3\na,2025-01-02,three\n")
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", "forecast", "backtest", "--input", str(path), "--horizon", "7"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "bad.csv:3: y 'three' is not a number" in done.stderr


def test_the_benchmarks_shop_mix_is_mostly_slow_movers() -> None:
    """The mix bench/forecast.py uses by default: documented shares, not tuned to any result."""
    series = make_series(2000, 365, seed=2, mix="shop")
    kinds = [classify(s.y).kind for s in series.values()]
    share = {kind: kinds.count(kind) / len(kinds) for kind in ("smooth", "erratic", "intermittent", "lumpy")}
    assert 0.18 < share["smooth"] < 0.30 and 0.06 < share["erratic"] < 0.16
    assert share["intermittent"] + share["lumpy"] > 0.55
    erratic = [s for uid, s in series.items() if uid.startswith("erratic")]
    assert sum(classify(s.y).kind == "erratic" for s in erratic) > 0.7 * len(erratic)
    with pytest.raises(ValueError, match="unknown mix 'mall'"):
        make_series(10, 30, mix="mall")


def test_a_window_is_scored_with_the_choice_made_before_it() -> None:
    """Model A is perfect on the first two windows and far off on the last, B the reverse: the honest choice for
    the last window is A, and the selection pays A's miss there (a choice that peeked would take B)."""
    n_series, horizon = 4, 2
    names = ("A", "B", "C", "D")
    actual = np.ones((n_series, 3, horizon))
    predicted = np.empty((n_series, len(names), 3, horizon))
    predicted[:, 0] = np.array([1.0, 1.0, 5.0])[:, None]  # errors 0, 0, 4
    predicted[:, 1] = np.array([5.0, 5.0, 1.0])[:, None]  # errors 4, 4, 0
    predicted[:, 2:] = 2.0  # errors 1, 1, 1
    scale = np.ones((n_series, 3))
    mase, rmsse, choose = backtest._errors(actual[:, None], predicted, scale[:, None], scale[:, None])
    allowed = np.ones((n_series, len(names)), dtype=bool)
    uids = [f"sku-{i}" for i in range(n_series)]
    kinds = np.array(["smooth"] * n_series)
    group = backtest._Group(names, uids, kinds, kinds, actual, predicted, scale, scale, mase, rmsse, choose, allowed,
                            allowed)
    results = {u: backtest.SeriesResult(u, DemandClass("smooth", 1.0, 0.1), names, None) for u in uids}
    sums = backtest._Sums()
    backtest._select(group, results, prior_weight=3.0, sums=sums)
    # window 1 chosen on window 0 (A: error 0), window 2 on windows 0-1 (A again: error 4) -> mean 2
    assert sums.chosen[0] / sums.chosen[2] == pytest.approx(2.0)
    assert {n: t[0] / t[2] for n, t in sums.models.items()} == pytest.approx({"A": 2.0, "B": 2.0, "C": 1.0, "D": 1.0})
    # kept for forecasting: chosen on all three windows, where C's steady error 1 beats A's mean 4/3;
    # the median of the best three (C, D, A) scores 1 too, and a tie keeps the single model
    assert {r.selected for r in results.values()} == {"C"}
