"""The stock page at ``/stock``: receiving, counts, adjustments and the audit log on a tablet.

A dashboard page (frame, navigation, French/English labels); its script
(``static/stock.js``) calls the stock API, so the page and the API do the same
thing with the same roles and the same refusals.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hub.http.deps import Hub, current_staff
from hub.i18n import messages
from hub.inventory.adjustments import REASONS
from hub.web.i18n import Translator, pick_language
from hub.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/stock")
async def stock_page(request: Request, hub: Hub) -> Response:
    staff = current_staff(request, hub)
    if staff is None:
        return RedirectResponse("/signin?next=/stock", status_code=303)
    t = Translator(pick_language(request))
    labels = {code: t(code) for code in messages("en") if code.startswith("stock_")}
    return render(request, "stock.html", staff, "stock", reasons=list(REASONS),
                  stock_labels_json=json.dumps(labels, ensure_ascii=False).replace("</", "<\\/"))
