"""Rolling-origin backtest and per-SKU model selection on MASE.

The last ``n_windows * horizon`` days are cut into windows; each candidate
model forecasts each window from the days before it (``statsforecast``'s
``cross_validation``). MASE and RMSSE scale a window's errors by the
in-sample one-day naive error up to that window's origin (Hyndman and
Koehler, 2006).

The selection is scored honestly: for window k, each SKU's model is chosen on
windows 0..k-1 only and scored on window k, so the figure a user reads is an
out-of-sample one (choosing and scoring on the same windows could never lose
to a single model, and would prove nothing). Single models are scored on the
same windows 1..n-1. The model kept for forecasting is the best over all
windows.

Besides single models, a SKU may choose the median of its best few
candidates (``models.COMBINATION``): ranked on the same earlier windows,
scored the same way, so it competes on equal terms.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from hub.forecast import models as candidates
from hub.forecast.classify import DemandClass, classify
from hub.forecast.demand import Series
from hub.i18n import Message

log = logging.getLogger("hub.forecast")

MIN_TRAIN_DAYS = 28  # days before the first window, at least


@dataclass
class Score:
    mase: float | None
    rmsse: float | None
    series: int  # SKUs whose windows could be scored (not all-zero history before the window)

    def as_dict(self) -> dict[str, float | None]:
        return {"mase": _round(self.mase), "rmsse": _round(self.rmsse)}


@dataclass
class SeriesResult:
    uid: str
    demand: DemandClass
    candidates: tuple[str, ...]
    selected: str | None  # None: nothing to forecast (no sales); models.COMBINATION: the median of ``components``
    notes: list[Message] = field(default_factory=list)
    components: tuple[str, ...] = ()  # the combination's members, when it was selected
    model_mase: dict[str, float] = field(default_factory=dict)  # over all windows, for the choice
    actual: np.ndarray | None = None  # (windows, horizon) of the backtest
    predicted: np.ndarray | None = None  # the selected model's forecasts of the same days
    scored_mase: float | None = None  # the out-of-sample MASE of this SKU's choices (windows 1..n-1)
    scored_model_mase: dict[str, float] = field(default_factory=dict)  # each model's, on the same windows

    @property
    def label(self) -> str | None:
        """The chosen model as staff read it: a name, or the combination with its members."""
        if self.selected == candidates.COMBINATION:
            return f"{candidates.COMBINATION}({'+'.join(self.components)})"
        return self.selected

    @property
    def mase(self) -> float | None:
        value = self.model_mase.get(self.selected or "")
        return None if value is None or not np.isfinite(value) else float(value)


@dataclass
class Backtest:
    horizon: int
    n_windows: int
    models: dict[str, Score]
    selected: Score
    seconds: float
    results: dict[str, SeriesResult]

    def as_dict(self) -> dict[str, object]:
        return {
            "models": {name: score.as_dict() for name, score in self.models.items()},
            "selected": self.selected.as_dict(),
            "seconds": round(self.seconds, 3),
            "series": len(self.results),
        }


def _round(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def frame(members: list[Series], last_days: int | None = None, calendar: bool = False) -> pd.DataFrame:
    """Nixtla's long frame of dense series (optionally only each one's last days).

    ``calendar``: add ``models.CALENDAR_COLUMNS`` (weekday indicators, promotion
    days) for the models that regress on them; the others must not see them.
    """
    ids, days, values, flags = [], [], [], []
    for s in members:
        y = s.y if last_days is None else s.y[-last_days:]
        first = np.datetime64(s.end, "D") - np.timedelta64(len(y) - 1, "D")
        ids.append(np.full(len(y), s.uid, dtype=object))
        days.append(first + np.arange(len(y)).astype("timedelta64[D]"))
        values.append(y.astype(float))
        if calendar:
            flags.append(s.promoted(s.end - timedelta(days=len(y) - 1), len(y)))
    df = pd.DataFrame({
        "unique_id": np.concatenate(ids),
        "ds": pd.to_datetime(np.concatenate(days)),
        "y": np.concatenate(values),
    })
    if calendar:
        _add_calendar(df, np.concatenate(flags))
    return df


def future_frame(members: list[Series], horizon: int) -> pd.DataFrame:
    """The calendar columns of the ``horizon`` days after each series (statsforecast's ``X_df``)."""
    ids, days, flags = [], [], []
    for s in members:
        first = s.end + timedelta(days=1)
        ids.append(np.full(horizon, s.uid, dtype=object))
        days.append(np.datetime64(first, "D") + np.arange(horizon).astype("timedelta64[D]"))
        flags.append(s.promoted(first, horizon))
    df = pd.DataFrame({"unique_id": np.concatenate(ids), "ds": pd.to_datetime(np.concatenate(days))})
    _add_calendar(df, np.concatenate(flags))
    return df


def _add_calendar(df: pd.DataFrame, promoted: np.ndarray) -> None:
    weekday = df["ds"].dt.weekday.to_numpy()
    for day, column in enumerate(candidates.WEEKDAY_COLUMNS):  # Sunday is the intercept
        df[column] = (weekday == day).astype(float)
    df[candidates.PROMOTION_COLUMN] = promoted


def _scales(y: np.ndarray, cutoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In-sample mean absolute and mean squared one-day differences up to each cutoff index."""
    d = np.diff(y)
    abs_cum = np.concatenate(([0.0], np.cumsum(np.abs(d))))
    sq_cum = np.concatenate(([0.0], np.cumsum(d * d)))
    n = np.maximum(cutoffs, 1)
    return abs_cum[cutoffs] / n, sq_cum[cutoffs] / n


def run_backtest(
    series: dict[str, Series],
    horizon: int,
    n_windows: int = 4,
    per_class: bool = False,
    input_size: int | None = 182,
    refit: bool = False,
    n_jobs: int = 1,
    prior_weight: float = 3.0,
    progress: Callable[[str], None] | None = None,
) -> Backtest:
    """Backtest every candidate on every SKU, choose a model per SKU, score the choice out of sample.

    ``per_class``: run only the candidates of each SKU's demand class (the hub's
    daily run); otherwise every candidate runs on every SKU so that single
    models and the selection are compared on the same series. Either way a
    SKU chooses among its class's candidates only (``models.BY_CLASS``), so
    the benchmark scores the hub's own policy. ``input_size``
    caps the days each fit sees (AutoETS cost grows with it). ``refit=False``
    fits once on the first window and moves the fitted model forward through
    the later ones (a fixed-parameter rolling origin, ~4x faster).
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1 day")
    if n_windows < 2:
        raise ValueError("n_windows must be at least 2 (one to choose with, one to score on)")
    started = time.perf_counter()
    results: dict[str, SeriesResult] = {}
    groups: dict[tuple[str, ...], list[Series]] = defaultdict(list)
    needed = horizon * n_windows + MIN_TRAIN_DAYS
    for s in series.values():
        demand = classify(s.y)
        if demand.kind == "none":
            results[s.uid] = SeriesResult(s.uid, demand, (), None, [*s.notes, Message("note_nothing")])
            continue
        if s.selling_days < 2 or len(s.y) < needed:
            note = (Message("note_single_day_fallback", model=candidates.FALLBACK) if s.selling_days < 2 else
                    Message("note_short_history", days=len(s.y), needed=needed, windows=n_windows, horizon=horizon,
                            model=candidates.FALLBACK))
            results[s.uid] = SeriesResult(s.uid, demand, (candidates.FALLBACK,), candidates.FALLBACK,
                                          [*s.notes, note])
            continue
        names = candidates.candidates_for(demand.kind, per_class, len(s.y) - horizon * n_windows)
        results[s.uid] = SeriesResult(s.uid, demand, names, None, list(s.notes))
        groups[names].append(s)

    sums = _Sums()
    for names, members in groups.items():
        if progress:
            progress(f"backtest: {len(members)} series x {', '.join(names)}")
        group = _backtest_group(members, names, horizon, n_windows, input_size, refit, n_jobs, results)
        _select(group, results, prior_weight, sums)
    models = {n: Score(t[0] / t[2], t[1] / t[2], int(t[2])) for n, t in sorted(sums.models.items())}
    c = sums.chosen
    selected = Score(c[0] / c[2] if c[2] else None, c[1] / c[2] if c[2] else None, int(c[2]))
    return Backtest(horizon, n_windows, models, selected, time.perf_counter() - started, results)


@dataclass
class _Group:
    """Backtest figures of SKUs that ran the same candidates: arrays (series, model, window[, day])."""

    names: tuple[str, ...]
    uids: list[str]
    kinds: np.ndarray
    pools: np.ndarray  # SKUs whose scores shrink toward one another's: a demand class, split by promotions run
    actual: np.ndarray  # (series, window, day)
    predicted: np.ndarray  # (series, model, window, day)
    scale_abs: np.ndarray  # (series, window)
    scale_sq: np.ndarray
    mase: np.ndarray  # (series, model, window), nan where the scale is zero
    rmsse: np.ndarray
    choose: np.ndarray  # MASE, or MAE where the scale is zero (an all-flat history)
    allowed_then: np.ndarray  # (series, model): the candidates of its class before the first window
    allowed_now: np.ndarray  # (series, model): the candidates of its class today (the choice kept)


@dataclass
class _Sums:
    models: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    chosen: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])


