"""Generated daily sales with known patterns, for the forecast tests and bench/forecast.py.

Two mixes of patterns:

* ``even`` (the tests' default, and the benchmark's first one): the first
  five patterns in turn, one SKU each (mostly fast movers);
* ``shop`` (the benchmark's default): the share of each pattern in a small
  shop's range, where most products sell less than once a day and a few fast
  movers sell every day. The shares are an assumption, set from that general
  shape (large retail data sets such as M5 are mostly intermittent series),
  not fitted to any result: docs/forecasting.md gives them with the class
  shares they produce.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from hub.forecast.demand import Series

PATTERNS = ("weekly", "intermittent", "trend", "promotions", "lumpy", "erratic")
EVEN = PATTERNS[:5]
START = date(2024, 1, 1)
WEEKLY = np.array([0.8, 0.7, 0.8, 0.9, 1.1, 1.6, 1.3])  # Monday..Sunday: busy weekends

#: share of each pattern among a small shop's products
SHOP_MIX = {"weekly": 0.12, "trend": 0.06, "promotions": 0.07, "erratic": 0.10, "intermittent": 0.35, "lumpy": 0.30}
MIXES = ("even", "shop")


def pattern_series(kind: str, days: int, rng: np.random.Generator,
                   promotions: list[tuple[date, date]] | None = None) -> np.ndarray:
    """One generated series; a ``promotions`` list receives the promotion weeks (the shop's own calendar)."""
    t = np.arange(days)
    week = WEEKLY[(t + START.weekday()) % 7]
    if kind == "weekly":  # busy weekends
        base = rng.uniform(3, 12)
        return rng.poisson(base * week).astype(float)
    if kind == "intermittent":  # a sale every few days, one or two units
        p = rng.uniform(0.1, 0.4)
        return (rng.random(days) < p) * rng.integers(1, 3, days).astype(float)
    if kind == "trend":  # growing sales with a weekly rhythm
        base = rng.uniform(2, 6) * (1 + t / days)
        return rng.poisson(base * (1 + 0.4 * ((t + START.weekday()) % 7 >= 5))).astype(float)
    if kind == "promotions":  # steady sales, a promotion week now and then
        y = rng.poisson(rng.uniform(4, 8), days).astype(float)
        for start in rng.choice(days - 7, size=max(days // 90, 1), replace=False):
            y[start : start + 7] *= 3
            if promotions is not None:
                promotions.append((START + timedelta(days=int(start)), START + timedelta(days=int(start) + 6)))
        return y
    if kind == "lumpy":  # rare, large orders
        p = rng.uniform(0.05, 0.2)
        return (rng.random(days) < p) * np.ceil(rng.lognormal(1.0, 1.0, days))
    if kind == "erratic":  # sold every day, by the unit or by the case of 6 (drinks, tins)
        units = rng.poisson(rng.uniform(1.5, 4) * week)
        cases = rng.poisson(rng.uniform(0.1, 0.4) * week)
        return (units + 6 * cases).astype(float)
    raise ValueError(kind)


def make_series(count: int, days: int, seed: int = 1, mix: str = "even", calendar: bool = True) -> dict[str, Series]:
    """``count`` series ``days`` long: the patterns in turn (``even``) or in a shop's proportions (``shop``).

    ``calendar``: give each SKU its promotion weeks, as the shop that ran them
    knows them; without it the promotions are unannounced spikes.
    """
    rng = np.random.default_rng(seed)
    if mix == "even":
        kinds = [EVEN[i % len(EVEN)] for i in range(count)]
    elif mix == "shop":
        kinds = list(rng.choice(list(SHOP_MIX), size=count, p=list(SHOP_MIX.values())))
    else:
        raise ValueError(f"unknown mix {mix!r}; choose one of {', '.join(MIXES)}")
    out = {}
    for i, kind in enumerate(kinds):
        uid = f"{kind}-{i:05d}"
        promotions: list[tuple[date, date]] = []
        y = pattern_series(kind, days, rng, promotions)
        out[uid] = Series(uid, START, y, promotions=sorted(promotions) if calendar else [])
    return out
