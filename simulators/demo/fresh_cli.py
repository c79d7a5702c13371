"""``comptoir demo fresh``: the fortnight twice on one seed, the hub's figures beside the world's, and the verdict."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click

#: (label, KPI key, truth key, unit) of each line of the table
ROWS = (
    ("waste, units", "waste_value.units", "wasted_units", "units"),
    ("waste value (at cost)", "waste_value", "wasted_cents", "cents"),
    ("donated, units", "donations.units", "donated_units", "units"),
    ("donated value (at cost)", "donations", "donated_cents", "cents"),
    ("revenue", "revenue", "revenue_cents", "cents"),
    ("revenue net of waste", "revenue_net_of_waste", "revenue_net_of_waste_cents", "cents"),
    ("recovered by markdowns", "markdown_recovered", "recovered_cents", "cents"),
    ("units sold", "units_sold", "sold_units", "units"),
    ("stock-out rate", "stockout_rate", "empty_share", "fraction"),
)
TARGET_FALL = 0.30


def figure(run: dict[str, Any], key: str) -> float | None:
    """A KPI value of a run's report (``key.part`` reads a part)."""
    kpis = run["kpis"]
    if key == "revenue_net_of_waste" and kpis.get(key) is None:  # a hub from before the figure: derived
        revenue, waste = figure(run, "revenue"), figure(run, "waste_value")
        return None if revenue is None or waste is None else revenue - waste
    name, _, part = key.partition(".")
    found = kpis.get(name)
    if found is None:
        return None
    if part:
        return (found.get("parts") or {}).get(part)
    return found["value"]


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "cents":
        return f"{value / 100:,.2f} €"
    if unit == "fraction":
        return f"{value * 100:.1f} %"
    return f"{value:,.0f}"


def verdict(off: dict[str, Any], on: dict[str, Any]) -> dict[str, Any]:
    """The issue's test: waste value falls by >= 30 % and revenue net of waste is not lower (hub's figures)."""
    waste_off, waste_on = figure(off, "waste_value"), figure(on, "waste_value")
    net_off, net_on = figure(off, "revenue_net_of_waste"), figure(on, "revenue_net_of_waste")
    fall = None if not waste_off or waste_on is None else 1 - waste_on / waste_off
    return {"waste_value_fall": None if fall is None else round(fall, 4),
            "revenue_net_change_cents": None if net_off is None or net_on is None else net_on - net_off,
            "met": fall is not None and fall >= TARGET_FALL and net_on is not None and net_off is not None
            and net_on >= net_off}


def mismatches(run: dict[str, Any]) -> list[str]:
    """Figures of the hub that differ from the world's truth (the stock-out rate has its own definition)."""
    found = []
    for label, key, truth_key, unit in ROWS:
        if unit == "fraction":
            continue
        hub, truth = figure(run, key), run["truth"].get(truth_key)
        if hub is not None and truth is not None and round(hub) != round(truth):
            found.append(f"{label}: hub {shown(hub, unit)}, world {shown(truth, unit)}")
    return found


def format_fresh(off: dict[str, Any], on: dict[str, Any]) -> str:
    lines = [f"fresh fortnight, seed {on['seed']}: {on['days']} days, {on['products']} fresh products "
             "(figures from the hub's GET /api/kpis; the world's truth in brackets)",
             "  hidden elasticities: " + ", ".join(f"{k} {v:g}" for k, v in sorted(on["elasticity"].items())),
             f"  {'':26} {'markdowns off':>26} {'markdowns on':>26} {'difference':>14}"]
    for label, key, truth_key, unit in ROWS:
        a, b = figure(off, key), figure(on, key)
        cells = [f"{shown(figure(r, key), unit)} ({shown(r['truth'].get(truth_key), unit)})" for r in (off, on)]
        diff = shown(b - a, unit) if a is not None and b is not None else "n/a"
        lines.append(f"  {label:26} {cells[0]:>26} {cells[1]:>26} {diff:>14}")
    result = verdict(off, on)
    fall = result["waste_value_fall"]
    lines.append(f"  markdowns approved: {on['approved']}; waste value {'n/a' if fall is None else f'{-fall:+.1%}'} "
                 f"(target -30 %), revenue net of waste {shown(result['revenue_net_change_cents'], 'cents')}: "
                 f"{'met' if result['met'] else 'NOT met'}")
    for run in (off, on):
        for problem in mismatches(run):
            lines.append(f"  MISMATCH (markdowns {'on' if run['markdowns'] else 'off'}): {problem}")
    return "\n".join(lines)


@click.command("fresh")
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 28),
              help="Simulated days (a staff session lasts 30).")
@click.option("--seed", default=1, show_default=True, help="Seed of the store world (both runs).")
@click.option("--products", type=click.IntRange(min=1), help="Only the first N fresh products (a faster run).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-fresh"),
              show_default=True, help="The two runs' hub databases and catalogs.")
@click.option("--elasticity-scale", default=1.0, show_default=True, type=click.FloatRange(0.1, 3.0),
              help="Multiply the world's hidden elasticities (how much the result rests on how shoppers answer a "
                   "reduced price).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write both runs' reports and the verdict to this JSON file.")
def fresh(days: int, seed: int, products: int | None, workdir: Path, elasticity_scale: float,
          json_path: Path | None) -> None:
    """A fortnight of the demo shop's fresh food against the real hub (in process, on the world's clock), with
    markdowns off then on, on the same seed: waste, donations, revenue and money recovered, from the hub's KPIs."""
    from simulators.demo.fresh import FreshOptions, HubRefused, run_fresh
    from simulators.world.fresh import ELASTICITY, FreshParams

    params = FreshParams(elasticity={f: e * elasticity_scale for f, e in ELASTICITY.items()})
    try:
        runs = [asyncio.run(run_fresh(FreshOptions(days=days, seed=seed, markdowns=on, products=products,
                                                   workdir=workdir, params=params))) for on in (False, True)]
    except HubRefused as exc:  # a staff call the hub refused: no figure after it would be true
        raise click.ClickException(f"the hub refused the back office: {exc}") from None
    off, on = runs
    click.echo(format_fresh(off, on))
    if json_path is not None:
        json_path.write_text(json.dumps({"off": off, "on": on, "verdict": verdict(off, on)}, indent=2, default=str))
        click.echo(f"report written to {json_path}")
    if mismatches(off) or mismatches(on):
        raise SystemExit(3)