@dataclass
class _Choice:
    """Each SKU's choice made on windows 0..upto-1: a candidate index, or ``len(names)`` for the combination."""

    index: np.ndarray  # (series,)
    top: np.ndarray  # (series, COMBINATION_SIZE): the combination's members, best first
    combined: np.ndarray | None  # (series, window, day): the combination's forecasts of every window


def _select(g: _Group, results: dict[str, SeriesResult], prior_weight: float, sums: _Sums) -> None:
    """Choose each SKU's model; score the choice and every model on windows 1..n-1.

    A SKU's own windows are few and noisy, so its score per model is shrunk
    toward the mean score of the SKUs of its pool over the same windows
    (``prior_weight`` windows' worth): cross-sectional, so it uses no day
    after the window being scored. A pool is a demand class, split by whether
    the SKU had a promotion before the first window: what the calendar gives
    CalendarRegression on promoted products says nothing of the others. Besides the single models, each SKU
    may pick the median of its best ``COMBINATION_SIZE`` candidates, ranked and
    scored on the same earlier windows.
    """
    n_series, n_models, n_windows = g.choose.shape
    rows = np.arange(n_series)
    clean = np.nan_to_num(np.minimum(g.choose, 1e6), nan=0.0)
    pools = [g.pools == pool for pool in np.unique(g.pools)]

    def shrunk(values: np.ndarray, upto: int) -> np.ndarray:
        """(series, candidate, window) scores -> each SKU's score over windows 0..upto-1, shrunk to its class."""
        own = values[:, :, :upto].sum(axis=2)
        prior = np.empty_like(own)
        for mask in pools:
            prior[mask] = own[mask].mean(axis=0)
        return (own + prior_weight * prior / upto) / (upto + prior_weight)

    def decide(upto: int, allowed: np.ndarray) -> _Choice:
        single = np.where(allowed, shrunk(clean, upto), np.inf)
        order = np.argsort(single, axis=1, kind="stable")
        best = order[:, 0]
        if n_models < candidates.COMBINATION_SIZE:
            return _Choice(best, order, None)
        top = order[:, : candidates.COMBINATION_SIZE]
        combined = np.median(g.predicted[rows[:, None], top], axis=1)
        _, _, choose = _errors(g.actual, combined, g.scale_abs, g.scale_sq)
        score = shrunk(np.nan_to_num(np.minimum(choose, 1e6), nan=0.0)[:, None, :], upto)[:, 0]
        score[allowed.sum(axis=1) < candidates.COMBINATION_SIZE] = np.inf
        index = np.where(score < single[rows, best], n_models, best)
        return _Choice(index, top, combined)

    final = decide(n_windows, g.allowed_now)
    per_model = clean.mean(axis=2)
    if final.combined is not None:
        _, _, combined_choose = _errors(g.actual, final.combined, g.scale_abs, g.scale_sq)
        combined_mean = np.nan_to_num(np.minimum(combined_choose, 1e6), nan=0.0).mean(axis=1)
    for i, uid in enumerate(g.uids):
        result = results[uid]
        result.model_mase = dict(zip(g.names, per_model[i].tolist(), strict=True))
        result.actual = g.actual[i]
        if final.index[i] == n_models:
            result.model_mase[candidates.COMBINATION] = float(combined_mean[i])
            result.selected = candidates.COMBINATION
            result.components = tuple(g.names[m] for m in final.top[i])
            result.predicted = final.combined[i]
        else:
            result.selected = g.names[final.index[i]]
            result.predicted = g.predicted[i, final.index[i]]
    picked_mase = np.empty((n_series, n_windows - 1))
    picked_rmsse = np.empty((n_series, n_windows - 1))
    for k in range(1, n_windows):
        choice = decide(k, g.allowed_then)
        single = np.minimum(choice.index, n_models - 1)
        picked_mase[:, k - 1] = g.mase[rows, single, k]
        picked_rmsse[:, k - 1] = g.rmsse[rows, single, k]
        if choice.combined is not None:
            mase, rmsse, _ = _errors(g.actual[:, k], choice.combined[:, k], g.scale_abs[:, k], g.scale_sq[:, k])
            combined = choice.index == n_models
            picked_mase[combined, k - 1] = mase[combined]
            picked_rmsse[combined, k - 1] = rmsse[combined]
    scored = np.isfinite(picked_mase).any(axis=1)  # else every scored window had a flat history
    if not scored.any():
        return
    with np.errstate(all="ignore"):
        model_scored = np.nanmean(g.mase[scored][:, :, 1:], axis=2)  # a scored SKU has a scale in some window
        for row, i in enumerate(np.flatnonzero(scored)):
            results[g.uids[i]].scored_mase = float(np.nanmean(picked_mase[i]))
            results[g.uids[i]].scored_model_mase = dict(zip(g.names, model_scored[row].tolist(), strict=True))
        sums.chosen[0] += float(np.nanmean(picked_mase[scored], axis=1).sum())
        sums.chosen[1] += float(np.nanmean(picked_rmsse[scored], axis=1).sum())
        sums.chosen[2] += int(scored.sum())
        for m, name in enumerate(g.names):
            t = sums.models[name]
            t[0] += float(np.nanmean(g.mase[scored, m, 1:], axis=1).sum())
            t[1] += float(np.nanmean(g.rmsse[scored, m, 1:], axis=1).sum())
            t[2] += int(scored.sum())


