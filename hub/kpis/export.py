"""The weekly report as CSV (one row per figure, and per category where per category) and as a PDF (fpdf2)."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from hub.csv_cells import spreadsheet_safe
from hub.i18n import translate
from hub.kpis.report import CATEGORY_FIGURES, Report, said

if TYPE_CHECKING:
    from fpdf import FPDF

CSV_COLUMNS = ("period", "figure", "category", "value", "unit", "display", "parts", "definition")


def report_csv(report: Report, lang: str) -> str:
    """Values raw (cents, fractions) with their display beside; every text cell safe from spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    label = report.period.label
    for f in report.figures:
        writer.writerow([spreadsheet_safe(c) for c in (
            label, f.key, "", "" if f.value is None else f.value, f.unit, said(f.value, f.unit, lang),
            json.dumps(f.parts, sort_keys=True), translate(f"kpi.{f.key}.how", lang))])
    for row in report.categories:
        parts = {k: v for k, v in row.items() if k not in ("category", *CATEGORY_FIGURES)}
        for key, unit in CATEGORY_FIGURES.items():
            value = row[key]
            writer.writerow([spreadsheet_safe(c) for c in (
                label, key, row["category"], "" if value is None else value, unit, said(value, unit, lang),
                json.dumps(parts, sort_keys=True), translate(f"kpi.{key}.how", lang))])
    return out.getvalue()


def _latin(text: str) -> str:
    """The PDF's core font writes Latin-1 only: the euro sign becomes EUR, the other marks their closest."""
    text = text.replace("€", "EUR").replace("\u202f", " ").replace("—", "-").replace("−", "-").replace("’", "'")
    return text.encode("latin-1", "replace").decode("latin-1")


def _put(pdf: FPDF, text: str, size: float = 10, style: str = "", height: float = 5.5) -> None:
    pdf.set_font("helvetica", style, size)
    pdf.multi_cell(0, height, _latin(text), new_x="LMARGIN", new_y="NEXT")


def _row(pdf: FPDF, cells: list[tuple[str, float, str]], style: str = "", fill: bool = False) -> None:
    pdf.set_font("helvetica", style, 9)
    for text, width, align in cells:
        pdf.cell(width, 6, _latin(text), border="B", align=align, fill=fill)
    pdf.ln(6)


def _bars(pdf: FPDF, title: str, values: list[int], labels: list[str], colour: tuple[int, int, int],
          lang: str) -> None:
    """A bar chart of one value per day, drawn with fpdf2's rectangles and lines."""
    _put(pdf, title, 10, "B")
    left, top, width, height = pdf.l_margin + 22, pdf.get_y() + 2, 150.0, 32.0
    peak = max([*values, 1])
    pdf.set_draw_color(120, 120, 120)
    pdf.line(left, top + height, left + width, top + height)
    pdf.set_font("helvetica", "", 7)
    pdf.set_xy(pdf.l_margin, top - 2)
    pdf.cell(21, 4, _latin(said(peak, "cents", lang)), align="R")
    step = width / max(len(values), 1)
    pdf.set_fill_color(*colour)
    for index, value in enumerate(values):
        bar = height * value / peak
        x = left + index * step
        if bar > 0:
            pdf.rect(x + step * 0.15, top + height - bar, step * 0.7, bar, style="F")
        pdf.set_xy(x, top + height + 0.5)
        pdf.cell(step, 4, _latin(labels[index]), align="C")
    pdf.set_y(top + height + 7)


def report_pdf(report: Report, lang: str, shop: str, week: str) -> bytes:
    """One or two A4 pages: title, shop and week, the figures, per-category table, two daily charts, and how
    each figure is computed. Text in ``lang``; numbers and money by Babel."""
    t = lambda code, **p: translate(code, lang, **p)  # noqa: E731
    from fpdf import FPDF  # here: fpdf2 takes ~0.6 s to import, which every hub start paid

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(_latin(t("kpi.report_title")))
    pdf.add_page()
    _put(pdf, t("kpi.report_title"), 16, "B", 8)
    period = report.period
    _put(pdf, t("kpi.report_subtitle", shop=shop, week=week, first=period.first.isoformat(),
              last=period.last.isoformat()), 10)
    pdf.ln(2)
    pdf.set_fill_color(235, 238, 245)
    _row(pdf, [(t("kpi.col_figure"), 120, "L"), (t("kpi.col_value"), 60, "R")], "B", fill=True)
    for f in report.figures:
        _row(pdf, [(t(f"kpi.{f.key}"), 120, "L"), (said(f.value, f.unit, lang), 60, "R")])
    pdf.ln(3)
    if report.categories:
        _row(pdf, [(t("kpi.col_category"), 80, "L"), (t("kpi.turnover"), 50, "R"), (t("kpi.days_of_cover"), 50, "R")],
                "B", fill=True)
        for row in report.categories:
            _row(pdf, [(row["category"], 80, "L"), (said(row["turnover"], "times", lang), 50, "R"),
                     (said(row["days_of_cover"], "days", lang), 50, "R")])
        pdf.ln(3)
    days = [d["day"][8:10] for d in report.daily]
    _bars(pdf, t("kpi.chart_revenue"), [int(d["revenue_cents"]) for d in report.daily], days, (29, 78, 216), lang)
    _bars(pdf, t("kpi.chart_waste"), [int(d["waste_cents"]) for d in report.daily], days, (180, 83, 9), lang)
    _put(pdf, t("kpi.how_title"), 11, "B", 7)
    for key in [f.key for f in report.figures] + list(CATEGORY_FIGURES):
        _put(pdf, f"{t(f'kpi.{key}')}: {t(f'kpi.{key}.how')}", 7.5, height=3.8)
    return bytes(pdf.output())
