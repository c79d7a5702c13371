"""The numbers page at ``/numbers``: the shop's figures as cards, charts and a table per category.

A dashboard page (frame, navigation, French/English labels); its script (``static/numbers.js``) reads
``/api/kpis``, whose figures come already said in the reader's language (Babel), so the page and the API
show the same values.
"""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hub.http.deps import Hub, current_staff
from hub.i18n import messages
from hub.web.i18n import Translator, pick_language
from hub.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/numbers")
async def numbers_page(request: Request, hub: Hub) -> Response:
    staff = current_staff(request, hub)
    if staff is None:
        return RedirectResponse("/signin?next=/numbers", status_code=303)
    t = Translator(pick_language(request))
    labels = {code: t(code) for code in messages("en") if code.startswith("numbers_")}
    today = datetime.fromtimestamp(hub.clock.now().timestamp(), hub.config.zone).date()
    return render(request, "numbers.html", staff, "numbers", today=today.isoformat(),
                  numbers_labels_json=json.dumps(labels, ensure_ascii=False).replace("</", "<\\/"))
