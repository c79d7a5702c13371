"""Forecasts of the chosen model per SKU, with quantiles from its own backtest errors.

Quantiles are empirical: the selected model's errors over the backtest
windows, added to its forecast. For the reorder policy what matters is the
demand over the protection interval (lead time plus review period), so its
quantile comes from the errors of P-day sums over every P-day stretch of the
backtest windows: no normal assumption, which intermittent demand breaks
(its lead-time demand is mostly zero with a long right tail).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from hub.forecast import models as candidates
from hub.forecast.backtest import Backtest, SeriesResult, frame, future_frame
from hub.forecast.demand import Series


@dataclass
class Forecast:
    uid: str
    model: str | None
    mean: np.ndarray  # daily forecast, >= 0
    result: SeriesResult

    @property
    def daily_rate(self) -> float:
        return float(self.mean.mean()) if self.mean.size else 0.0

    def quantiles(self, levels: list[float]) -> dict[float, np.ndarray]:
        """Daily quantiles: forecast plus the quantile of the pooled daily backtest errors."""
        errors = _errors(self.result, 1)
        out = {}
        for q in levels:
            shift = float(np.quantile(errors, q, method="higher")) if errors.size else 0.0
            out[q] = np.clip(self.mean + shift, 0, None)
        return out

    def demand_quantile(self, days: int, level: float) -> tuple[float, float]:
        """(expected demand, demand quantile at ``level``) over the next ``days`` days."""
        days = max(int(days), 1)
        path = self.mean if days <= self.mean.size else np.resize(self.mean, days)
        expected = float(path[:days].sum())
        errors = _errors(self.result, days)
        if errors.size == 0:
            # no backtest (short history): a Poisson tail around the rate, the least-bad guess without errors
            from scipy.stats import poisson

            return expected, float(poisson.ppf(level, max(expected, 1e-9)))
        return expected, max(expected + float(np.quantile(errors, level, method="higher")), expected, 0.0)


def _errors(result: SeriesResult, days: int) -> np.ndarray:
    """Errors (actual - forecast) of every ``days``-long sum inside each backtest window."""
    if result.actual is None or result.predicted is None:
        return np.empty(0)
    err = result.actual - result.predicted
    horizon = err.shape[1]
    if days > horizon:
        # a longer interval than a window: sum whole windows, scaled by the ratio (documented limit)
        return err.sum(axis=1) * (days / horizon)
    cum = np.concatenate((np.zeros((err.shape[0], 1)), np.cumsum(err, axis=1)), axis=1)
    return (cum[:, days:] - cum[:, :-days]).ravel()


POOL_MIN_SERIES = 200


def forecast(series: dict[str, Series], backtest: Backtest, horizon: int, input_size: int | None = 182,
             n_jobs: int = 1) -> dict[str, Forecast]:
    """Fit each SKU's chosen model (or its combination's members) on its recent history; forecast ``horizon`` days."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    by_model: dict[str, list[Series]] = defaultdict(list)
    out: dict[str, Forecast] = {}
    for uid, result in backtest.results.items():
        if result.selected is None:
            out[uid] = Forecast(uid, None, np.zeros(horizon), result)
            continue
        for name in result.components if result.selected == candidates.COMBINATION else (result.selected,):
            by_model[name].append(series[uid])
    paths: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    for name, members in by_model.items():
        # starting a process pool costs more than it saves on cheap models or a small group
        jobs = n_jobs if name in candidates.COSTLY and len(members) >= POOL_MIN_SERIES else 1
        sf = StatsForecast(models=[candidates.make(name)], freq="D", n_jobs=jobs, fallback_model=Naive())
        days = candidates.INPUT_DAYS.get(name, input_size)
        if name in candidates.EXOGENOUS:
            predicted = sf.forecast(h=horizon, df=frame(members, days, calendar=True),
                                    X_df=future_frame(members, horizon))
        else:
            predicted = sf.forecast(h=horizon, df=frame(members, days))
        predicted = predicted.sort_values(["unique_id", "ds"], kind="stable")
        uids = predicted["unique_id"].to_numpy()[::horizon]
        values = np.clip(np.nan_to_num(predicted[name].to_numpy(dtype=float)), 0, None).reshape(-1, horizon)
        for row, uid in enumerate(uids):
            paths[uid][name] = values[row]
    for uid, by_name in paths.items():
        result = backtest.results[uid]
        mean = np.median(np.stack(list(by_name.values())), axis=0) if len(by_name) > 1 else next(iter(by_name.values()))
        out[uid] = Forecast(uid, result.label, mean, result)
    return out
