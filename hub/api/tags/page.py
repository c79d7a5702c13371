"""The tag page at ``/tags``: choose a product by name, allocate serials, download or print the labels.

A dashboard page (its frame, navigation and labels in the visitor's language); its script
(``static/tags.js``) does everything through ``/api/tags``, so the page and the API cannot disagree.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.http.deps import Hub, current_staff
from hub.web.render import render

router = APIRouter(tags=["tags"], include_in_schema=False)


@router.get("/tags", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, hub: Hub) -> Response:
    staff = current_staff(request, hub)
    if staff is None:
        return RedirectResponse("/signin?next=/tags", status_code=303)
    return render(request, "tags.html", staff, "tags")
