"""``GET /api/kpis``, ``/api/kpis/report.csv`` and ``/api/kpis/report.pdf`` (staff session)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from hub.api.kpis.models import KpisOut
from hub.http.deps import Hub, HubState, Staff
from hub.http.errors import ErrorOut
from hub.kpis import export, report
from hub.kpis.period import KpiError, Period
from hub.timeutil import ts
from hub.web.i18n import pick_language

router = APIRouter(prefix="/api/kpis", tags=["staff"])

REFUSED = {422: {"model": ErrorOut, "description": "a period that cannot be read; the message names the field"}}
Day = Annotated[date, Query(description="a shop day, YYYY-MM-DD (the hub's timezone)")]
Week = Annotated[str, Query(description="an ISO week, YYYY-Www (e.g. 2026-W48)", pattern=r"^\d{4}-W\d{2}$")]


def _period(hub: HubState, first: date | None = None, last: date | None = None, week: str | None = None) -> Period:
    """The period asked for; one that cannot be (last before first, too long, no such week) is a 422 naming it."""
    try:
        if week is not None or first is None or last is None:
            return Period.week(week or "", hub.config.zone)
        return Period(first, last, hub.config.zone)
    except KpiError as exc:
        raise HTTPException(422, str(exc)) from None


async def _report(hub: HubState, period: Period) -> report.Report:
    """The figures, read in a worker thread on a read-only connection (the event loop keeps ingesting)."""
    return await asyncio.to_thread(report.build_apart, hub.config.db, period, ts(hub.clock.now()))


@router.get("", response_model=KpisOut, responses=REFUSED)
async def kpis(request: Request, hub: Hub, _staff: Staff, first: Day, last: Day) -> dict[str, Any]:
    """Every figure of the shop days ``first`` to ``last``: value (money in cents, rates as fractions), the counts
    it is made of, its display and definition in the reader's language, per-category turnover and cover, and the
    daily revenue and waste for the charts (docs/kpis.md)."""
    period = _period(hub, first, last)
    return report.as_json(await _report(hub, period), pick_language(request))


@router.get("/report.csv", response_class=Response, responses={
    **REFUSED, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the week as CSV"}})
async def report_csv(request: Request, hub: Hub, _staff: Staff, week: Week) -> Response:
    """The week's figures, one row per figure and per category (turnover, days of cover); formulas neutralised."""
    period = _period(hub, week=week)
    text = export.report_csv(await _report(hub, period), pick_language(request))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="numbers-{week}.csv"'})


@router.get("/report.pdf", response_class=Response, responses={
    **REFUSED, 200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                     "description": "the week as a PDF"}})
async def report_pdf(request: Request, hub: Hub, _staff: Staff, week: Week) -> Response:
    """The week's report as a PDF: the figures, a table per category, daily charts and how each is computed."""
    period = _period(hub, week=week)
    built = await _report(hub, period)
    pdf = export.report_pdf(built, pick_language(request), hub.config.store, week)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="numbers-{week}.pdf"'})
