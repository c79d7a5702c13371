"""Candidate ``statsforecast`` models, per demand class.

Smooth and erratic demand get the seasonal models (weekly season: a shop
sells differently on Saturday); intermittent and lumpy demand get the
Croston family and temporal aggregation, which forecast a rate rather than
the next day's (probably zero) sale. AutoETS is restricted to an additive
season without trend (``ZNA``): the full search costs ~5x the time for no
gain on a few months of daily shop sales (measured in bench/forecast.py).
"""

from __future__ import annotations

from typing import Any

SEASON = 7  # days

ALL_MODELS = ("SeasonalNaive", "AutoETS", "CrostonSBA", "TSB", "IMAPA", "ADIDA")

BY_CLASS: dict[str, tuple[str, ...]] = {
    "smooth": ("SeasonalNaive", "AutoETS", "IMAPA"),
    "erratic": ("SeasonalNaive", "AutoETS", "CrostonSBA", "IMAPA"),
    "intermittent": ("CrostonSBA", "TSB", "IMAPA", "ADIDA"),
    "lumpy": ("CrostonSBA", "TSB", "IMAPA", "ADIDA"),
}

# models with statsforecast's ``forward`` (a backtest can move them through windows without refitting)
FORWARDABLE = frozenset({"SeasonalNaive", "AutoETS"})

# days of history a model's fit sees at most (default: the caller's input size). AutoETS's cost grows with
# the length it fits; 12 weeks hold 12 cycles of the weekly season, enough for its few parameters
INPUT_DAYS = {"AutoETS": 84}

# used alone where there is no history to choose with (a single sale, or too short a history)
FALLBACK = "CrostonSBA"


def make(name: str) -> Any:
    """A fresh statsforecast model object for one candidate name."""
    from statsforecast import models as sf

    factories = {
        "SeasonalNaive": lambda: sf.SeasonalNaive(season_length=SEASON),
        "AutoETS": lambda: sf.AutoETS(season_length=SEASON, model="ZNA"),
        "CrostonSBA": lambda: sf.CrostonSBA(),
        "TSB": lambda: sf.TSB(alpha_d=0.1, alpha_p=0.1),
        "IMAPA": lambda: sf.IMAPA(),
        "ADIDA": lambda: sf.ADIDA(),
    }
    if name not in factories:
        raise ValueError(f"unknown model {name!r}; candidates: {', '.join(ALL_MODELS)}")
    return factories[name]()


def candidates_for(kind: str, per_class: bool) -> tuple[str, ...]:
    if not per_class:
        return ALL_MODELS
    return BY_CLASS.get(kind, (FALLBACK,))
