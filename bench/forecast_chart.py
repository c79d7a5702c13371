"""Render docs/forecasting.png: three generated SKUs, their history, the chosen model's forecast and quantiles.

The third has a promotion week every ~3 months in its calendar and one planned
inside the forecast horizon.

    .venv/bin/python bench/forecast_chart.py
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from hub.forecast.backtest import run_backtest  # noqa: E402
from hub.forecast.predict import forecast  # noqa: E402
from tests.forecast.synthetic import make_series  # noqa: E402

HORIZON, SHOWN = 21, 56


def main() -> None:
    series = make_series(10, 280, seed=4)
    promoted = series["promotions-00003"]
    planned = promoted.end + timedelta(days=8)
    promoted.promotions.append((planned, planned + timedelta(days=6)))
    result = run_backtest(series, horizon=HORIZON, n_windows=4)
    forecasts = forecast(series, result, HORIZON)
    picks = ["weekly-00000", "intermittent-00001", "promotions-00003"]
    fig, axes = plt.subplots(len(picks), 1, figsize=(9, 9), sharex=False)
    for ax, uid in zip(axes, picks, strict=True):
        s, fc = series[uid], forecasts[uid]
        history_days = [s.end - timedelta(days=SHOWN - 1 - i) for i in range(SHOWN)]
        future = [s.end + timedelta(days=i + 1) for i in range(HORIZON)]
        bands = fc.quantiles([0.5, 0.8, 0.95])
        ax.bar(history_days, s.y[-SHOWN:], color="#9aa5b1", label="daily sales")
        ax.fill_between(future, 0, bands[0.95], color="#f6c98e", label="95 % quantile", step="mid")
        ax.fill_between(future, 0, bands[0.8], color="#f0a04b", label="80 % quantile", step="mid")
        for first, last in s.promotions:
            if last >= history_days[0]:
                ax.axvspan(max(first, history_days[0]) - timedelta(hours=12), last + timedelta(hours=12),
                           color="#b6e3b6", alpha=0.5, zorder=0,
                           label="promotion (calendar)" if first == s.promotions[-1][0] else None)
        ax.plot(future, fc.mean, color="#1f4e79", linewidth=2, label=f"forecast ({fc.model})")
        expected, q95 = fc.demand_quantile(12, 0.95)
        ax.set_title(f"{uid}: {fc.result.demand.kind} (ADI {fc.result.demand.adi}, CV² {fc.result.demand.cv2}); "
                     f"next 12 days: {expected:.0f} expected, {q95:.0f} at 95 %", fontsize=9)
        ax.set_ylabel("units a day")
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    out = ROOT / "docs" / "forecasting.png"
    fig.savefig(out, dpi=90)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
