"""``comptoir hub report --week 2026-W48 --pdf out.pdf --csv out.csv``: the weekly report without the web API."""

from __future__ import annotations

import time
from pathlib import Path

import click

from hub.cli_config import command_config


@click.command("report")
@click.option("--week", required=True, help="ISO week, YYYY-Www (e.g. 2026-W48), in the hub's timezone.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the PDF here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the CSV here.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the texts, numbers and money.")
@click.pass_context
def report_command(ctx: click.Context, week: str, pdf_path: Path | None, csv_path: Path | None, lang: str) -> None:
    """The shop's numbers for one week as PDF and/or CSV, the same as /api/kpis/report.pdf and .csv
    (docs/kpis.md); without --pdf or --csv, the figures are printed."""
    from hub.kpis import export, report
    from hub.kpis.period import KpiError, Period
    from hub.store import open_database

    config_path, db = ctx.obj
    config = command_config(config_path, db)
    try:
        period = Period.week(week, config.zone)
    except KpiError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    built = report.build(open_database(config.db), period, time.time())
    if csv_path is not None:
        csv_path.write_text(export.report_csv(built, lang), encoding="utf-8")
        click.echo(f"wrote {csv_path}")
    if pdf_path is not None:
        pdf_path.write_bytes(export.report_pdf(built, lang, config.store, week))
        click.echo(f"wrote {pdf_path}")
    if csv_path is None and pdf_path is None:
        for figure in built.figures:
            click.echo(f"{figure.key:<20} {report.said(figure.value, figure.unit, lang)}")