def _backtest_group(members: list[Series], names: tuple[str, ...], horizon: int, n_windows: int,
                    input_size: int | None, refit: bool, n_jobs: int, results: dict[str, SeriesResult]) -> _Group:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    # one cross-validation per (refit, days of input, calendar): only some models can move forward without a
    # refit (the Croston family and the averages cannot; they are cheap anyway), AutoETS fits on fewer days, and
    # only the regressions see the calendar columns
    runs: dict[tuple[bool, int | None, bool], list[str]] = defaultdict(list)
    for n in names:
        days = candidates.INPUT_DAYS.get(n, input_size)
        runs[(refit if n in candidates.FORWARDABLE else True, days, n in candidates.EXOGENOUS)].append(n)
    frames = {False: frame(members)}
    parts = []
    for (group_refit, days, calendar), group in runs.items():
        if calendar not in frames:
            frames[calendar] = frame(members, calendar=True)
        sf = StatsForecast(models=[candidates.make(n) for n in group], freq="D", n_jobs=n_jobs,
                           fallback_model=Naive())
        part = sf.cross_validation(h=horizon, df=frames[calendar], n_windows=n_windows,
                                   step_size=horizon, input_size=days, refit=group_refit)
        parts.append(part.sort_values(["unique_id", "cutoff", "ds"], kind="stable").reset_index(drop=True))
    cv = parts[0]
    for part in parts[1:]:
        for n in part.columns.difference(cv.columns):
            cv[n] = part[n].to_numpy()
    shape = (-1, n_windows, horizon)
    uids = cv["unique_id"].to_numpy()[:: n_windows * horizon].tolist()
    actual = cv["y"].to_numpy(dtype=float).reshape(shape)
    predicted = np.stack([np.clip(np.nan_to_num(cv[n].to_numpy(dtype=float)), 0, None).reshape(shape)
                          for n in names], axis=1)
    by_uid = {s.uid: s for s in members}
    scale_abs = np.empty((len(uids), n_windows))
    scale_sq = np.empty((len(uids), n_windows))
    allowed_then = np.empty((len(uids), len(names)), dtype=bool)
    allowed_now = np.empty((len(uids), len(names)), dtype=bool)
    kinds, pools = [], []
    for row, uid in enumerate(uids):
        y = by_uid[uid].y
        scale_abs[row], scale_sq[row] = _scales(y, len(y) - (n_windows - np.arange(n_windows)) * horizon - 1)
        # the class that pools SKUs for the prior and limits the choice in the backtest, from the days before
        # the first window only (the scored windows must not shape their own choice)
        train = len(y) - n_windows * horizon
        kinds.append(classify(y[:train]).kind)
        first = by_uid[uid].start + timedelta(days=train)
        pools.append(kinds[-1] + ("+promotions" if any(a < first for a, _ in by_uid[uid].promotions) else ""))
        for mask, kind in ((allowed_then, kinds[-1]), (allowed_now, results[uid].demand.kind)):
            mine = candidates.candidates_for(kind, True, train)
            mask[row] = [n in mine for n in names]
            if not mask[row].any():  # a class whose candidates did not run here: any that did
                mask[row] = True
    mase, rmsse, choose = _errors(actual[:, None], predicted, scale_abs[:, None], scale_sq[:, None])
    return _Group(names, uids, np.array(kinds), np.array(pools), actual, predicted, scale_abs, scale_sq, mase, rmsse,
                  choose, allowed_then, allowed_now)


def _errors(actual: np.ndarray, predicted: np.ndarray, scale_abs: np.ndarray,
            scale_sq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MASE, RMSSE (nan where the scale is zero) and the choice score (MASE, or MAE on a flat history) per window."""
    err = actual - predicted
    mae, mse = np.abs(err).mean(axis=-1), (err * err).mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mase = np.where(scale_abs > 0, mae / scale_abs, np.nan)
        rmsse = np.where(scale_sq > 0, np.sqrt(mse / scale_sq), np.nan)
    return mase, rmsse, np.where(scale_abs > 0, mase, mae)
