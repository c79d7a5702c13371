"""The camera page (``/cameras/{camera}``): its latest still, the slots drawn on it, stills and the model."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comptoir.contract.topics import check_id
from hub.http.deps import Hub, current_staff
from hub.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/cameras/{camera}", response_class=HTMLResponse)
async def camera_page(request: Request, hub: Hub, camera: str) -> Response:
    staff = current_staff(request, hub)
    if staff is None:
        return RedirectResponse(f"/signin?next={quote(request.url.path, safe='/')}", status_code=303)
    try:
        check_id(camera, "camera id")
    except ValueError as exc:
        raise HTTPException(404, str(exc)) from None
    return render(request, "camera.html", staff, "devices", camera=camera)
