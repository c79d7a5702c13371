"""The markdowns page at ``/markdowns``: suggestions with why, approve or reject, print labels, the results.

Its script (``static/markdowns.js``) does everything through ``/api/markdowns``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.http.deps import Hub, current_staff
from hub.web.render import render

router = APIRouter(tags=["markdowns"], include_in_schema=False)


@router.get("/markdowns", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, hub: Hub) -> Response:
    staff = current_staff(request, hub)
    if staff is None:
        return RedirectResponse("/signin?next=/markdowns", status_code=303)
    return render(request, "markdowns.html", staff, "markdowns")
