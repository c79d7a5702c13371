"""``comptoir forecast``: backtest the candidate models and forecast sales files (Nixtla long format)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import timedelta
from pathlib import Path

import click

Input = click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Sales in Nixtla's long format: unique_id,ds,y (one row per SKU and day; gaps are zero).")
Horizon = click.option("--horizon", required=True, type=click.IntRange(1, 365), help="Days to forecast.")
Windows = click.option("--windows", default=6, show_default=True, type=click.IntRange(2, 24),
                       help="Rolling-origin backtest windows of HORIZON days (the first only chooses).")
PerClass = click.option("--per-class", is_flag=True,
                        help="Run only each SKU's demand-class candidates (faster; single models then cover "
                             "different SKUs).")
Promotions = click.option("--promotions", "promotions_path", type=click.Path(dir_okay=False, path_type=Path),
                          help="The promotion calendar: unique_id,first_day,last_day (past and planned promotions; "
                               "CalendarRegression forecasts their days).")
Jobs = click.option("--jobs", default=1, show_default=True, type=click.IntRange(-1, 64),
                    help="Processes for statsforecast (-1: every core).")


def _series(path: Path, promotions_path: Path | None):
    from hub.forecast.demand import DemandError, read_long_csv
    from hub.forecast.promotions import PromotionError, read_csv

    try:
        series = read_long_csv(path)
        calendar = read_csv(promotions_path) if promotions_path else {}
    except (DemandError, PromotionError) as exc:
        raise click.ClickException(str(exc)) from None
    unknown = sorted(set(calendar) - set(series))
    if unknown:
        click.echo(f"{promotions_path}: {len(unknown)} unique_id(s) with no sales in {path}, ignored: "
                   f"{', '.join(unknown[:5])}{'...' if len(unknown) > 5 else ''}", err=True)
    for uid, periods in calendar.items():
        if uid in series:
            series[uid].promotions = periods
    return series


def _backtest(path: Path, promotions_path: Path | None, horizon: int, windows: int, per_class: bool, jobs: int,
              quiet: bool):
    from rich.console import Console

    from hub.forecast.backtest import run_backtest

    series = _series(path, promotions_path)
    console = Console(stderr=True, quiet=quiet)
    with console.status(f"backtesting {len(series)} series...") as status:
        result = run_backtest(series, horizon=horizon, n_windows=windows, per_class=per_class, n_jobs=jobs,
                              progress=lambda text: status.update(text))
    return series, result


@click.group()
def forecast() -> None:
    """Demand forecasts with statsforecast: backtest the candidate models, forecast with the chosen one per SKU."""


@forecast.command()
@Input
@Promotions
@Horizon
@Windows
@PerClass
@Jobs
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def backtest(input_path: Path, promotions_path: Path | None, horizon: int, windows: int, per_class: bool, jobs: int,
             as_json: bool) -> None:
    """MASE and RMSSE per model and for the per-SKU selection, over windows 2..N (out of sample)."""
    series, result = _backtest(input_path, promotions_path, horizon, windows, per_class, jobs, as_json)
    if as_json:
        click.echo(json.dumps(result.as_dict()))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(series)} series, {windows} windows of {horizon} days "
                        f"(scored on the last {windows - 1}), {result.seconds:.1f} s")
    for column in ("model", "MASE", "RMSSE", "series"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for name, score in result.models.items():
        table.add_row(name, _fmt(score.mase), _fmt(score.rmsse), str(score.series))
    table.add_row("[bold]selected per SKU[/bold]", _fmt(result.selected.mase), _fmt(result.selected.rmsse),
                  str(result.selected.series))
    Console().print(table)
    unscored = len(series) - result.selected.series
    if unscored:
        click.echo(f"{unscored} series not scored (no sales, one sale, too short, or flat before every window)")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


@forecast.command()
@Input
@Promotions
@Horizon
@Windows
@PerClass
@Jobs
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Forecast CSV to write.")
@click.option("--quantiles", default="0.5,0.8,0.95", show_default=True,
              help="Comma-separated quantile levels, each in (0, 1).")
def predict(input_path: Path, promotions_path: Path | None, horizon: int, windows: int, per_class: bool, jobs: int,
            out: Path, quantiles: str) -> None:
    """Forecast HORIZON days per SKU with its chosen model, with quantiles, to a CSV."""
    from hub.forecast.predict import forecast as run_forecast

    try:
        levels = [float(q) for q in quantiles.split(",") if q.strip()]
    except ValueError:
        raise click.BadParameter(f"{quantiles!r} is not a list of numbers", param_hint="--quantiles") from None
    if not levels or any(not 0 < q < 1 for q in levels):
        raise click.BadParameter("each level must be between 0 and 1", param_hint="--quantiles")
    series, result = _backtest(input_path, promotions_path, horizon, windows, per_class, jobs, False)
    forecasts = run_forecast(series, result, horizon, n_jobs=jobs)
    columns = [f"q{round(q * 100, 1):g}" for q in levels]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unique_id", "ds", "model", "demand_class", "mean", *columns, "note"])
        for uid, fc in sorted(forecasts.items()):
            s = series[uid]
            bands = fc.quantiles(levels)
            note = "; ".join(fc.result.notes)
            for i in range(horizon):
                day = s.end + timedelta(days=i + 1)
                writer.writerow([uid, day.isoformat(), fc.model or "", fc.result.demand.kind, f"{fc.mean[i]:.4f}",
                                 *(f"{bands[q][i]:.4f}" for q in levels), note])
    click.echo(f"wrote {len(forecasts)} series x {horizon} days to {out}", err=True)


@forecast.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The hub's YAML config (its database and its reorder: section).")
def suggest(config_path: Path) -> None:
    """Run the hub's forecasts and reorder suggestions now, on its database (for a nightly cron job)."""
    import time

    from comptoir.config import ConfigError, load_config
    from hub.config import HubConfig
    from hub.forecast import planner
    from hub.inventory.fusion import Fusion
    from hub.store import open_database

    try:
        config = load_config(config_path, HubConfig)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    db = open_database(config.db)
    now = time.time()
    fusion = Fusion(db, config.fusion)
    inputs = planner.gather(db, now, config.reorder, lambda g: fusion.sku(g, now).on_hand, config.zone)
    plan = planner.compute(inputs, config.reorder)
    run_id = planner.save(db, plan, now, "cli")
    click.echo(f"run {run_id}: {len(plan.lines)} products, {len(plan.suggestions)} suggestions "
               f"in {plan.seconds:.1f} s; decide on them at /reorder")


if __name__ == "__main__":  # pragma: no cover
    forecast(sys.argv[1:])
