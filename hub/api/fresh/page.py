"""The /fresh page: dates to check today, lots to date, recording waste (by name or a scanned code), the waste log.

Rendered by the server in the visitor's language (dates, money and times by Babel); its small script
(``static/fresh.js``) posts the waste form to the fresh API and shows the page again, so the page and the API
refuse the same things the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_datetime, format_timedelta
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hub.api.fresh import views
from hub.fresh import waste
from hub.http.deps import Hub, current_staff
from hub.i18n import messages
from hub.i18n.catalog import locale
from hub.i18n.formats import money
from hub.web.i18n import Translator, pick_language
from hub.web.render import render

router = APIRouter(include_in_schema=False)
LOG_DAYS = 14  # the waste log shows the last two weeks; the CSV has any period


def _days_text(days: int, lang: str, t: Translator) -> str:
    if days == 0:
        return t("fresh.today")
    return format_timedelta(timedelta(days=days), granularity="day", threshold=1000, add_direction=True,
                            locale=locale(lang))


def _said_lot(lot: dict[str, Any], lang: str, t: Translator) -> dict[str, Any]:
    return {**lot, "days_text": _days_text(lot["days_left"], lang, t),
            "kind_text": t(f"fresh.kind_{lot['date_kind']}"),
            "place_text": t(f"fresh.place_{lot['place']}") if lot["place"] else "—"}


@router.get("/fresh")
async def fresh_page(request: Request, hub: Hub) -> Response:
    staff = current_staff(request, hub)
    if staff is None:
        return RedirectResponse("/signin?next=/fresh", status_code=303)
    lang = pick_language(request)
    t = Translator(lang)
    check = views.expiring(hub, lang=lang)
    since = views.moment(hub) - LOG_DAYS * 86400
    log = []
    for row in waste.search(hub.db, since=since, limit=200):
        log.append({**row, "time_text": format_datetime(datetime.fromtimestamp(row["time"], UTC), "short",
                                                        tzinfo=hub.config.zone, locale=locale(lang)),
                    "value_text": money(row["value_cents"], lang), "reason_text": t(f"fresh.reason_{row['reason']}"),
                    "expiry_text": views.day_text(row["expiry"], lang) if row["expiry"] else "—"})
    products = [dict(r) for r in hub.db.query("SELECT gtin, name, date_kind FROM products ORDER BY name")]
    labels = {code: t(code) for code in messages("en") if code.startswith("fresh.js_")}
    return render(request, "fresh.html", staff, "fresh",
                  expiring=[_said_lot(x, lang, t) for x in check["expiring"]],
                  passed=[_said_lot(x, lang, t) for x in check["use_by_passed"]],
                  fefo=[{**_said_lot(x, lang, t), "newer_text": views.day_text(x["newer"]["expiry"], lang)}
                        for x in check["fefo"]],
                  undated=views.undated(hub), products=products, log=log, log_days=LOG_DAYS, fresh_labels=labels)
