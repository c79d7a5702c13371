"""Generated daily sales with known patterns, for the forecast tests and bench/forecast.py."""

from __future__ import annotations

from datetime import date

import numpy as np

from hub.forecast.demand import Series

PATTERNS = ("weekly", "intermittent", "trend", "promotions", "lumpy")
START = date(2024, 1, 1)


def pattern_series(kind: str, days: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(days)
    if kind == "weekly":  # busy weekends
        base = rng.uniform(3, 12)
        weekly = np.array([0.8, 0.7, 0.8, 0.9, 1.1, 1.6, 1.3])
        return rng.poisson(base * weekly[(t + START.weekday()) % 7]).astype(float)
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
        return y
    if kind == "lumpy":  # rare, large orders
        p = rng.uniform(0.05, 0.2)
        return (rng.random(days) < p) * np.ceil(rng.lognormal(1.0, 1.0, days))
    raise ValueError(kind)


def make_series(count: int, days: int, seed: int = 1) -> dict[str, Series]:
    """``count`` series cycling through the patterns, ``days`` long."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(count):
        kind = PATTERNS[i % len(PATTERNS)]
        uid = f"{kind}-{i:05d}"
        out[uid] = Series(uid, START, pattern_series(kind, days, rng))
    return out
