"""What the fresh API and the /fresh page show of lots: their days left in the shop's calendar and their place."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from babel.dates import format_date

from hub.fresh import expiry, lots
from hub.fresh.expiry import LotState
from hub.http.deps import HubState
from hub.i18n.catalog import locale
from hub.timeutil import iso, ts


def moment(hub: HubState) -> float:
    return ts(hub.clock.now())


def places(hub: HubState, lot_ids: list[int]) -> dict[int, str]:
    """Where a tagged lot's items are (shelf before backroom); untagged lots have no known place."""
    if not lot_ids:
        return {}
    marks = ",".join("?" * len(lot_ids))
    out: dict[int, str] = {}
    for lot_id, state in hub.db.execute(
            f"SELECT t.lot_id, i.state FROM lot_tags t JOIN items i ON i.epc = t.epc WHERE t.lot_id IN ({marks}) "
            "AND i.state IN ('floor', 'backroom')", lot_ids):
        if state == "floor" or lot_id not in out:
            out[lot_id] = "shelf" if state == "floor" else "backroom"
    return out


def day_text(day: str, lang: str) -> str:
    """A date (YYYY-MM-DD) as the reader's language writes it, by Babel."""
    return format_date(date.fromisoformat(day), format="long", locale=locale(lang))


def lot_out(state: LotState, place: str | None, lang: str | None = None) -> dict[str, Any]:
    row = state.row
    out = {"id": row["id"], "gtin": row["gtin"], "name": row["name"], "category": row["category"], "lot": row["lot"],
           "expiry": row["expiry"], "date_kind": row["date_kind"], "units": row["units"],
           "days_left": state.days_left, "warn_days": state.warn_days, "place": place,
           "received": iso(row["received"]), "use_by_passed": state.use_by_passed, "expiring": state.expiring}
    if lang is not None:
        out["expiry_text"] = day_text(row["expiry"], lang)
    return out


def open_lots(hub: HubState, gtin: str | None = None, days: int | None = None,
              lang: str | None = None) -> list[dict[str, Any]]:
    """Open lots with units, first to expire first; ``days``: only those within that many days of their date."""
    states = expiry.lot_states(hub.db, hub.config.fresh.expiry, hub.config.zone, moment(hub), gtin)
    if days is not None:
        states = [s for s in states if s.days_left <= days]
    where = places(hub, [s.row["id"] for s in states])
    return [lot_out(s, where.get(s.row["id"]), lang) for s in states]


def one_lot(hub: HubState, lot_id: int) -> dict[str, Any]:
    """One lot, open or closed, as the lot list shows it."""
    state = expiry.lot_states(hub.db, hub.config.fresh.expiry, hub.config.zone, moment(hub), lot_id=lot_id)[0]
    return lot_out(state, places(hub, [lot_id]).get(lot_id))


def expiring(hub: HubState, days: int | None = None, lang: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """What to check today: lots reaching their date (``days`` or each category's warn days), use-by dates
    passed with units still here, older lots left behind newer ones."""
    now = moment(hub)
    states = expiry.lot_states(hub.db, hub.config.fresh.expiry, hub.config.zone, now)
    where = places(hub, [s.row["id"] for s in states])
    behind = expiry.left_behind(hub.db, states)
    soon = [s for s in states if not s.use_by_passed and s.days_left <= (s.warn_days if days is None else days)]
    return {
        "expiring": [lot_out(s, where.get(s.row["id"]), lang) for s in soon],
        "use_by_passed": [lot_out(s, where.get(s.row["id"]), lang) for s in states if s.use_by_passed],
        "fefo": [{**lot_out(s, where.get(s.row["id"]), lang), "newer": behind[s.row["id"]]}
                 for s in states if s.row["id"] in behind],
    }


def undated(hub: HubState) -> list[dict[str, Any]]:
    fusion, now = hub.ingest.fusion, moment(hub)
    return lots.undated(hub.db, lambda g: fusion.figure(g, now))


def day_bounds(hub: HubState, first: date | None, last: date | None) -> tuple[float | None, float | None]:
    """Local days (the shop's time zone) as [since, until) UNIX times."""
    zone = hub.config.zone
    since = ts(datetime.combine(first, time(0), zone)) if first else None
    until = ts(datetime.combine(last + timedelta(days=1), time(0), zone)) if last and last < date.max else None
    return since, until
