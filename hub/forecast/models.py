"""Candidate ``statsforecast`` models, per demand class, and the per-SKU combination.

Smooth and erratic demand get the seasonal models (weekly season: a shop
sells differently on Saturday) and level averages; intermittent and lumpy
demand get the Croston family and temporal aggregation, which forecast a
rate rather than the next day's (probably zero) sale, plus smoothing and
averages. The set is deliberately diverse: a selection can only beat the best
single model where the candidates are good at different things (measured in
bench/forecast.py, section "Forecasting" of docs/performance.md).

CalendarRegression is statsforecast's ``SklearnModel`` around a least-squares
fit of daily sales on the day of the week and the shop's promotion days
(``CALENDAR_COLUMNS``, from promotions.py), over the last year: a weekday
profile plus each product's own promotion lift. It is the one candidate that
can see a planned promotion coming; on a product never promoted it is the
mean of each weekday over the year.

AutoETS is restricted to an additive season without trend (``ZNA``): the
full search costs ~5x the time for no gain on daily shop sales.

A Naive (last value) or zero forecast is left out on purpose: MASE is a mean
absolute error, which a forecast of zero wins on items that sell on fewer
than half the days; such a forecast would look good in the backtest and
never order anything.
"""

from __future__ import annotations

from typing import Any

SEASON = 7  # days
SEASON_WEEKS = 26  # SeasonalWindowAverage: mean of the same weekday over this many weeks
LEVEL_DAYS = 28  # WindowAverage: mean of the last four weeks

# what every SKU runs in the benchmark (``per_class=False``); the hub runs its class's subset
ALL_MODELS = (
    "SeasonalNaive", "AutoETS", "SeasonalWindowAverage", "SeasonalESOptimized", "HistoricAverage",
    "CrostonSBA", "TSB", "ADIDA", "CalendarRegression",
)
# fitted on calendar columns beside the sales (``CALENDAR_COLUMNS``): the day of the week and the shop's promotion days
EXOGENOUS = frozenset({"CalendarRegression"})
WEEKDAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")  # Sunday: the intercept
PROMOTION_COLUMN = "promotion"
CALENDAR_COLUMNS = (*WEEKDAY_COLUMNS, PROMOTION_COLUMN)

# models known to statsforecast here but not run by default (slower, or no better on shop sales in the bench)
EXTRA_MODELS = ("IMAPA", "WindowAverage", "SESOptimized")

# a SKU chooses among its class's candidates only, in the hub and in the benchmark alike. SeasonalNaive is not
# one for intermittent demand: it repeats last week's mostly empty days, a forecast of zero that MASE flatters
_SEASONAL = ("SeasonalNaive", "AutoETS", "SeasonalWindowAverage", "SeasonalESOptimized", "HistoricAverage")
_SPARSE = ("CrostonSBA", "TSB", "ADIDA", "SeasonalESOptimized", "HistoricAverage", "SeasonalWindowAverage", "AutoETS")
BY_CLASS: dict[str, tuple[str, ...]] = {
    "smooth": (*_SEASONAL, "CalendarRegression"),
    "erratic": (*_SEASONAL, "CrostonSBA", "CalendarRegression"),
    "intermittent": (*_SPARSE, "CalendarRegression"),
    "lumpy": (*_SPARSE, "CalendarRegression"),
}

# the per-SKU combination: the median of the forecasts of that SKU's best few candidates (ranked on the backtest
# windows before the one it forecasts). Selectable like a model and scored the same way
COMBINATION = "Median3"
COMBINATION_SIZE = 3

# models with statsforecast's ``forward`` (a backtest can move them through windows without refitting)
FORWARDABLE = frozenset({"SeasonalNaive", "AutoETS", "CalendarRegression"})

# models whose fits cost enough to share among statsforecast's worker processes (the others are done in less
# time than a process pool takes to start)
COSTLY = frozenset({"AutoETS"})

# days of history a model's fit sees at most (default: the caller's input size). AutoETS's cost grows with
# the length it fits; 12 weeks hold 12 cycles of the weekly season, enough for its few parameters
INPUT_DAYS = {"AutoETS": 84, "CalendarRegression": 364}

# days of history a model needs before its first forecast; a SKU with less does not run it
MIN_DAYS = {"SeasonalWindowAverage": SEASON * SEASON_WEEKS, "CalendarRegression": 8 * SEASON}

# used alone where there is no history to choose with (a single sale, or too short a history)
FALLBACK = "CrostonSBA"


def make(name: str) -> Any:
    """A fresh statsforecast model object for one candidate name (its output column is that name)."""
    from statsforecast import models as sf

    factories = {
        "SeasonalNaive": lambda: sf.SeasonalNaive(season_length=SEASON),
        "AutoETS": lambda: sf.AutoETS(season_length=SEASON, model="ZNA"),
        "SeasonalWindowAverage": lambda: sf.SeasonalWindowAverage(season_length=SEASON, window_size=SEASON_WEEKS,
                                                                  alias=name),
        "SeasonalESOptimized": lambda: sf.SeasonalExponentialSmoothingOptimized(season_length=SEASON, alias=name),
        "HistoricAverage": lambda: sf.HistoricAverage(),
        "WindowAverage": lambda: sf.WindowAverage(window_size=LEVEL_DAYS),
        "SESOptimized": lambda: sf.SimpleExponentialSmoothingOptimized(alias=name),
        "CrostonSBA": lambda: sf.CrostonSBA(),
        "TSB": lambda: sf.TSB(alpha_d=0.1, alpha_p=0.1),
        "IMAPA": lambda: sf.IMAPA(),
        "ADIDA": lambda: sf.ADIDA(),
        "CalendarRegression": lambda: sf.SklearnModel(_least_squares(), alias=name),
    }
    if name not in factories:
        raise ValueError(f"unknown model {name!r}; candidates: {', '.join(ALL_MODELS + EXTRA_MODELS)}")
    return factories[name]()


def _least_squares() -> Any:
    from sklearn.linear_model import LinearRegression

    return LinearRegression()


def candidates_for(kind: str, per_class: bool, train_days: int | None = None) -> tuple[str, ...]:
    """The models one SKU runs; ``train_days``: the history before its first backtest window."""
    names = ALL_MODELS if not per_class else BY_CLASS.get(kind, (FALLBACK,))
    if train_days is None:
        return names
    return tuple(n for n in names if MIN_DAYS.get(n, 0) <= train_days)
