"""The markdowns API: list, review now, approve or reject (any staff member), and the approved ones' labels."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from hub.api.markdowns.models import MarkdownOut, ReviewOut
from hub.fresh import markdowns
from hub.fresh.markdown_labels import labels_zpl, sheet_html
from hub.http.deps import Hub, HubState, Staff
from hub.http.errors import ErrorOut
from hub.http.params import NOT_FOUND, RowId
from hub.timeutil import iso, ts
from hub.web.i18n import pick_language
from hub.web.render import CONTENT_SECURITY_POLICY

router = APIRouter(prefix="/api/markdowns", tags=["staff"])
REFUSED = {**NOT_FOUND, 409: {"model": ErrorOut, "description": "its state does not allow it (already decided, "
                                                                  "ended, or not approved for labels)"}}
_STATE = "(" + "|".join(markdowns.STATES) + ")"
States = Annotated[str | None, Query(pattern=f"^{_STATE}(,{_STATE})*$", max_length=200,
                                     description="comma-separated states; all if unset")]
Ids = Annotated[str, Query(pattern=r"^\d{1,12}(,\d{1,12})*$", max_length=2000,
                           description="comma-separated markdown ids")]


@contextmanager
def markdown_errors() -> Iterator[None]:
    try:
        yield
    except markdowns.MarkdownError as exc:
        raise HTTPException({"not_found": 404, "conflict": 409}.get(exc.kind, 422), str(exc)) from None


def _now(hub: HubState) -> float:
    return ts(hub.clock.now())


def out(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """A markdowns row as the API says it: times in ISO, the why sentence in ``lang``."""
    return {**row, "why": markdowns.say(row["why"], lang),
            **{k: iso(row[k]) for k in ("created", "start", "end", "decided", "printed")}}


@router.get("", response_model=list[MarkdownOut])
async def listing(request: Request, hub: Hub, staff: Staff, state: States = None) -> list[dict[str, Any]]:
    """Markdowns (by state), with units sold at the reduced price and the money they recovered."""
    states = [s for s in (state or "").split(",") if s]
    lang = pick_language(request)
    return [out(row, lang) for row in markdowns.listing(hub.db, states)]


@router.post("/review", response_model=ReviewOut)
async def review(hub: Hub, staff: Staff) -> dict[str, Any]:
    """Review the suggestions now (the hub also does it every ``fresh.markdowns.run_every_s``)."""
    return asdict(markdowns.review(hub.db, hub.config, _now(hub)))


@router.post("/{markdown_id}/approve", response_model=MarkdownOut, responses=REFUSED)
async def approve(markdown_id: RowId, request: Request, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Approve a suggestion: its lot sells at its price from its start; print its labels next."""
    with markdown_errors():
        return out(markdowns.decide(hub.db, markdown_id, True, staff.username, _now(hub)), pick_language(request))


@router.post("/{markdown_id}/reject", response_model=MarkdownOut, responses=REFUSED)
async def reject(markdown_id: RowId, request: Request, hub: Hub, staff: Staff) -> dict[str, Any]:
    with markdown_errors():
        return out(markdowns.decide(hub.db, markdown_id, False, staff.username, _now(hub)), pick_language(request))


def _approved(hub: HubState, ids: str) -> list[dict[str, Any]]:
    wanted = [int(i) for i in ids.split(",")]
    with markdown_errors():
        rows = markdowns.by_ids(hub.db, wanted)
    refused = [r["id"] for r in rows if r["state"] != "approved"]
    if refused:
        raise HTTPException(409, f"markdown {refused[0]} is not approved: only approved markdowns get labels")
    markdowns.mark_printed(hub.db, wanted, _now(hub))
    return rows


@router.get("/labels.html", response_class=HTMLResponse, responses=REFUSED)
async def labels_html(request: Request, hub: Hub, staff: Staff, ids: Ids) -> HTMLResponse:
    """A printable A4 sheet of the approved markdowns' shelf labels (marks them printed)."""
    page = sheet_html(_approved(hub, ids), pick_language(request))
    return HTMLResponse(page, headers={"Cache-Control": "no-store", "Content-Security-Policy": CONTENT_SECURITY_POLICY})


@router.get("/labels.zpl", response_class=PlainTextResponse, responses=REFUSED)
async def labels_zpl_text(request: Request, hub: Hub, staff: Staff, ids: Ids) -> PlainTextResponse:
    """The same labels in ZPL II for a label printer (marks them printed)."""
    return PlainTextResponse(labels_zpl(_approved(hub, ids), pick_language(request)),
                             headers={"Content-Disposition": 'attachment; filename="markdowns.zpl"'})
