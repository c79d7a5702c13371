"""How a dashboard page is rendered: its frame and labels in the visitor's language, and the headers every page
carries (no-store, a strict content security policy). Used by the dashboard's pages and the reorder page."""

from __future__ import annotations

import json
from pathlib import Path as FilePath
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from hub.auth import Session
from hub.web.i18n import LANGUAGES, Translator, pick_language

#: The pages load nothing from elsewhere: scripts, styles and data come from the hub itself.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")

#: Labels the scripts need, sent with each page (the rest is rendered by the server).
SCRIPT_KEYS = (
    "live", "reconnecting", "state_ok", "state_low", "state_empty", "state_occluded", "state_no_data",
    "source_camera", "source_scale", "source_rfid", "source_shelf", "ago_unknown", "acknowledge", "resolve",
    "acknowledged_by", "resolved_by",
    "resolved_auto", "raised", "no_alerts", "units_of", "none", "online", "offline", "unknown", "failed",
    "sev_critical", "sev_warning", "sev_info", "chart_on_hand", "chart_backroom", "chart_shelf", "chart_sales",
    "no_results", "slot_label", "kind_shelf_empty_backroom_stock", "kind_out_of_stock", "kind_below_reorder_point",
    "kind_unpaid_item_exit", "kind_device_offline", "kind_device_silent", "kind_messages_lost", "per_min",
    "confidence", "chart_summary", "flag_misplaced_or_hidden", "flag_untagged_or_unreadable", "flag_shelf_view_blocked",
    # issue 19, part B: the floor map, the product list, the chart's time axis
    "map_not_watched", "map_waiting_for", "map_aisle_empty", "map_aisle_low", "map_aisle_occluded", "map_aisle_fine",
    "map_step_empty", "map_step_low", "map_step_occluded", "map_open_product", "map_open_alert", "map_found",
    "products_range", "chart_axis_time",
)


def render(request: Request, template: str, staff: Session | None, page: str, **context: Any) -> HTMLResponse:
    lang = pick_language(request)
    t = Translator(lang)
    labels = {key: t(key) for key in SCRIPT_KEYS}
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = templates.TemplateResponse(request, template, {
        "t": t, "lang": lang, "languages": LANGUAGES, "staff": staff, "page": page, "here": here,
        "labels_json": json.dumps(labels, ensure_ascii=False).replace("</", "<\\/"), **context,
    })
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
