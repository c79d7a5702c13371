"""Every figure of a period gathered once, and said in a reader's language (Babel) for the page and reports."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from hub.i18n import money, translate
from hub.i18n.catalog import locale
from hub.kpis import forecast_accuracy, stock
from hub.kpis import money as money_figures
from hub.kpis.period import Figure, Period

#: The figures in the order they are shown; each key has ``kpi.<key>`` (its name) and ``kpi.<key>.how``.
ORDER = ("revenue", "units_sold", "receipts", "revenue_net_of_waste", "waste_value", "waste_rate", "donations",
         "markdown_recovered", "shrink", "availability", "stockout_rate", "inventory_accuracy", "forecast_wape")
#: Per-category figures: key -> unit.
CATEGORY_FIGURES = {"turnover": "times", "days_of_cover": "days"}


@dataclass(frozen=True)
class Report:
    period: Period
    figures: list[Figure]
    categories: list[dict[str, Any]]
    daily: list[dict[str, Any]]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def build(db: sqlite_utils.Database, period: Period, now: float) -> Report:
    """Compute every figure of ``period`` (``now`` bounds the figures that walk time: stock, forecasts)."""
    waste = money_figures.waste_value(db, period)
    seen = stock.stocked(db, period.start, min(period.end, now))  # read once for availability and turnover
    sales = money_figures.sales(db, period)
    found = [*sales, money_figures.revenue_net_of_waste(sales[0], waste), waste,
             money_figures.waste_rate(db, period, waste), money_figures.donations(db, period),
             money_figures.markdown_recovered(db, period), money_figures.shrink(db, period),
             *stock.availability(db, period, now, seen), stock.inventory_accuracy(db, period),
             forecast_accuracy.forecast_wape(db, period, now)]
    found.sort(key=lambda f: ORDER.index(f.key))
    return Report(period, found, stock.by_category(db, period, now, seen), money_figures.daily(db, period))


def build_apart(path: Path, period: Period, now: float) -> Report:
    """:func:`build` on a read-only connection of its own, for a worker thread: a long period reads many rows
    (seconds for months of a large shop) and the hub's own connection belongs to its event loop, which must
    keep taking in the devices' messages. WAL lets this reader run beside the hub's writes."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    try:
        return build(sqlite_utils.Database(conn), period, now)
    finally:
        conn.close()


def said(value: float | None, unit: str, lang: str) -> str:
    """A figure as the language writes it: money, a percentage, a count; an em dash when there was nothing."""
    if value is None:
        return "—"
    where = locale(lang)
    if unit == "cents":
        return money(int(value), lang)
    if unit == "fraction":
        # the locale's own pattern (French puts a space before %), with one decimal
        pattern = where.percent_formats[None].pattern.replace("#,##0", "#,##0.0")
        return format_percent(value, pattern, locale=where)
    if unit in ("times", "days"):
        return format_decimal(value, "#,##0.0#", locale=where)
    return format_decimal(value, locale=where)


def _parts(figure: Figure, lang: str) -> list[dict[str, str]]:
    """The counts a figure is made of, named and written in the reader's language (money where in cents)."""
    return [{"key": key, "name": translate(f"kpi.part.{key}", lang),
             "display": said(value, "cents" if key.endswith("_cents") else "units", lang)}
            for key, value in figure.parts.items()]


def as_json(report: Report, lang: str) -> dict[str, Any]:
    """The report for the API and the page: values raw (cents, fractions) beside their display and definition."""
    period = report.period
    return {
        "first": period.first.isoformat(), "last": period.last.isoformat(), "timezone": period.zone.key,
        "said": translate("numbers_showing", lang, first=format_date(period.first, "long", locale=locale(lang)),
                          last=format_date(period.last, "long", locale=locale(lang))),
        "figures": [{"key": f.key, "value": f.value, "unit": f.unit, "parts": f.parts, "parts_said": _parts(f, lang),
                     "name": translate(f"kpi.{f.key}", lang), "display": said(f.value, f.unit, lang),
                     "definition": f"kpi.{f.key}.how", "how": translate(f"kpi.{f.key}.how", lang)}
                    for f in report.figures],
        "categories": [{**row, "display": {key: said(row[key], unit, lang) for key, unit in CATEGORY_FIGURES.items()}}
                       for row in report.categories],
        "category_definitions": {key: {"definition": f"kpi.{key}.how", "name": translate(f"kpi.{key}", lang),
                                       "how": translate(f"kpi.{key}.how", lang)} for key in CATEGORY_FIGURES},
        "daily": report.daily,
    }
